import Auth
import Contracts
import HTTPTypes
import HummingbirdTesting
import ServiceKit
import Testing
import TestSupport

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
            let paths = Set(document["paths"]?.objectValue?.keys.map { $0 } ?? [])
            for path in ["/api/v1/auth/register", "/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/logout", "/api/v1/auth/me", "/.well-known/jwks.json"] {
                #expect(paths.contains(path), "\(path)")
            }
            var references: [String] = []
            func collect(_ value: JSONValue) {
                switch value {
                case .object(let object):
                    if case .string(let target)? = object["$ref"] { references.append(target) }
                    object.values.forEach(collect)
                case .array(let array): array.forEach(collect)
                default: break
                }
            }
            collect(document)
            #expect(!references.isEmpty)
            for reference in Set(references) {
                let keys = reference.dropFirst(2).split(separator: "/").map(String.init)
                let target = keys.reduce(Optional(document)) { $0?[$1] }
                #expect(target != nil, "\(reference) does not resolve")
            }
        }
    }
}
