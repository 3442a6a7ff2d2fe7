import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// What other services ask Messaging: how a provider answers (Booking's provider page), and to erase a person whose
/// account is gone, and what it holds of them for their data export (Auth).
struct InternalRoutes {
    let messaging: MessagingService

    func addRoutes(to routes: InternalRouter) {
        routes.get(ResponseStats.self, from: .booking, use: responseStats)
        routes.post(AccountErasure.route, from: .auth, use: erase)
        routes.get(AccountExport.route, from: .auth, use: export)
    }

    @Sendable func export(_ request: Request, context: ServiceRequestContext) async throws -> AccountExport {
        try await messaging.export(try context.parameters.require("id", as: UUID.self))
    }

    @Sendable func erase(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        try await messaging.erase(try await request.decode(as: AccountErasure.self, context: context))
        return Response(status: .noContent)
    }

    @Sendable func responseStats(_ request: Request, context: ServiceRequestContext) async throws -> ResponseStats {
        try await messaging.responseStats(of: try context.parameters.require("id", as: UUID.self))
    }
}
