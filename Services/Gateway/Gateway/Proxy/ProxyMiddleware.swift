import Contracts
import Hummingbird
import Logging
import ServiceKit

/// Sends every path of the route table to its owner, counted in the metrics under the table's prefix (the
/// route family); anything else goes on to the gateway's own routes (and ends as a 404 there).
struct ProxyMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext

    let routes: RouteTable
    let proxy: ReverseProxy

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let (prefix, service) = routes.route(for: request.uri.path) else {
            return try await next(request, context)
        }
        context.coreContext.endpointPath.value = prefix
        context.logger.debug("Forwarding", metadata: ["upstream": .string(service.rawValue)])
        return try await proxy.forward(request, to: service, context: context)
    }
}
