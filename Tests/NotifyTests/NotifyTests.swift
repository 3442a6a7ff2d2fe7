import Contracts
import HTTPTypes
@testable import Notify
import ServiceKit
import Testing
import TestSupport

@Suite struct NotifyServiceTests {
    @Test func answersHealthReadyAndMetrics() async throws {
        let readiness = try await ServiceProbes.checkHealthReadyAndMetrics(.notify, build: { try await buildApplication(configuration: $0) })
        #expect(readiness == Readiness(status: .ok, checks: ["postgres": "ok"]))
    }

    @Test func isNotReadyWhileItsDatabaseIsUnreachable() async throws {
        let readiness = try await ServiceProbes.checkNotReadyWithoutDatabase(.notify, build: { try await buildApplication(configuration: $0) })
        #expect(readiness?.status == .unavailable)
        #expect(readiness?.checks["postgres"]?.hasPrefix("ok") == false)
    }
}

@Suite struct NotifyDocumentTests {
    @Test func theOpenAPIDocumentNamesTheRoutesAndEveryReferenceResolves() async throws {
        try await NotifyHarness.run { notify in
            let document = try await notify.send(.get, "/openapi.json").decode(JSONValue.self)
            #expect(OpenAPIDocument.paths(of: document).isSuperset(of: [
                "/api/v1/notifications", "/api/v1/notifications/{id}/read", "/api/v1/notifications/preferences", "/api/v1/notifications/devices",
                "/api/v1/dev/mailbox",
            ]))
            #expect(OpenAPIDocument.unresolvedReferences(in: document) == [])
        }
    }
}
