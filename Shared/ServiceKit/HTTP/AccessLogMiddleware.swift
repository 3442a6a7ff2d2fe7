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
        guard logger.logLevel <= .info else { return }
        // In key order, as a line lists them: a JSON handler of its own writes them as they are, without a dictionary.
        var fields: [(key: String, value: Logger.MetadataValue)] = []
        fields.reserveCapacity(9)
        if let bytes { fields.append(("bytes", .stringConvertible(bytes))) }
        fields.append(("durationMs", .stringConvertible(duration.milliseconds)))
        fields.append(("method", .string(method.rawValue)))
        fields.append(("path", .string(path)))
        if let requestID { fields.append(("requestId", .string(requestID))) }
        fields.append(("status", .stringConvertible(status.code)))
        if let upstream { fields.append(("upstream", .string(upstream))) }
        if let upstreamDuration { fields.append(("upstreamMs", .stringConvertible(upstreamDuration.milliseconds))) }
        if let userID { fields.append(("userId", .string(userID))) }
        if let handler = logger.handler as? JSONLogHandler, !handler.addsMetadata {
            handler.write(.info, "request", members: fields)
        } else {
            logger.info("request", metadata: Logger.Metadata(uniqueKeysWithValues: fields))
        }
    }
}
