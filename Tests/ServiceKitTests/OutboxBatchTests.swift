import AsyncHTTPClient
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOConcurrencyHelpers
import PostgresNIO
import ServiceKit
import ServiceLifecycle
import TestSupport
import Testing

/// Outbox messages for one service travel together (`POST /internal/v1/outbox`) and are handled one by one by
/// their own routes on the receiver.
@Suite struct OutboxBatchTests {
    let logger = Logger(label: "outbox-batch-test")

    /// The call ``OutboxTests`` sends.
    typealias Note = OutboxTests.Note

    /// What a receiver saw: the paths of the requests that reached its router, and the notes it applied.
    final class Seen: Sendable {
        let paths = NIOLockedValueBox<[String]>([])
        let applied = NIOLockedValueBox<[Int: String]>([:])
    }

    /// Records every request's path, the batch's and each replayed message's.
    struct PathRecorder: RouterMiddleware {
        typealias Context = ServiceRequestContext
        let seen: Seen
        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
            seen.paths.withLockedValue { $0.append(request.uri.path) }
            return try await next(request, context)
        }
    }

    @Test func aBatchIsAnsweredMessageByMessageThroughEachRoute() async throws {
        let runtime = try await ServiceRuntime<NoStores>(configuration: try TestEnvironment.configuration(.notify))
        let router = runtime.makeRouter()
        let seen = Seen()
        // Odd notes are refused, as a route refuses what it cannot apply.
        runtime.internalRoutes(of: router).post(Note.self, from: .booking) { request, context -> Response in
            let note = try await request.decode(as: Note.self, context: context)
            guard note.number.isMultiple(of: 2) else { throw Problem(.conflict, detail: "Note \(note.number) is odd.") }
            seen.applied.withLockedValue { $0[note.number] = request.headers[.outboxMessageID] }
            return Response(status: .noContent)
        }
        let booking = await ServiceCredential(service: .booking, secret: ServiceConfiguration.developmentSecret)
        let search = await ServiceCredential(service: .search, secret: ServiceConfiguration.developmentSecret)
        let ids = (0..<6).map { _ in UUID() }
        @Sendable func batch(_ messages: [(UUID, String, String)]) -> ByteBuffer {
            let entries = messages.map { id, path, payload in ["id": id.uuidString, "path": path, "payload": payload] }
            return ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: ["messages": entries]))
        }
        try await runtime.makeApplication(router: router).test(.router) { client in
            let all = batch([
                (ids[0], Note.path, #"{"number":2}"#), (ids[1], Note.path, #"{"number":3}"#), (ids[2], "/health", "{}"),
                (ids[4], "/internal/v1/../health", "{}"), (ids[5], "/internal/v1/%2e%2e/health", "{}"),
                (ids[3], Note.path, #"{"number":4}"#),
            ])
            let headers: HTTPFields = [.authorization: "Bearer \(try await booking.token(for: .notify))", .contentType: "application/json"]
            try await client.execute(uri: "/internal/v1/outbox", method: .post, headers: headers, body: all) { response in
                #expect(response.status.code == 207)
                let answer = try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: [[String: Any]]]
                let failures = Dictionary(uniqueKeysWithValues: (answer?["failures"] ?? []).map { ($0["id"] as? String ?? "", $0["status"] as? Int ?? 0) })
                #expect(failures == [ids[1].uuidString: 409, ids[2].uuidString: 400, ids[4].uuidString: 400, ids[5].uuidString: 400])
            }
            // Each applied note had its own message id.
            #expect(seen.applied.withLockedValue { $0 } == [2: ids[0].uuidString.lowercased(), 4: ids[3].uuidString.lowercased()])

            // Every message applied: 204.
            let even = batch([(UUID(), Note.path, #"{"number":6}"#), (UUID(), Note.path, #"{"number":8}"#)])
            try await client.execute(uri: "/internal/v1/outbox", method: .post, headers: headers, body: even) { #expect($0.status == .noContent) }

            // A service the note's route does not name gets its messages refused one by one; without a credential, nothing.
            let fromSearch: HTTPFields = [.authorization: "Bearer \(try await search.token(for: .notify))", .contentType: "application/json"]
            let id = UUID()
            try await client.execute(uri: "/internal/v1/outbox", method: .post, headers: fromSearch, body: batch([(id, Note.path, #"{"number":10}"#)])) {
                #expect($0.status.code == 207)
                #expect(String(buffer: $0.body).contains(#""status":403"#))
            }
            try await client.execute(uri: "/internal/v1/outbox", method: .post, headers: [.contentType: "application/json"], body: even) {
                #expect($0.status == .notFound)
            }
            #expect(seen.applied.withLockedValue { $0.keys.sorted() } == [2, 4, 6, 8])
        }
    }

    @Test func theRelaySendsABatchAndRetriesOnlyItsFailures() async throws {
        try await withRelay(
            receiver: { runtime, seen in
                let router = runtime.makeRouter()
                router.add(middleware: PathRecorder(seen: seen))
                runtime.internalRoutes(of: router).post(Note.self, from: .booking) { request, context -> Response in
                    let note = try await request.decode(as: Note.self, context: context)
                    guard note.number.isMultiple(of: 2) else { throw Problem(.conflict, detail: "Note \(note.number) is odd.") }
                    seen.applied.withLockedValue { $0[note.number] = request.headers[.outboxMessageID] }
                    return Response(status: .noContent)
                }
                return runtime.makeApplication(router: router)
            },
            then: { postgres, seen in
                // Delivered notes are deleted; the odd ones stay, with their route's answer and a later attempt.
                let settled = try await eventually(timeout: .seconds(30)) { try await rows(postgres, "true") == 5 }
                #expect(settled)
                let refused = try await eventually { try await rows(postgres, "last_error LIKE 'HTTP 409: %is odd%'") == 5 }
                #expect(refused)
                #expect(seen.applied.withLockedValue { $0.keys.sorted() } == [2, 4, 6, 8, 10])
                // The first claim took all ten, in one request (besides the probe for the receiver listening).
                let paths = seen.paths.withLockedValue { $0 }.filter { $0.hasPrefix("/internal/") }
                #expect(paths.count == 11 && paths.first == "/internal/v1/outbox" && paths.dropFirst().allSatisfy { $0 == Note.path }, "\(paths)")
            })
    }

    @Test func aReceiverWithoutBatchesGetsTheMessagesOneByOne() async throws {
        try await withRelay(
            receiver: { runtime, seen in
                // A receiver of an older release: its own route, no batch route.
                let router = Router(context: ServiceRequestContext.self)
                router.post(RouterPath(String(Note.path.dropFirst()))) { request, context -> Response in
                    seen.paths.withLockedValue { $0.append(request.uri.path) }
                    let note = try await request.decode(as: Note.self, context: context)
                    seen.applied.withLockedValue { $0[note.number] = request.headers[.outboxMessageID] }
                    return Response(status: .noContent)
                }
                return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: runtime.configuration.port)))
            },
            then: { postgres, seen in
                let delivered = try await eventually(timeout: .seconds(30)) { try await rows(postgres, "true") == 0 }
                #expect(delivered)
                #expect(seen.applied.withLockedValue { $0.keys.sorted() } == Array(1...10))
                #expect(seen.paths.withLockedValue { $0 } == Array(repeating: Note.path, count: 10))
            })
    }

    /// Ten notes written in one transaction by a Booking-like sender, delivered to the application `receiver` makes.
    private func withRelay(
        receiver: (ServiceRuntime<NoStores>, Seen) async throws -> any Service,
        then check: @Sendable (PostgresClient, Seen) async throws -> Void
    ) async throws {
        let schema = "outbox_batch_\(UUID().uuidString.prefix(8).lowercased())"
        let port = try TestEnvironment.freePort()
        let configuration = try TestEnvironment.configuration(
            .booking, ["DATABASE_SCHEMA": schema, "NOTIFY_URL": "http://127.0.0.1:\(port)", "OUTBOX_MIN_BACKOFF_MS": "60000"])
        let runtime = try await ServiceRuntime<PostgresStore>(configuration: configuration)
        let postgres = runtime.postgres
        let seen = Seen()
        let receiverRuntime = try await ServiceRuntime<NoStores>(configuration: try TestEnvironment.configuration(.notify, ["HTTP_PORT": "\(port)"]))
        let receiverGroup = ServiceGroup(services: [try await receiver(receiverRuntime, seen)], logger: logger)
        async let receiving: Void = receiverGroup.run()
        // The receiver listens before anything is sent: a first failure would wait out its minute of backoff.
        let url = "http://127.0.0.1:\(port)/"
        let listening = await eventually { (try? await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(1))) != nil }
        #expect(listening)
        try await runtime.makeApplication(router: runtime.makeRouter()).test(.router) { _ in
            #expect(await eventually(timeout: .seconds(60)) { (try? await postgres.query("SELECT 1 FROM outbox LIMIT 1")) != nil })
            try await postgres.withTransaction(logger: logger) { connection in
                for number in 1...10 { try await Outbox.enqueue(Note(number: number), on: connection, logger: logger) }
            }
            try await check(postgres, seen)
            try await postgres.query("DROP SCHEMA \(unescaped: schema) CASCADE", logger: logger)
        }
        await receiverGroup.triggerGracefulShutdown()
        try await receiving
    }

    private func rows(_ postgres: PostgresClient, _ condition: String) async throws -> Int {
        let rows = try await postgres.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM outbox WHERE \(condition)"), logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }
}
