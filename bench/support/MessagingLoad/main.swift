import Contracts
import Crypto
import Foundation
import HTTPTypes
import HummingbirdWSClient
import JWTKit
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOWebSocket
import ServiceKit

// The load of bench/messaging: holds `connections` sockets of as many users on one Messaging instance, then sends
// `rate` messages a second for `seconds` seconds in the first `active` of the conversations the bench made, each
// from one member to the other, and prints the time from send to delivery. Users and conversations have the ids
// bench/messaging gave them in the database: md5("u<i>") and md5("c<j>"), conversation j between users 2j and 2j+1.
//
//   MessagingLoad key <JWKS file to write>    (prints the key the load signs with, for the run)
//   MessagingLoad <ws URL> <key> <connections> <active conversations> <rate> <seconds>

let arguments = CommandLine.arguments
// Auth's part, done before Messaging starts (its readiness fetches the keys): a key whose public half the bench's
// nginx serves as Auth's JWKS.
if arguments.count == 3, arguments[1] == "key" {
    let key = SigningKey.generate()
    try JSONEncoder().encode(JWKS(keys: [key.publicJWK])).write(to: URL(fileURLWithPath: arguments[2]))
    print("\(key.id):\(key.rawPrivateKey.base64EncodedString())")
    exit(0)
}
guard arguments.count == 7, let connections = Int(arguments[3]), let active = Int(arguments[4]), let rate = Int(arguments[5]),
    let seconds = Int(arguments[6]), seconds > 0, rate > 0, case let parts = arguments[2].split(separator: ":"), parts.count == 2,
    let raw = Data(base64Encoded: String(parts[1])), let key = try? SigningKey(id: String(parts[0]), rawPrivateKey: raw)
else {
    print("usage: MessagingLoad key <JWKS file> | MessagingLoad <ws URL> <key> <connections> <active conversations> <rate> <seconds>")
    exit(2)
}
let url = arguments[1]
// The load shares the machine with the server it measures: its tasks run on the loops that read their sockets.
ServiceMain.runTasksOnEventLoops()

func id(_ text: String) -> UUID {
    let digest = Array(Insecure.MD5.hash(data: Data(text.utf8)))
    return UUID(
        uuid: (
            digest[0], digest[1], digest[2], digest[3], digest[4], digest[5], digest[6], digest[7],
            digest[8], digest[9], digest[10], digest[11], digest[12], digest[13], digest[14], digest[15]
        ))
}

/// A frame from Messaging, told apart by scanning its bytes rather than with a regular expression: 4 000 arrive a
/// second, on the machine that also runs the server measured.
enum Received {
    case pong, ack, error, other
    case message(sent: UInt64)

