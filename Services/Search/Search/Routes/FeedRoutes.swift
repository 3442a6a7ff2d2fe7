import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// Booking's index feed (`POST /internal/v1/feed`, through Booking's outbox) and the full reindex
/// (`POST /internal/v1/reindex`), which pages through Booking's whole index in the background; and Auth's
/// ``AccountErasure`` and ``AccountExport``.
struct FeedRoutes {
    let search: SearchService
    let reindex: Reindex

    func addRoutes(to routes: InternalRouter) {
        routes.post(SearchFeedEvent.self, from: .booking, .auth, use: receive)
        // Booking, the source of the documents, may ask for a rebuild.
        routes.post(SearchReindex.self, from: .booking, use: startReindex)
        routes.post(AccountErasure.route, from: .auth, use: erase)
        routes.get(AccountExport.route, from: .auth, use: export)
    }

    /// What Search keeps about a person, for their data export.
    @Sendable func export(_ request: Request, context: ServiceRequestContext) async throws -> AccountExport {
        AccountExport(service: .search, records: try await search.documents.records(of: try context.parameters.require("id", as: UUID.self)))
    }

    /// Auth's word that a person's account is erased.
    @Sendable func erase(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        try await search.erase(try await request.decode(as: AccountErasure.self, context: context).userId)
        return Response(status: .noContent)
    }

    @Sendable func receive(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let event = try await request.decode(as: SearchFeedEvent.self, context: context)
        try await search.apply(event)
        return Response(status: .noContent)
    }

    @Sendable func startReindex(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        reindex.start()
        return Response(status: .accepted)
    }
}
