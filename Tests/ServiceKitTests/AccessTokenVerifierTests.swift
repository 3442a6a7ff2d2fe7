import Foundation
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
}
