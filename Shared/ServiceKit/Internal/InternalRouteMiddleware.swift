import Contracts
import Hummingbird
import Logging

/// Guards `/internal/v1/...`: only a caller with a valid service credential gets through; anyone else gets a 404,
/// so that the routes do not even show they exist.
public struct InternalRouteMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext

    let credential: ServiceCredential

    public init(credential: ServiceCredential) {
        self.credential = credential
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard
            let authorization = request.headers[.authorization],
            authorization.hasPrefix("Bearer "),
            let caller = await credential.verify(String(authorization.dropFirst(7)))
        else {
            throw Problem.notFound()
        }
        var context = context
        context.logger[metadataKey: "caller"] = .string(caller.rawValue)
        return try await next(request, context)
    }
}
