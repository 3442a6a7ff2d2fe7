import Hummingbird
import Logging

/// Keeps a valid incoming `X-Request-Id` or makes one, puts it on every log line of the request, and sends it
/// back on the answer.
public struct RequestIDMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let id = request.headers[.requestID].flatMap { RequestID.isValid($0) ? $0 : nil } ?? RequestID.make()
        context.requestID = id
        context.logger[metadataKey: "requestId"] = .string(id)
        var response = try await next(request, context)
        response.headers[.requestID] = id
        return response
    }
}
