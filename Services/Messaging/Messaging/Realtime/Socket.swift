import Contracts
import Foundation
import NIOConcurrencyHelpers

/// One open WebSocket's way out: a bounded queue of frames that one writer drains. A client that cannot keep up
/// fills its queue and is let go (`onOverflow`, once) rather than holding up the senders, who only ever enqueue.
/// While the socket catches up on what it missed, live frames wait (`hold`), so that it gets everything in order.
/// The socket lives no longer than the session of the token that opened it (`tokenID`, `expiresAt`): ``end(with:reason:)``.
final class Socket: Sendable {
    let id = UUID.random()
    let user: UUID
    let tokenID: String
    let expiresAt: Date
    let frames: AsyncStream<String>
    private let continuation: AsyncStream<String>.Continuation
    private let limit: Int
    private let onOverflow: @Sendable () -> Void
    private let state = NIOLockedValueBox(State())

    private struct State {
        /// Live frames that arrived during catch-up, with the message each carries.
        var held: [(message: UUID?, text: String)]?
        var overflowed = false
        var endReason: String?
    }

    init(user: UUID, tokenID: String, expiresAt: Date, limit: Int, onOverflow: @escaping @Sendable () -> Void) {
        self.user = user
        self.tokenID = tokenID
        self.expiresAt = expiresAt
        self.limit = limit
        self.onOverflow = onOverflow
        (frames, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingOldest(limit))
    }

    /// Queues a live frame, or holds it during catch-up.
    func send(_ text: String, message: UUID? = nil) {
        let queued = state.withLockedValue { state in
            guard state.held != nil else { return false }
            state.held!.append((message, text))
            return true
        }
        if queued { checkHeldSize() } else { enqueue(text) }
    }

    /// Holds live frames until ``release(skipping:)``.
    func hold() {
        state.withLockedValue { $0.held = [] }
    }

    /// Queues a frame ahead of the held ones (catch-up's own).
    func enqueue(_ text: String) {
        if case .dropped = continuation.yield(text) { overflow() }
    }

    /// Ends catch-up: queues the held frames, but those of messages catch-up already sent.
    func release(skipping sent: Set<UUID>) {
        let held = state.withLockedValue { state in
            defer { state.held = nil }
            return state.held ?? []
        }
        for (message, text) in held where message.map({ !sent.contains($0) }) ?? true {
            enqueue(text)
        }
    }

    func finish() {
        continuation.finish()
    }

    /// Ends the socket from the server's side: `frame` (an error frame saying why) is the last one queued, and
    /// once the writer has sent what was queued before it, the socket is closed with `reason`.
    func end(with frame: String, reason: String) {
        let first = state.withLockedValue { state in
            guard state.endReason == nil, !state.overflowed else { return false }
            state.endReason = reason
            state.held = nil
            return true
        }
        guard first else { return }
        continuation.yield(frame)
        continuation.finish()
    }

    /// Why the server ended the socket, if it did.
    var endReason: String? {
        state.withLockedValue { $0.endReason }
    }

    private func checkHeldSize() {
        if state.withLockedValue({ ($0.held?.count ?? 0) > limit }) { overflow() }
    }

    private func overflow() {
        let first = state.withLockedValue { state in
            defer { state.overflowed = true }
            return !state.overflowed
        }
        guard first else { return }
        continuation.finish()
        onOverflow()
    }
}
