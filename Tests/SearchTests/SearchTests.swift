import Contracts
import ServiceKit
import TestSupport
import Testing

@testable import Search

@Suite struct SearchServiceTests {
    @Test func answersHealthReadyAndMetrics() async throws {
        let readiness = try await ServiceProbes.checkHealthReadyAndMetrics(.search, build: { try await buildApplication(configuration: $0) })
        #expect(readiness == Readiness(status: .ok, checks: ["postgres": "ok", "search index": "ok", "redis": "ok", "signing keys": "ok"]))
    }

    @Test func isNotReadyWhileItsDatabaseIsUnreachable() async throws {
        let readiness = try await ServiceProbes.checkNotReadyWithoutDatabase(.search, build: { try await buildApplication(configuration: $0) })
        #expect(readiness?.status == .unavailable)
        #expect(readiness?.checks["postgres"]?.hasPrefix("ok") == false)
    }
}

@Suite struct SearchDocumentTests {
    @Test func theOpenAPIDocumentNamesTheRoutesAndEveryReferenceResolves() async throws {
        try await SearchHarness.run { search in
            let document = try await search.get("/openapi.json").decode(JSONValue.self)
            #expect(
                OpenAPIDocument.paths(of: document).isSuperset(of: [
                    "/api/v1/search", "/api/v1/search/suggest", "/api/v1/recommendations", "/api/v1/recommendations/similar/{experienceId}",
                ]))
            #expect(OpenAPIDocument.unresolvedReferences(in: document) == [])
            #expect(OpenAPIDocument.optionalFieldsRefusingNull(in: document) == [])
        }
    }
}
