import Hummingbird

/// Refuses a query that carries U+0000 (`%00`) with a 422 before any handler passes it to PostgreSQL, which cannot
/// store it and would make it a 500.
struct UnstorableQueryMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let problem = UnstorableText.problem(inQuery: request.uri.query) { throw problem }
        return try await next(request, context)
    }
}
