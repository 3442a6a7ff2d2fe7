import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// What other services ask Messaging: how a provider answers (Booking's provider page).
struct InternalRoutes {
    let messaging: MessagingService

    func addRoutes(to routes: InternalRouter) {
        routes.get(ResponseStats.self, from: .booking, use: responseStats)
    }

    @Sendable func responseStats(_ request: Request, context: ServiceRequestContext) async throws -> ResponseStats {
        try await messaging.responseStats(of: try context.parameters.require("id", as: UUID.self))
    }
}
