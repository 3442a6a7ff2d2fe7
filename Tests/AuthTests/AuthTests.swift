import Auth
import Contracts
import HTTPTypes
import HummingbirdTesting
import ServiceKit
import TestSupport
import Testing

@Suite struct AuthServiceTests {
    @Test func answersHealthReadyAndMetrics() async throws {
        let readiness = try await ServiceProbes.checkHealthReadyAndMetrics(.auth) { try await buildApplication(configuration: $0) }
        #expect(readiness == Readiness(status: .ok, checks: ["postgres": "ok", "redis": "ok"]))
    }

    @Test func isNotReadyWhileItsDatabaseIsUnreachable() async throws {
        let readiness = try await ServiceProbes.checkNotReadyWithoutDatabase(.auth) { try await buildApplication(configuration: $0) }
        #expect(readiness?.status == .unavailable)
        #expect(readiness?.checks["postgres"]?.hasPrefix("ok") == false)
    }
}

@Suite struct AuthDocumentTests {
    @Test func theOpenAPIDocumentNamesTheContractAndEveryReferenceResolves() async throws {
        try await AuthHarness.run { auth in
            let document = try await auth.send(.get, "/openapi.json").decode(JSONValue.self)
            let paths = OpenAPIDocument.paths(of: document)
            for path in [
                "/api/v1/auth/register", "/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/logout", "/api/v1/auth/me", "/.well-known/jwks.json",
            ] {
                #expect(paths.contains(path), "\(path)")
            }
            #expect(OpenAPIDocument.unresolvedReferences(in: document) == [])
            #expect(OpenAPIDocument.optionalFieldsRefusingNull(in: document) == [])
        }
    }
}
