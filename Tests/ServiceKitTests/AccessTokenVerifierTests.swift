import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JWTKit
import Logging
import NIOConcurrencyHelpers
import ServiceKit
import TestSupport
import Testing

@Suite struct AccessTokenVerifierTests {
    @Test func aBurstOfFirstRequestsWaitsForOneFetchOfTheKeys() async throws {
        let tokens = TestTokens()
        let fetches = NIOLockedValueBox(0)
        let verifier = AccessTokenVerifier(
            configuration: .init(issuer: tokens.issuer, audience: tokens.audience),
            keys: {
                fetches.withLockedValue { $0 += 1 }
                try await Task.sleep(for: .milliseconds(200))
                return JWKS(keys: [tokens.key.publicJWK])
            },
            logger: Logger(label: "verifier-test")
        )
        let token = try await tokens.token()
        let verified = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<20 {
                group.addTask { (try? await verifier.verify(token)) != nil }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(verified == Array(repeating: true, count: 20))
        #expect(fetches.withLockedValue { $0 } == 1)
    }

    /// A failed fetch of the keys is not a refusal of the token, and the token verifies once the keys are back.
    @Test func keysThatCannotBeFetchedLeaveTheTokenUndecided() async throws {
        let tokens = TestTokens()
        let authAnswers = NIOLockedValueBox(false)
        var configuration = AccessTokenVerifier.Configuration(issuer: tokens.issuer, audience: tokens.audience)
        configuration.minimumRefreshInterval = .zero
        let verifier = AccessTokenVerifier(
            configuration: configuration,
            keys: {
                guard authAnswers.withLockedValue({ $0 }) else { throw CancellationError() }
                return JWKS(keys: [tokens.key.publicJWK])
            },
            logger: Logger(label: "verifier-test")
        )
        let user = UUID()
        let token = try await tokens.token(for: user)
        await #expect(throws: AccessTokenVerifier.KeysUnavailable.self) { try await verifier.verify(token) }
        authAnswers.withLockedValue { $0 = true }
        #expect(try await verifier.verify(token).identity?.userID == user)
    }

    /// Each service's own check answers 503 with Retry-After while Auth's keys are out of reach, and the service is
    /// not ready until it has them.
    @Test func aServiceAnswers503AndIsNotReadyWhileAuthsKeysAreOutOfReach() async throws {
        let tokens = TestTokens()
        let authPort = try TestEnvironment.freePort()
        let runtime = try await ServiceRuntime<NoStores>(
            configuration: try TestEnvironment.configuration(.booking, ["AUTH_URL": "http://127.0.0.1:\(authPort)"]))
        let authenticator = runtime.tokenAuthenticator()
        let router = runtime.makeRouter(readiness: [authenticator.readiness])
        router.add(middleware: AuthenticationMiddleware(authenticator: authenticator))
        router.get("mine") { _, context -> Response in
            _ = try context.requireIdentity()
            return Response(status: .noContent)
        }
        let token = try await tokens.token()
        try await runtime.makeApplication(router: router).test(.router) { client in
            try await client.execute(uri: "/mine", method: .get, headers: [.authorization: "Bearer \(token)"]) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "5")
            }
            let notReady = try await client.execute(uri: "/ready", method: .get).decode(Readiness.self)
            #expect(notReady.status == .unavailable)
            #expect(notReady.checks["signing keys"] != nil && notReady.checks["signing keys"] != "ok")
            // Auth comes up: the next fetch (at most one per five seconds) makes the service ready.
            let auth = Router()
            tokens.publish(on: auth)
            try await withStandIn(auth, port: authPort) {
                #expect(try await eventually(timeout: .seconds(15)) { try await client.execute(uri: "/ready", method: .get).status == .ok })
                try await client.execute(uri: "/mine", method: .get, headers: [.authorization: "Bearer \(token)"]) { response in
                    #expect(response.status == .noContent)
                }
            }
        }
    }
}
