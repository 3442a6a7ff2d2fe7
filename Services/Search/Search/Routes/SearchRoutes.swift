import Contracts
import Foundation
import Hummingbird
import NIOCore
import NIOFoundationCompat
import ServiceKit

/// `GET /api/v1/search` and `GET /api/v1/search/suggest`, both public.
struct SearchRoutes {
    let search: SearchService

    struct Suggestions: ResponseCodable {
        var suggestions: [CompletionSet.Completion]
    }

    func addRoutes(to router: ServiceRouter) {
        router.get("api/v1/search", use: find)
        router.get("api/v1/search/suggest", use: suggest)
    }

    @Sendable func find(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let results = try await search.results(of: try SearchRequest(request.uri.queryParameters), query: request.uri.query ?? "")
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: results)))
    }

    @Sendable func suggest(_ request: Request, context: ServiceRequestContext) async throws -> Suggestions {
        let query = request.uri.queryParameters
        let text = query.get("q") ?? ""
        guard text.unicodeScalars.count <= 100 else { throw Problem.invalid("q", "must be at most 100 characters") }
        let limit = try PageLimit.parse(query.get("limit"), default: 8, maximum: 20)
        return Suggestions(suggestions: try await search.suggestions(for: text, limit: limit))
    }
}
