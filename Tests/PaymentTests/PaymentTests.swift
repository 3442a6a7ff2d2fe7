import Contracts
import HTTPTypes
import HummingbirdTesting
import Payment
import ServiceKit
import Testing
import TestSupport

@Suite struct PaymentServiceTests {
    @Test func answersHealthReadyAndMetrics() async throws {
        let readiness = try await ServiceProbes.checkHealthReadyAndMetrics(.payment) { try await buildApplication(configuration: $0) }
        #expect(readiness == Readiness(status: .ok, checks: ["postgres": "ok"]))
    }

    @Test func isNotReadyWhileItsDatabaseIsUnreachable() async throws {
        let readiness = try await ServiceProbes.checkNotReadyWithoutDatabase(.payment) { try await buildApplication(configuration: $0) }
        #expect(readiness?.status == .unavailable)
        #expect(readiness?.checks["postgres"]?.hasPrefix("ok") == false)
    }
}

@Suite struct PaymentDocumentTests {
    @Test func theOpenAPIDocumentNamesTheRoutesAndEveryReferenceResolves() async throws {
        try await PaymentHarness.run { payments in
            let document = try await payments.send(.get, "/openapi.json").decode(JSONValue.self)
            #expect(OpenAPIDocument.paths(of: document).isSuperset(of: ["/api/v1/payments/{id}", "/api/v1/payments/{id}/confirm", "/api/v1/payouts/balance"]))
            #expect(OpenAPIDocument.unresolvedReferences(in: document) == [])
        }
    }
}
