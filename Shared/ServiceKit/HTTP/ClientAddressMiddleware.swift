import Hummingbird

/// Sets ``ServiceRequestContext/clientAddress``: the gateway's sealed address when the seal holds, else the socket's
/// peer. After ``RequestIDMiddleware``, whose id the seal covers.
struct ClientAddressMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext

    let seal: ClientAddressSeal

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.clientAddress =
            request.headers[.mayaGoClient].flatMap { seal.open($0, requestID: context.requestID) }
            ?? context.remoteAddress?.ipAddress
        return try await next(request, context)
    }
}
