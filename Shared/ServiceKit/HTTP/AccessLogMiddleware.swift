import Hummingbird
import Logging

/// One log line per request once its handler answered: method, path (never the query, which may hold a token),
/// status, bytes, duration, and what inner layers noted (upstream and its time, user id).
public struct AccessLogMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        var metadata: Logger.Metadata = [
            "method": .string(request.method.rawValue),
            "path": .string(request.uri.path),
            "status": .stringConvertible(response.status.code),
            "durationMs": .stringConvertible((ContinuousClock.now - start).milliseconds),
        ]
        if let bytes = response.body.contentLength ?? response.headers[.contentLength].flatMap(Int.init) {
            metadata["bytes"] = .stringConvertible(bytes)
        }
        if let upstream = context.notes.upstream { metadata["upstream"] = .string(upstream) }
        if let duration = context.notes.upstreamDuration { metadata["upstreamMs"] = .stringConvertible(duration.milliseconds) }
        if let userID = context.notes.userID { metadata["userId"] = .string(userID) }
        context.logger.info("request", metadata: metadata)
        return response
    }
}
