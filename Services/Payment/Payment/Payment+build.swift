import Hummingbird
import ServiceKit

/// Builds the Payment service: escrow payments on a double-entry ledger, with the local test-card provider.
/// `clock` is the system's except in tests.
public func buildApplication(configuration: ServiceConfiguration, clock: WallClock = .system) async throws -> some ApplicationProtocol {
    let runtime = try await ServiceRuntime(configuration: configuration, database: .init(migrations: PaymentMigrations.all), usesRedis: false)
    let postgres = runtime.postgres!
    let payment = PaymentService(
        postgres: postgres,
        logger: runtime.logger,
        clock: clock,
        commissionBasisPoints: try configuration.settings.int("commission.basis.points", default: 1500, in: 0...10_000),
        payments: Payments(postgres: postgres, logger: runtime.logger),
        ledger: LedgerBook(postgres: postgres, logger: runtime.logger),
        idempotency: runtime.idempotentRequests!,
        outbox: runtime.outbox!
    )
    let router = runtime.makeRouter(openAPI: PaymentAPI.document)
    router.add(middleware: AuthenticationMiddleware(authenticator: runtime.tokenAuthenticator()))
    PaymentRoutes(payment: payment).addRoutes(to: router)
    InternalRoutes(payment: payment).addRoutes(to: runtime.internalRoutes(of: router))
    return runtime.makeApplication(router: router)
}