    init(_ text: String) {
        var text = text
        self = text.withUTF8 { bytes in
            if Self.find(#""type":"message""#, in: bytes) != nil {
                // The body is "t=<send time>" (the only "t= in a frame of the load's).
                guard var at = Self.find(#""t="#, in: bytes).map({ $0 + 3 }) else { return .other }
                var sent: UInt64 = 0
                while at < bytes.count, case 0x30...0x39 = bytes[at] {
                    sent = sent * 10 + UInt64(bytes[at] - 0x30)
                    at += 1
                }
                return .message(sent: sent)
            }
            if Self.find(#""of":"ping""#, in: bytes) != nil { return .pong }
            if Self.find(#""type":"ack""#, in: bytes) != nil { return .ack }
            if Self.find(#""type":"error""#, in: bytes) != nil { return .error }
            return .other
        }
    }

    /// Where `needle` first starts in `bytes`.
    private static func find(_ needle: StaticString, in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        let pattern = UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount)
        guard bytes.count >= pattern.count else { return nil }
        for start in 0...(bytes.count - pattern.count) where bytes[start] == pattern[0] {
            if (1..<pattern.count).allSatisfy({ bytes[start + $0] == pattern[$0] }) { return start }
        }
        return nil
    }
}

/// What every socket shares: the writers by user, the delivery times, the counts.
final class Tally: Sendable {
    let writers = NIOLockedValueBox([Int: WebSocketOutboundWriter]())
    /// Each delivery's send time and latency, in nanoseconds.
    let latencies = NIOLockedValueBox([(sent: UInt64, latency: UInt64)]())
    let acks = NIOLockedValueBox(0)
    let errors = NIOLockedValueBox(0)
    let closed = NIOLockedValueBox(0)
}
let tally = Tally()

var tokens: [String] = []
for index in 0..<connections {
    let now = Date()
    tokens.append(
        try await key.sign(
            AccessClaims(
                userID: id("u\(index)"), role: index % 2 == 0 ? .traveler : .provider, id: UUID().uuidString, issuedAt: now,
                expiresAt: now.addingTimeInterval(3600), issuer: "mayago-auth", audience: "mayago"
            )))
}

let logger = Logger(label: "messaging-load")
let started = ContinuousClock.now
let sockets = Task {
    await withDiscardingTaskGroup { group in
        // At most 256 handshakes at a time, as a crowd of clients would arrive.
        let gate = AsyncStream<Void>.makeStream()
        for _ in 0..<256 { gate.continuation.yield() }
        var slots = gate.stream.makeAsyncIterator()
        for index in 0..<connections {
            _ = await slots.next()
            group.addTask {
                do {
                    try await WebSocketClient.connect(
                        url: url, configuration: .init(additionalHeaders: [.authorization: "Bearer \(tokens[index])"]), logger: logger
                    ) {
                        inbound, outbound, _ in
                        // A socket counts once its session answers a ping: subscribed, present, reading.
                        try await outbound.write(.text(#"{"type":"ping"}"#))
                        gate.continuation.yield()
                        for try await message in inbound.messages(maxSize: 1 << 16) {
                            guard case .text(let text) = message else { continue }
                            switch Received(text) {
                            case .pong: tally.writers.withLockedValue { $0[index] = outbound }
                            case .message(let sent):
                                let now = DispatchTime.now().uptimeNanoseconds
                                tally.latencies.withLockedValue { $0.append((sent, now - sent)) }
                            case .ack: tally.acks.withLockedValue { $0 += 1 }
                            case .error: tally.errors.withLockedValue { $0 += 1 }
                            case .other: break
                            }
                        }
                    }
                } catch {
                    gate.continuation.yield()
                    tally.errors.withLockedValue { $0 += 1 }
                }
                tally.closed.withLockedValue { $0 += 1 }
            }
        }
    }
}

// Wait until every socket is open (or has failed).
while tally.writers.withLockedValue({ $0.count }) + tally.errors.withLockedValue({ $0 }) < connections,
    ContinuousClock.now - started < .seconds(120)
{
    try await Task.sleep(for: .milliseconds(100))
}
let open = tally.writers.withLockedValue { $0.count }
print(String(format: "sockets: %d of %d open and answering in %.1f s", open, connections, Double((ContinuousClock.now - started).components.seconds)))
// Every stream (stdout among them): the bench reads Messaging's CPU time on this line, not when the pipe's buffer fills.
fflush(nil)
try await Task.sleep(for: .seconds(2))

// A fixed rate, on a schedule, so that slow answers do not slow the sending. Detached from the main actor, so that
// the sends and their writes run on the loops rather than hopping to the main thread at each one.
let total = rate * seconds
let interval = Duration.nanoseconds(1_000_000_000 / rate)
let conversationIDs = (0..<active).map { id("c\($0)").uuidString.lowercased() }
let sendStart = ContinuousClock.now
let sendStartNanoseconds = DispatchTime.now().uptimeNanoseconds
let sent = try await Task.detached {
    var sent = 0
    for number in 0..<total {
        let due = sendStart + interval * number
        if due > .now { try await Task.sleep(until: due) }
        let conversation = number % active
        let from = 2 * conversation + (number / active) % 2
        guard let writer = tally.writers.withLockedValue({ $0[from] }) else { continue }
        let frame =
            #"{"type":"send","conversationId":"\#(conversationIDs[conversation])","body":"t=\#(DispatchTime.now().uptimeNanoseconds)","clientMessageId":"m\#(number)"}"#
        Task { try? await writer.write(.text(frame)) }
        sent += 1
    }
    return sent
}.value
let sendingTook = ContinuousClock.now - sendStart
try await Task.sleep(for: .seconds(3))

let deliveries = tally.latencies.withLockedValue { $0 }
let latencies = deliveries.map(\.latency).sorted()
/// The `p` percentile of `sorted` latencies, in milliseconds.
func percentile(_ p: Double, of sorted: [UInt64] = latencies) -> Double {
    sorted.isEmpty ? .nan : Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]) / 1_000_000
}
// The first second is when each sender's first message is sent: the instance looks each conversation up, and each of its
// database connections runs its statements for the first time.
// Each second apart too: a bad p99 from a few slow seconds (the shared machine loses up to 40 % of its CPU for seconds
// at a time) reads differently from a slow run.
var bySecond = [[UInt64]](repeating: [], count: seconds)
for delivery in deliveries {
    bySecond[min(seconds - 1, Int((delivery.sent - min(delivery.sent, sendStartNanoseconds)) / 1_000_000_000))].append(delivery.latency)
}
let (firstSecond, after) = (bySecond[0], Array(bySecond.dropFirst().joined()))
print(
    String(
        format: "sent %d messages in %.1f s (%.0f/s); delivered %d, acknowledged %d, errors %d",
        sent, Double(sendingTook.components.seconds) + Double(sendingTook.components.attoseconds) / 1e18,
        Double(sent) / (Double(sendingTook.components.seconds) + Double(sendingTook.components.attoseconds) / 1e18),
        latencies.count, tally.acks.withLockedValue { $0 }, tally.errors.withLockedValue { $0 }))
print(String(format: "send to delivery: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms", percentile(0.5), percentile(0.9), percentile(0.99), percentile(1)))
print(
    String(
        format: "p99 of the first second's messages (each sender's first) %.1f ms, of the rest %.1f ms", percentile(0.99, of: firstSecond.sorted()),
        percentile(0.99, of: after.sorted())))
print("p99 of each second's messages, ms: " + bySecond.map { String(format: "%.0f", percentile(0.99, of: $0.sorted())) }.joined(separator: " "))
for writer in tally.writers.withLockedValue({ Array($0.values) }) {
    Task { try? await writer.close(.normalClosure, reason: nil) }
}
_ = try? await withTimeout(.seconds(10)) { await sockets.value }
