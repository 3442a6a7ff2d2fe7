import Hummingbird
import Logging

/// One log line per request once its handler answered: method, path, status and duration.
public struct AccessLogMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        context.logger.info(
            "request",
            metadata: [
                "method": .string(request.method.rawValue),
                "path": .string(request.uri.path),
                "status": .stringConvertible(response.status.code),
                "durationMs": .stringConvertible((ContinuousClock.now - start).milliseconds),
            ]
        )
        return response
    }
}
