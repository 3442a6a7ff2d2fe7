import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresNIO
import Redis
import TestSupport
import Testing

@testable import Auth

@Suite struct AccountTests {
    @Test func registrationAnswersTheContractAndMeShowsTheUser() async throws {
        try await AuthHarness.run { auth in
            let email = AuthHarness.uniqueEmail()
            let session = try await auth.register(email: "  \(email.uppercased()) ", name: "Ana Pérez", role: .provider)
            #expect(session.user.email == email)
            #expect(session.user.role == .provider)
            #expect(session.user.emailVerified == false)
            #expect(session.tokenType == "Bearer")
            #expect(session.expiresIn == 900)

            let me = try await auth.send(.get, "/api/v1/auth/me", token: session.accessToken)
            #expect(me.status == .ok)
            #expect(try me.decode(Session.User.self) == session.user)

            // The password is stored as a bcrypt hash, and the refresh token only as its hash.
            let rows = try await auth.postgres.query("SELECT password_hash FROM users WHERE id = \(session.user.id)")
            for try await hash in rows.decode(String.self) { #expect(hash.hasPrefix("$2b$04$")) }
            let stored = try await auth.postgres.query("SELECT count(*) FROM refresh_tokens WHERE token_hash = \(session.refreshToken)")
            for try await count in stored.decode(Int.self) { #expect(count == 0) }
        }
    }

    /// Registration does not tell whether an address has an account: a taken address gets the same answer as a free
    /// one, the account is untouched, and its owner (not the asker) is told by mail, once a day at most.
    @Test func aTakenEmailGetsTheSameAnswerAndItsOwnerIsTold() async throws {
        try await AuthHarness.run { auth in
            let email = AuthHarness.uniqueEmail()
            let owner = try await auth.register(email: email)
            let fresh = try await auth.send(
                .post, "/api/v1/auth/register", ["email": AuthHarness.uniqueEmail(), "password": AuthHarness.password, "name": "B", "role": "traveler"])
            for _ in 0..<2 {
                let again = try await auth.send(
                    .post, "/api/v1/auth/register", ["email": email.uppercased(), "password": "another passphrase of theirs", "name": "B", "role": "traveler"])
                #expect(again.status == fresh.status)
                #expect(again.text == fresh.text)
            }
            #expect(fresh.status == .accepted)
            #expect(try await auth.login(email).status == .ok)
            #expect(try await auth.login(email, password: "another passphrase of theirs").status == .unauthorized)
            // Both attempts ask Notify under one idempotency key for the day: one mail.
            let told = await eventually { await auth.mailbox.count(.registrationAttempt, for: owner.user.id) == 2 }
            #expect(told)
            #expect(Set(await auth.mailbox.all(.registrationAttempt, for: owner.user.id).map(\.idempotencyKey)).count == 1)
        }
    }

    @Test func badRegistrationsNameEveryFieldAndStoreNothing() async throws {
        try await AuthHarness.run { auth in
            let email = AuthHarness.uniqueEmail()
            // 400 for what breaks the document, 422 for well-formed fields a rule refuses.
            let cases: [([String: any Sendable], [String], HTTPResponse.Status)] = [
                (["email": "not-an-email", "password": "short", "name": "", "role": "traveler"], ["email", "name", "password"], .badRequest),
                (["email": email, "password": "password123", "name": "Ana", "role": "traveler"], ["password"], .unprocessableContent),
                (
                    ["email": email, "password": "\u{1F600}" + String(repeating: "\u{1F601}", count: 18), "name": "Ana", "role": "traveler"], ["password"],
                    .unprocessableContent
                ),
                (["email": email, "password": AuthHarness.password, "name": "Ana", "role": "admin"], ["role"], .unprocessableContent),
                (["email": email, "password": AuthHarness.password, "name": "Ana", "role": "service"], ["role"], .badRequest),
                (["email": email, "password": AuthHarness.password, "name": "Ana", "role": "pilot"], ["role"], .badRequest),
                (["email": email, "password": AuthHarness.password, "name": "Ana"], ["role"], .badRequest),
            ]
            for (body, fields, status) in cases {
                let response = try await auth.send(.post, "/api/v1/auth/register", body)
                #expect(response.status == status, "\(body)")
                #expect(response.headers[.contentType] == ProblemDetails.mediaType)
                #expect(Set(response.problem?.errors?.map(\.field) ?? []) == Set(fields), "\(response.text)")
            }
            let rows = try await auth.postgres.query("SELECT count(*) FROM users WHERE email = \(email)")
            for try await count in rows.decode(Int.self) { #expect(count == 0) }
        }
    }

    @Test func anAdminCanCreateAnAdminAndAProviderCannot() async throws {
        try await AuthHarness.run { auth in
            let admin = try await auth.admin()
            let body: [String: any Sendable] = ["email": AuthHarness.uniqueEmail(), "password": AuthHarness.password, "name": "Second Admin", "role": "admin"]
            let created = try await auth.send(.post, "/api/v1/auth/register", body, token: admin.accessToken)
            #expect(created.status == .accepted)
            #expect(try await auth.login(body["email"] as! String).decode(Session.self).user.role == .admin)

            let provider = try await auth.register(role: .provider)
            var attempt = body
            attempt["email"] = AuthHarness.uniqueEmail()
            let refused = try await auth.send(.post, "/api/v1/auth/register", attempt, token: provider.accessToken)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.problem?.errors?.first?.field == "role")
        }
    }

    @Test func wrongCredentialsGetOneAnswerWhetherTheEmailExistsOrNot() async throws {
        try await AuthHarness.run { auth in
            let session = try await auth.register()
            let wrongPassword = try await auth.login(session.user.email, password: "not the password at all")
            let unknownEmail = try await auth.login(AuthHarness.uniqueEmail("nobody"))
            #expect(wrongPassword.status == .unauthorized)
            #expect(unknownEmail.status == .unauthorized)
            #expect(wrongPassword.problem?.detail == unknownEmail.problem?.detail)
            #expect(wrongPassword.problem?.code == unknownEmail.problem?.code)

            let right = try await auth.login(session.user.email.uppercased())
            #expect(right.status == .ok)
            #expect(try right.decode(Session.self).user.id == session.user.id)
        }
    }

    @Test func refreshRotatesAndReuseEndsTheWholeFamily() async throws {
        try await AuthHarness.run { auth in
            let first = try await auth.register()
            let refreshed = try await auth.send(.post, "/api/v1/auth/refresh", ["refreshToken": first.refreshToken])
            #expect(refreshed.status == .ok)
            let second = try refreshed.decode(Session.self)
            #expect(second.refreshToken != first.refreshToken)
            #expect(second.accessToken != first.accessToken)

            // The first token is spent: presenting it again is reuse, which ends every session of that sign-in.
            let reuse = try await auth.send(.post, "/api/v1/auth/refresh", ["refreshToken": first.refreshToken])
            #expect(reuse.status == .unauthorized)
            #expect(reuse.problem?.code == "refresh_token_reused")
            let descendant = try await auth.send(.post, "/api/v1/auth/refresh", ["refreshToken": second.refreshToken])
            #expect(descendant.status == .unauthorized)
            // The family's live access token is on the deny-list.
            let revoked = try await eventually {
                try await auth.send(.get, "/api/v1/auth/me", token: second.accessToken).status == .unauthorized
            }
            #expect(revoked)

            // Another sign-in of the same user is another family, untouched.
            let other = try await auth.login(first.user.email)
            #expect(try await auth.send(.get, "/api/v1/auth/me", token: try other.decode(Session.self).accessToken).status == .ok)

            let audit = try await auth.postgres.query("SELECT count(*) FROM audit_events WHERE user_id = \(first.user.id) AND type = 'refresh_token_reused'")
            for try await count in audit.decode(Int.self) { #expect(count == 1) }
        }
    }

    @Test func anExpiredRefreshTokenIsRefused() async throws {
        try await AuthHarness.run { auth in
            let session = try await auth.register()
            auth.clock.advance(by: 8 * 86_400)
            let response = try await auth.send(.post, "/api/v1/auth/refresh", ["refreshToken": session.refreshToken])
            #expect(response.status == .unauthorized)
            #expect(response.problem?.code == "refresh_token_expired")
            let garbage = try await auth.send(.post, "/api/v1/auth/refresh", ["refreshToken": 42])
            #expect(garbage.status == .badRequest)
            #expect(garbage.problem?.errors?.first?.field == "refreshToken")
        }
    }

    @Test func logoutRevokesTheAccessTokenAndTheSession() async throws {
        try await AuthHarness.run { auth in
            let session = try await auth.register()
            let logout = try await auth.send(.post, "/api/v1/auth/logout", token: session.accessToken)
            #expect(logout.status == .noContent)
            let me = try await auth.send(.get, "/api/v1/auth/me", token: session.accessToken)
            #expect(me.status == .unauthorized)
            #expect(me.headers[.wwwAuthenticate] == "Bearer")
            #expect(me.problem?.detail == "The token has been revoked.")
            let refresh = try await auth.send(.post, "/api/v1/auth/refresh", ["refreshToken": session.refreshToken])
            #expect(refresh.status == .unauthorized)

            // Published for the other services: the deny-list's key, then an entry of the stream Messaging follows.
            var revoked: [String] = []
            for try await jti in try await auth.postgres.query("SELECT jti FROM revoked_access_tokens").decode(String.self) { revoked.append(jti) }
            let jti = try #require(revoked.count == 1 ? revoked.first : nil)
            let redis = try TestEnvironment.redis()
            #expect(try await eventually { try await redis.send("EXISTS", RedisArgument(RevokedTokens.key(jti: jti))).int == 1 })
            let entries = try await redis.send("XRANGE", RedisArgument(RevokedTokens.stream), "-", "+").array ?? []
            #expect(entries.contains { $0.array?.last?.array == [.bulk(ByteBuffer(string: "jti")), .bulk(ByteBuffer(string: jti))] })

            let anonymous = try await auth.send(.post, "/api/v1/auth/logout")
            #expect(anonymous.status == .unauthorized)
        }
    }

    /// Redis restarted without persistence loses the deny-list: what is still in force is published again, so that a
    /// signed-out token does not become good again at the gateway.
    @Test func revocationsArePublishedAgainWhenRedisLosesThem() async throws {
        let server = try PrivateRedis()
        try await AuthHarness.run(["REDIS_URL": server.url]) { auth in
            let session = try await auth.register()
            #expect(try await auth.send(.post, "/api/v1/auth/logout", token: session.accessToken).status == .noContent)
            var revoked: [String] = []
            for try await jti in try await auth.postgres.query("SELECT jti FROM revoked_access_tokens").decode(String.self) { revoked.append(jti) }
            let key = RedisArgument(RevokedTokens.key(jti: try #require(revoked.first)))
            let redis = try TestEnvironment.redis(server.url)
            #expect(await eventually { (try? await redis.send("EXISTS", key))?.int == 1 })

            await server.stop()
            try server.start()
            #expect(await eventually { (try? await redis.send("PING")) == .status("PONG") })
            #expect(await eventually { (try? await redis.send("EXISTS", key))?.int == 1 })
            #expect(try await redis.send("EXISTS", RedisArgument(Revocations.marker)).int == 1)
        }
        await server.stop()
    }

    /// A Redis that may evict keys could drop the deny-list's: Auth is not ready while it may, and says why.
    @Test func authIsNotReadyWhileRedisMayEvictTheDenyList() async throws {
        let server = try PrivateRedis()
        try await AuthHarness.run(["REDIS_URL": server.url]) { auth in
            let redis = try TestEnvironment.redis(server.url)
            try await redis.send("CONFIG", "SET", "maxmemory-policy", "volatile-lru")
            let ready = try await auth.send(.get, "/ready")
            #expect(ready.status == .serviceUnavailable)
            #expect(ready.text.contains("maxmemory-policy is volatile-lru"), "\(ready.text)")
            try await redis.send("CONFIG", "SET", "maxmemory-policy", "noeviction")
            #expect(try await auth.send(.get, "/ready").status == .ok)
        }
        await server.stop()
    }

    @Test func changingThePasswordNeedsTheCurrentOneAndEndsOtherSessions() async throws {
        try await AuthHarness.run { auth in
            let session = try await auth.register()
            let elsewhere = try await auth.login(session.user.email).decode(Session.self)

            let noCurrent = try await auth.send(.patch, "/api/v1/auth/me", ["password": "a whole new passphrase"], token: session.accessToken)
            #expect(noCurrent.status == .badRequest)
            #expect(noCurrent.problem?.errors?.map(\.field) == ["currentPassword"])
            let wrongCurrent = try await auth.send(
                .patch, "/api/v1/auth/me", ["password": "a whole new passphrase", "currentPassword": "wrong one here"], token: session.accessToken
            )
            #expect(wrongCurrent.status == .unprocessableContent)

            let changed = try await auth.send(
                .patch, "/api/v1/auth/me",
                ["name": "Ana María", "password": "a whole new passphrase", "currentPassword": AuthHarness.password],
                token: session.accessToken
            )
            #expect(changed.status == .ok)
            #expect(try changed.decode(Session.User.self).name == "Ana María")
            #expect(try await auth.send(.get, "/api/v1/auth/me", token: session.accessToken).status == .ok)
            #expect(try await auth.send(.post, "/api/v1/auth/refresh", ["refreshToken": elsewhere.refreshToken]).status == .unauthorized)
            #expect(try await auth.login(session.user.email).status == .unauthorized)
            #expect(try await auth.login(session.user.email, password: "a whole new passphrase").status == .ok)
            #expect(await auth.mailbox.latest(.passwordChanged, for: session.user.id) != nil)
        }
    }

    @Test func repeatedFailuresLockTheAccountWithGrowingDelays() async throws {
        try await AuthHarness.run { auth in
            let session = try await auth.register()
            let email = session.user.email
            for _ in 0..<5 {
                #expect(try await auth.login(email, password: "wrong password!!").status == .unauthorized)
            }
            // Locked: even the right password gets 429, which says nothing about it.
            let locked = try await auth.login(email)
            #expect(locked.status == .tooManyRequests)
            // A minute, less the seconds slow bcrypts (under the whole suite) may have taken since the lock began.
            #expect((50...60).contains(Int(locked.headers[.retryAfter] ?? "") ?? 0))
            #expect(locked.problem?.code == "login_locked")

            auth.clock.advance(by: 61)
            #expect(try await auth.login(email).status == .ok)

            // Success reset the count; the next lockout lasts twice as long.
            for _ in 0..<4 { _ = try await auth.login(email, password: "wrong password!!") }
            #expect(try await auth.login(email).status == .ok)
            for _ in 0..<5 { _ = try await auth.login(email, password: "wrong password!!") }
            let again = try await auth.login(email)
            #expect(again.status == .tooManyRequests)
            #expect(again.headers[.retryAfter] == "120")
            auth.clock.advance(by: 121)
            #expect(try await auth.login(email).status == .ok)

            let audit = try await auth.postgres.query("SELECT count(*) FROM audit_events WHERE email = \(email) AND type = 'locked_out'")
            for try await count in audit.decode(Int.self) { #expect(count == 2) }
        }
    }

    /// Nobody can lock a chosen victim out: failures lock the account for the addresses they come from; when many
    /// addresses fail on one account it is locked for those addresses (and any that fails next), while its owner,
    /// signing in from an address that never failed, gets in.
    @Test func lockoutsStopTheGuessersNotTheOwner() async throws {
        try await AuthHarness.run(["LOGIN_ACCOUNT_MAX_FAILURES": "8"]) { auth in
            let victim = try await auth.register()
            let email = victim.user.email
            for _ in 0..<5 { _ = try await auth.login(email, password: "wrong password!!", from: "203.0.113.1") }
            #expect(try await auth.login(email, from: "203.0.113.1").status == .tooManyRequests)
            #expect(try await auth.login(email, from: "198.51.100.20").status == .ok)

            // A spread-out attack: three more addresses, one failure each, pass the account-wide limit.
            for n in 2...4 { _ = try await auth.login(email, password: "wrong password!!", from: "203.0.113.\(n)") }
            #expect(try await auth.login(email, from: "203.0.113.2").status == .tooManyRequests)
            #expect(try await auth.login(email, password: "wrong password!!", from: "203.0.113.9").status == .unauthorized)
            #expect(try await auth.login(email, from: "203.0.113.9").status == .tooManyRequests)
            #expect(try await auth.login(email, from: "198.51.100.20").status == .ok)
            #expect(try await auth.login(email, from: "198.51.100.21").status == .ok)
        }
    }

    @Test func oneAddressFailingOnManyAccountsIsLocked() async throws {
        try await AuthHarness.run(["LOGIN_IP_MAX_FAILURES": "3"]) { auth in
            let victim = try await auth.register()
            let address = "203.0.113.\(Int.random(in: 1...254))"
            for _ in 0..<3 {
                _ = try await auth.login(AuthHarness.uniqueEmail("guess"), from: address)
            }
            #expect(try await auth.login(victim.user.email, from: address).status == .tooManyRequests)
            #expect(try await auth.login(victim.user.email, from: "198.51.100.99").status == .ok)
        }
    }
}
