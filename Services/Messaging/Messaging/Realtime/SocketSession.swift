import Contracts
import Foundation
import HTTPTypes
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import ServiceKit

/// One client's socket from upgrade to close: presence in, catch-up on what it missed since `since`, then the
/// frames it sends, one at a time and in order, while a writer drains what others send it.
struct SocketSession {
    let messaging: MessagingService
    let caller: Identity
    let claims: AccessClaims
    let since: UUID?
    let logger: Logger

    /// Bytes in one frame from the client at most: a message at its longest, with room for its JSON.
    static let maximumFrameSize = 1 << 16

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, channel: any Channel) async {
        let logger = logger
        let socket = Socket(user: caller.userID, tokenID: claims.tokenID, expiresAt: claims.expiresAt, limit: messaging.limits.socketQueue) {
            logger.info("Socket let go: it did not keep up", metadata: ["userId": "\(caller.userID.lowercasedString)"])
            Task {
                try? await withTimeout(.seconds(1)) { try await outbound.close(.policyViolation, reason: "too slow: reconnect to catch up") }
                channel.close(promise: nil)
            }
        }
        if since != nil { socket.hold() }
        await messaging.hub.attach(socket)
        if await messaging.presence.connected(caller.userID, socket: socket.id, at: messaging.clock.now()) {
            await announce(online: true)
        }
        await withDiscardingTaskGroup { group in
            group.addTask {
                for await text in socket.frames {
                    do { try await outbound.write(.text(text)) } catch { break }
                }
                if let reason = socket.endReason {
                    try? await withTimeout(.seconds(1)) { try await outbound.close(.policyViolation, reason: reason) }
                    channel.close(promise: nil)
                }
            }
            if let since { await catchUp(since: since, on: socket) }
            await readFrames(from: inbound, answeringOn: socket)
            socket.finish()
        }
        messaging.hub.detach(socket)
        if await messaging.presence.disconnected(caller.userID, socket: socket.id, at: messaging.clock.now()) {
            await announce(online: false)
        }
    }

    /// Tells everyone the caller has a conversation with that the caller came or went.
    private func announce(online: Bool) async {
        let counterparts: [UUID]
        do {
            let conversations = try await messaging.conversations.parties(ofMember: caller.userID)
            counterparts = Array(Set(conversations.flatMap { $0.others(than: caller.userID) }))
        } catch {
            logger.warning("Cannot announce presence", metadata: ["userId": "\(caller.userID.lowercasedString)", "error": "\(error)"])
            return
        }
        guard !counterparts.isEmpty else { return }
        await messaging.hub.deliver(.presence(caller.userID, online: online, lastSeenAt: online ? nil : messaging.clock.now()), to: counterparts)
    }

    /// Sends what was stored since the client's last message, then what arrived meanwhile, without repeats.
    private func catchUp(since: UUID, on socket: Socket) async {
        var sent: Set<UUID> = []
        do {
            if let missed = try await messaging.messages.missed(by: caller.userID, since: since, limit: messaging.limits.catchUp + 1) {
                for message in missed.prefix(messaging.limits.catchUp) {
                    socket.enqueue(ServerFrame.message(message).text)
                    sent.insert(message.id)
                }
                if missed.count > messaging.limits.catchUp {
                    socket.enqueue(
                        ServerFrame.error("catch_up_incomplete", "More was missed than a socket catches up on; page each conversation's history.").text)
                }
            } else {
                socket.enqueue(ServerFrame.error("invalid", "since: must be the id of a message of yours").text)
            }
        } catch {
            logger.warning("Catch-up failed", metadata: ["error": "\(error)"])
            socket.enqueue(ServerFrame.error("unavailable", "Could not catch up; page the history.").text)
        }
        socket.release(skipping: sent)
    }

    private func readFrames(from inbound: WebSocketInboundStream, answeringOn socket: Socket) async {
        var budget = FrameBudget(perMinute: messaging.limits.framesPerMinute, burst: messaging.limits.frameBurst)
        do {
            for try await message in inbound.messages(maxSize: Self.maximumFrameSize) {
                guard budget.take(at: messaging.clock.now()) else {
                    let detail =
                        "More than \(messaging.limits.framesPerMinute) frames a minute (bursts of \(messaging.limits.frameBurst)): reconnect and send slower."
                    socket.end(with: ServerFrame.error("rate_limited", detail).text, reason: "rate limited")
                    break
                }
                guard case .text(let text) = message, let frame = try? JSONDecoder.mayaGo.decode(ClientFrame.self, from: Data(text.utf8)) else {
                    socket.send(ServerFrame.error("bad_frame", "Frames are JSON text with a type: send, typing, read or ping.").text)
                    continue
                }
                do {
                    try await handle(frame, on: socket)
                } catch {
                    socket.send(Self.errorFrame(error, for: frame).text)
                }
            }
        } catch {
            logger.debug("Socket closed", metadata: ["error": "\(error)"])
        }
    }

    private func handle(_ frame: ClientFrame, on socket: Socket) async throws {
        func conversation() async throws -> ConversationParties {
            guard let id = frame.conversationId else { throw Problem.invalid("conversationId", "is required") }
            return try await messaging.parties(id, for: caller)
        }
        switch frame.type {
        case .send:
            let sent = try await messaging.send(
                to: try await conversation(), body: frame.body, attachments: frame.attachmentIds, clientMessageID: frame.clientMessageId,
                by: caller, from: socket.id
            )
            socket.send(ServerFrame.sent(sent.message).text)
        case .typing:
            let conversation = try await conversation()
            if await messaging.presence.typing(caller.userID, in: conversation.id) {
                let until = messaging.clock.now().addingTimeInterval(messaging.presence.typingLifetime.milliseconds / 1000)
                await messaging.hub.deliver(.typing(caller.userID, in: conversation.id, until: until), to: conversation.others(than: caller.userID))
            }
        case .read:
            let conversation = try await conversation()
            guard let message = frame.upToMessageId else { throw Problem.invalid("upToMessageId", "is required") }
            try await messaging.markRead(conversation, upTo: message, by: caller)
            socket.send(ServerFrame.acknowledged(.read, conversation: conversation.id).text)
        case .ping:
            socket.send(ServerFrame.acknowledged(.ping).text)
        }
    }

    /// The error frame for a frame that failed: a problem's status as a code, its fields in the detail.
    private static func errorFrame(_ error: any Error, for frame: ClientFrame) -> ServerFrame {
        guard let problem = (error as? Problem) ?? (error as? any ProblemConvertible)?.problem else {
            return .error("unavailable", "Could not do this now; try again.", conversation: frame.conversationId, clientMessageId: frame.clientMessageId)
        }
        let code =
            switch problem.status.code {
            case 404: "not_found"
            case 400, 422: "invalid"
            case 403: "forbidden"
            case 409: "conflict"
            default: "unavailable"
            }
        let fields = (problem.errors ?? []).map { "\($0.field): \($0.message)" }
        let detail = ([problem.detail].compactMap { $0 } + fields).joined(separator: "; ")
        return .error(code, detail, conversation: frame.conversationId, clientMessageId: frame.clientMessageId)
    }
}
