import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// Providers' public pages, open to anyone.
struct ProviderRoutes {
    let booking: BookingService

    func addRoutes(to router: ServiceRouter) {
        router.group("api/v1/providers").get(":providerId", use: show)
    }

    @Sendable func show(_ request: Request, context: ServiceRequestContext) async throws -> ProviderPage {
        try await booking.providerPage(try context.parameters.require("providerId", as: UUID.self))
    }
}
