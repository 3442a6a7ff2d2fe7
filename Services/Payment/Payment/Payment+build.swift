import Foundation
import Hummingbird
import Logging
import Mustache
import ServiceKit

/// Builds the Payment service: escrow payments on a double-entry ledger, charged through the local test-card
/// provider or Stripe (``PaymentSettings`` lists the variables). `clock` is the system's except in tests.
public func buildApplication(configuration: ServiceConfiguration, clock: WallClock = .system) async throws -> some ApplicationProtocol {
    let settings = try PaymentSettings(configuration)
    let runtime = try await ServiceRuntime<PostgresStore>(configuration: configuration, migrations: PaymentMigrations.all)
    let postgres = runtime.postgres
    let payments = Payments(postgres: postgres, logger: runtime.logger)
    let payment = PaymentService(
        logger: runtime.logger,
        clock: clock,
        settings: settings,
        payments: payments,
        ledger: LedgerBook(postgres: postgres, logger: runtime.logger),
        payouts: Payouts(postgres: postgres, logger: runtime.logger),
        sync: ProviderSync(postgres: postgres, logger: runtime.logger),
        reports: Reports(postgres: postgres, logger: runtime.logger),
        invoices: Invoices(postgres: postgres, logger: runtime.logger),
        stripeEvents: StripeEvents(logger: runtime.logger),
        terms: ProviderTerms(postgres: postgres, logger: runtime.logger),
        idempotency: runtime.idempotentRequests,
        provider: chargeProvider(settings, payments: payments, logger: runtime.logger),
        outbox: runtime.outbox
    )
    let authenticator = runtime.tokenAuthenticator()
    let router = runtime.makeRouter(openAPI: try PaymentAPI.document(withWebhook: settings.webhookSecret != nil), readiness: [authenticator.readiness])
    router.add(middleware: AuthenticationMiddleware(authenticator: authenticator))
    PaymentRoutes(payment: payment).addRoutes(to: router)
    PayoutRoutes(payment: payment).addRoutes(to: router)
    InvoiceRoutes(payment: payment, template: try MustacheTemplate(string: Bundle.module.resourceText("invoice", "mustache"))).addRoutes(to: router)
    WebhookRoutes(payment: payment, signature: settings.webhookSecret.map { StripeSignature(secret: $0) }).addRoutes(to: router)
    InternalRoutes(payment: payment).addRoutes(to: runtime.internalRoutes(of: router))
    let payouts = PeriodicJob(
        PayoutJob(payment: payment, minimum: settings.payoutMinimum, rates: settings.payoutRates),
        every: settings.payoutInterval,
        isMigrated: { runtime.isMigrated }
    )
    let claims = PeriodicJob(ClaimedCallJob(payment: payment, patience: .seconds(60)), every: .seconds(30), isMigrated: { runtime.isMigrated })
    let numbering = PeriodicJob(InvoiceNumbering(payment: payment), every: settings.invoiceNumberingInterval, isMigrated: { runtime.isMigrated })
    let readBack = PeriodicJob(
        WebhookReadBack(payment: payment, lookBack: 3 * 86_400), every: settings.webhookReadBackInterval, isMigrated: { runtime.isMigrated })
    return runtime.makeApplication(router: router, services: [payouts, claims, numbering, readBack])
}

/// The charge provider the settings name.
func chargeProvider(_ settings: PaymentSettings, payments: Payments, logger: Logger) -> any ChargeProvider {
    guard let stripe = settings.stripe else { return LocalProvider() }
    return StripeProvider(
        apiKey: stripe.apiKey, baseURL: stripe.baseURL, http: .mayaGo, logger: logger,
        connectedAccount: { try await payments.connectedAccount(of: $0) }
    )
}
