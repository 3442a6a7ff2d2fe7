import Contracts
import Foundation
import NIOWebSocket
import Redis
import ServiceKit
import TestSupport
import Testing
import WSCore

@testable import Messaging

/// A socket lives no longer than the session that opened it, and cannot be used to flood.
@Suite struct SessionTests {
    /// Rounds of 200 ms that read the revocation stream, and no full check while a test runs.
    static let quickChecks = ["MESSAGING_SESSION_CHECK_MS": "200", "MESSAGING_SESSION_FULL_CHECK_MS": "3600000"]

    /// A token of `user`'s with a known `jti`.
    static func session(of user: TestTokens.User, expiresIn lifetime: TimeInterval = 900) async throws -> (user: TestTokens.User, jti: String) {
        let jti = UUID().uuidString
        return (TestTokens.User(id: user.id, token: try await MessagingHarness.tokens.token(for: user.id, id: jti, expiresIn: lifetime)), jti)
    }

    /// Sign-out (or any revocation: a reused refresh token, a password reset, a role change) puts the token's `jti`
    /// on the deny-list; the socket it opened is told and closed within a round, the user's other sessions stay.
    @Test func aRevokedTokensSocketIsClosed() async throws {
        try await MessagingHarness.run(Self.quickChecks) { harness in
            let (traveler, _, _) = try await harness.pair()
            let (revoked, jti) = try await Self.session(of: traveler)
            let doomed = try await harness.connect(revoked, instance: 0)
            let other = try await harness.connect(traveler, instance: 0)

            // As Auth publishes it: the deny-list's key, then the stream's entry, which the next round reads.
            let redis = try TestEnvironment.redis()
            try await redis.send("SET", RedisArgument(RevokedTokens.key(jti: jti)), "1", "EX", "60")
            try await redis.send("XADD", RedisArgument(RevokedTokens.stream), "*", "jti", RedisArgument(jti))
            let told = try await doomed.wait(timeout: .seconds(5)) { $0.type == "error" && $0.code == "session_revoked" }
            #expect(told.count == 1)
            #expect(await eventually(timeout: .seconds(30)) { doomed.isClosed })
            #expect(doomed.closeFrame?.closeCode == .policyViolation)

            try await other.send(["type": "ping"])
            try await other.wait(for: 2) { $0.of == "ping" }
            #expect(!other.isClosed)
            await other.close()
        }
    }

    /// A revocation the stream lost (trimmed, or Redis started afresh) is found by the next full check.
    @Test func aRevocationOnlyOnTheDenyListIsFoundByAFullCheck() async throws {
        try await MessagingHarness.run(["MESSAGING_SESSION_CHECK_MS": "200", "MESSAGING_SESSION_FULL_CHECK_MS": "1000"]) { harness in
            let (traveler, _, _) = try await harness.pair()
            let (revoked, jti) = try await Self.session(of: traveler)
            let doomed = try await harness.connect(revoked, instance: 0)
            try await TestEnvironment.redis().send("SET", RedisArgument(RevokedTokens.key(jti: jti)), "1", "EX", "60")
            try await doomed.wait(timeout: .seconds(10)) { $0.type == "error" && $0.code == "session_revoked" }
            #expect(await eventually(timeout: .seconds(30)) { doomed.isClosed })
        }
    }

    @Test func aSocketClosesWhenItsTokenExpires() async throws {
        try await MessagingHarness.run(Self.quickChecks) { harness in
            let (traveler, _, _) = try await harness.pair()
            let (shortLived, _) = try await Self.session(of: traveler, expiresIn: 5)
            // Not `harness.connect`, which waits for a ping's answer: on a loaded machine the token may be gone first.
            let socket = try await TestSocket.connect(url: "ws://127.0.0.1:\(harness.ports[0])/api/v1/messaging/ws", token: shortLived.token)
            try await socket.wait(timeout: .seconds(30)) { $0.type == "error" && $0.code == "token_expired" }
            #expect(await eventually(timeout: .seconds(30)) { socket.isClosed })
        }
    }

    @Test func aFloodingSocketIsToldAndClosed() async throws {
        // Two a minute: no frame comes back to the budget while the test runs, however slow the machine.
        try await MessagingHarness.run(["MESSAGING_SOCKET_FRAMES_PER_MINUTE": "2", "MESSAGING_SOCKET_FRAME_BURST": "5"]) { harness in
            let (traveler, _, _) = try await harness.pair()
            let socket = try await harness.connect(traveler)
            for _ in 0..<10 { try? await socket.send(["type": "ping"]) }
            let refused = try await socket.wait { $0.type == "error" && $0.code == "rate_limited" }
            #expect(refused.first?.detail?.contains("2 frames a minute") == true)
            #expect(await eventually(timeout: .seconds(30)) { socket.isClosed })
            // Within its budget a socket is never stopped: the connect's ping and four more were answered.
            #expect(socket.frames.filter { $0.of == "ping" }.count == 5)
        }
    }
}

@Suite struct FrameBudgetTests {
    @Test func aBurstThenTheRefillRate() {
        var budget = FrameBudget(perMinute: 60, burst: 3)
        let start = Date(timeIntervalSince1970: 0)
        #expect((0..<4).map { _ in budget.take(at: start) } == [true, true, true, false])
        #expect(budget.take(at: start.addingTimeInterval(0.5)) == false)
        #expect(budget.take(at: start.addingTimeInterval(1.0)) == true)
        #expect(budget.take(at: start.addingTimeInterval(100)) == true)
        #expect(budget.take(at: start.addingTimeInterval(100)) == true)
        #expect(budget.take(at: start.addingTimeInterval(100)) == true)
        #expect(budget.take(at: start.addingTimeInterval(100)) == false)
    }
}
