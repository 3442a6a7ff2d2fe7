import Contracts
import HTTPTypes
import HummingbirdTesting
import Payment
import ServiceKit
import TestSupport
import Testing

@Suite struct PaymentServiceTests {
    @Test func answersHealthReadyAndMetrics() async throws {
        let readiness = try await ServiceProbes.checkHealthReadyAndMetrics(.payment) { try await buildApplication(configuration: $0) }
        #expect(readiness == Readiness(status: .ok, checks: ["postgres": "ok", "signing keys": "ok"]))
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
            #expect(OpenAPIDocument.optionalFieldsRefusingNull(in: document) == [])
        }
    }
}

@Suite struct PaymentProductionSettingsTests {
    static let production = ["MAYAGO_ENV": "production", "SERVICE_SECRET": String(repeating: "q7", count: 24)]

    /// The local provider takes test cards as money: production must not start with it, chosen or by default.
    @Test(arguments: [
        ([:], "PAYMENT_PROVIDER"),
        (["PAYMENT_PROVIDER": "local"], "PAYMENT_PROVIDER"),
        (["PAYMENT_PROVIDER": "stripe", "STRIPE_API_KEY": "sk_live_x"], "STRIPE_WEBHOOK_SECRET"),
        (["PAYMENT_PROVIDER": "stripe", "STRIPE_WEBHOOK_SECRET": "whsec_x"], "STRIPE_API_KEY"),
        // The web app takes cards with Stripe.js, which needs the publishable key; a secret key there would be given to browsers.
        (["PAYMENT_PROVIDER": "stripe", "STRIPE_API_KEY": "sk_live_x", "STRIPE_WEBHOOK_SECRET": "whsec_x"], "STRIPE_PUBLISHABLE_KEY"),
        (
            ["PAYMENT_PROVIDER": "stripe", "STRIPE_API_KEY": "sk_live_x", "STRIPE_WEBHOOK_SECRET": "whsec_x", "STRIPE_PUBLISHABLE_KEY": "sk_live_x"],
            "STRIPE_PUBLISHABLE_KEY"
        ),
    ])
    func productionRefusesToStartWithoutARealProvider(variables: [String: String], refused: String) async throws {
        let configuration = try TestEnvironment.configuration(.payment, Self.production.merging(variables) { $1 })
        await #expect {
            _ = try await buildApplication(configuration: configuration)
        } throws: { error in
            (error as? ConfigurationError)?.variable == refused
        }
    }

    @Test func productionStartsWithStripeAndItsSecrets() async throws {
        let variables = [
            "PAYMENT_PROVIDER": "stripe", "STRIPE_API_KEY": "sk_live_x", "STRIPE_WEBHOOK_SECRET": "whsec_x", "STRIPE_PUBLISHABLE_KEY": "pk_live_x",
        ]
        let configuration = try TestEnvironment.configuration(.payment, Self.production.merging(variables) { $1 })
        _ = try await buildApplication(configuration: configuration)
    }
}
