import Hummingbird
import Logging

/// One log line per request once its handler answered: method, path (never the query, which may hold a token),
/// status, bytes, duration, and the user id an inner layer noted.
public struct AccessLogMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        AccessLog.record(
            context.logger, method: request.method, path: request.uri.path, status: response.status,
            bytes: response.body.contentLength ?? response.headers[.contentLength].flatMap(Int.init),
            duration: ContinuousClock.now - start, userID: context.notes.userID
        )
        return response
    }
}

/// The access log's line, for the middleware and for the gateway's proxy, which answers outside the router.
public enum AccessLog {
    public static func record(
        _ logger: Logger,
        method: HTTPRequest.Method,
        path: String,
        status: HTTPResponse.Status,
        bytes: Int?,
        duration: Duration,
        upstream: String? = nil,
        upstreamDuration: Duration? = nil,
        userID: String? = nil,
        requestID: String? = nil
    ) {
        // Made at its final size: the proxy writes one for every request.
        var metadata = Logger.Metadata(minimumCapacity: 9)
        metadata["method"] = .string(method.rawValue)
        metadata["path"] = .string(path)
        metadata["status"] = .stringConvertible(status.code)
        metadata["durationMs"] = .stringConvertible(duration.milliseconds)
        if let bytes { metadata["bytes"] = .stringConvertible(bytes) }
        if let upstream { metadata["upstream"] = .string(upstream) }
        if let upstreamDuration { metadata["upstreamMs"] = .stringConvertible(upstreamDuration.milliseconds) }
        if let userID { metadata["userId"] = .string(userID) }
        if let requestID { metadata["requestId"] = .string(requestID) }
        logger.info("request", metadata: metadata)
    }
}
