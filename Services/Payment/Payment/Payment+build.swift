import Foundation
import Hummingbird
import Logging
import Mustache
import ServiceKit

/// Builds the Payment service: escrow payments on a double-entry ledger, charged through the local test-card
/// provider or Stripe. `clock` is the system's except in tests.
///
/// | variable | default |
/// |---|---|
/// | `COMMISSION_BASIS_POINTS` | `1500`: the platform's share, 15 % |
/// | `PAYOUT_INTERVAL_MS`, `PAYOUT_MINIMUM` | `3600000`, `10000`: hourly, balances of at least 100.00 (in minor units) |
/// | `PAYMENT_PROVIDER` | `local` (Stripe's test cards, nothing leaves the machine) or `stripe`; in production no default, and `local` is refused |
/// | `STRIPE_API_KEY`, `STRIPE_API_URL` | required with `stripe`; `https://api.stripe.com` |
/// | `PUBLIC_URL` | `http://localhost:8080`: where Stripe onboarding sends providers back |
/// | `PAYOUT_RATES` | none: `FROM/TO=rate` pairs (`MXN/USD=0.0550`) for providers paid in another currency |
/// | `INVOICE_NUMBERING_INTERVAL_MS` | `1000`: how soon a paid payment's invoice gets its number and the receipt goes out |
/// | `STRIPE_WEBHOOK_SECRET` | none: the `whsec_…` secret that signs Stripe's webhooks; without it the route is a 404 (required in production) |
public func buildApplication(configuration: ServiceConfiguration, clock: WallClock = .system) async throws -> some ApplicationProtocol {
    let settings = configuration.settings
    let runtime = try await ServiceRuntime(configuration: configuration, database: .init(migrations: PaymentMigrations.all), usesRedis: false)
    let postgres = runtime.postgres!
    let payments = Payments(postgres: postgres, logger: runtime.logger)
    let payment = PaymentService(
        postgres: postgres,
        logger: runtime.logger,
        clock: clock,
        commissionBasisPoints: try settings.int("commission.basis.points", default: 1500, in: 0...10_000),
        payments: payments,
        ledger: LedgerBook(postgres: postgres, logger: runtime.logger),
        payouts: Payouts(postgres: postgres, logger: runtime.logger),
        invoices: Invoices(postgres: postgres, logger: runtime.logger),
        terms: ProviderTerms(postgres: postgres, logger: runtime.logger),
        idempotency: runtime.idempotentRequests!,
        provider: try chargeProvider(settings, environment: configuration.environment, payments: payments, logger: runtime.logger),
        publicURL: try settings.url("public.url", default: "http://localhost:8080", schemes: ["http", "https"]),
        outbox: runtime.outbox!
    )
    let webhookSecret = settings.optionalString("stripe.webhook.secret", isSecret: true)
    let router = runtime.makeRouter(openAPI: try PaymentAPI.document(withWebhook: webhookSecret != nil))
    router.add(middleware: AuthenticationMiddleware(authenticator: runtime.tokenAuthenticator()))
    PaymentRoutes(payment: payment).addRoutes(to: router)
    PayoutRoutes(payment: payment).addRoutes(to: router)
    InvoiceRoutes(payment: payment, template: try MustacheTemplate(string: Bundle.module.resourceText("invoice", "mustache"))).addRoutes(to: router)
    WebhookRoutes(payment: payment, signature: webhookSecret.map { StripeSignature(secret: $0) })
        .addRoutes(to: router)
    InternalRoutes(payment: payment).addRoutes(to: runtime.internalRoutes(of: router))
    let payouts = PeriodicJob(
        PayoutJob(
            payment: payment,
            minimum: Int64(try settings.int("payout.minimum", default: 10_000, in: 1...Int(Int32.max))),
            rates: try payoutRates(settings)
        ),
        every: try settings.milliseconds("payout.interval.ms", default: .seconds(3600)),
        isMigrated: { runtime.isMigrated }
    )
    let numbering = PeriodicJob(
        InvoiceNumbering(payment: payment),
        every: try settings.milliseconds("invoice.numbering.interval.ms", default: .seconds(1)),
        isMigrated: { runtime.isMigrated }
    )
    return runtime.makeApplication(router: router, services: [payouts, numbering])
}

enum ProviderChoice: String, CaseIterable {
    case local, stripe
}

/// The charge provider `PAYMENT_PROVIDER` names. Production must name Stripe, with its key and webhook secret:
/// the local provider takes test cards as payment, so it would give bookings away.
func chargeProvider(_ settings: Settings, environment: DeploymentEnvironment, payments: Payments, logger: Logger) throws -> any ChargeProvider {
    let choice = try settings.choice("payment.provider", default: ProviderChoice.local)
    if environment == .production {
        guard choice == .stripe else {
            throw ConfigurationError(
                variable: "PAYMENT_PROVIDER",
                expected: "stripe in production (the local test-card provider is for development)",
                value: settings.optionalString("payment.provider")
            )
        }
        guard settings.optionalString("stripe.webhook.secret", isSecret: true) != nil else {
            throw ConfigurationError(variable: "STRIPE_WEBHOOK_SECRET", expected: "Stripe's webhook signing secret (whsec_…) in production", value: nil)
        }
    }
    switch choice {
    case .local:
        return LocalProvider()
    case .stripe:
        guard let apiKey = settings.optionalString("stripe.api.key", isSecret: true) else {
            throw ConfigurationError(variable: "STRIPE_API_KEY", expected: "a secret key (sk_…) when PAYMENT_PROVIDER=stripe", value: nil)
        }
        return StripeProvider(
            apiKey: apiKey,
            baseURL: try settings.url("stripe.api.url", default: "https://api.stripe.com", schemes: ["https", "http"]),
            http: .mayaGo,
            logger: logger,
            connectedAccount: { try await payments.connectedAccount(of: $0) }
        )
    }
}

/// `PAYOUT_RATES`, empty when unset.
func payoutRates(_ settings: Settings) throws -> PayoutRates {
    let text = settings.optionalString("payout.rates") ?? ""
    guard let rates = PayoutRates(text) else {
        throw ConfigurationError(variable: "PAYOUT_RATES", expected: "FROM/TO=rate pairs such as MXN/USD=0.0550,EUR/USD=1.08", value: text)
    }
    return rates
}
