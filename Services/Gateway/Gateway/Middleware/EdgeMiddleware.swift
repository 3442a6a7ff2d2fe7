import CompressNIO
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceKit

/// The edge policies for the gateway's own answers (health, metrics, the docs, CORS preflights for any path):
/// preflights answered, then security headers, CORS and gzip on the way out. Proxied requests get the same
/// policies from ``ProxyChannelHandler``.
struct EdgeMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext

    let security: SecurityHeaders
    let cors: CORSPolicy
    let gzip: GzipPolicy

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        if CORSPolicy.isPreflight(request.head), let origin = request.headers[.origin] {
            do {
                response = Response(status: .noContent, headers: try cors.preflight(origin: origin))
            } catch let problem as Problem {
                response = problem.response(requestID: context.requestID)
            }
        } else {
            response = try await next(request, context)
            cors.apply(to: &response.headers, origin: request.headers[.origin])
        }
        security.apply(to: &response.headers)
        if let length = response.body.contentLength, response.headers[.contentLength] == nil {
            response.headers[.contentLength] = String(length)
        }
        if let configuration = gzip.prepare(&response.headers, status: response.status, for: request.head) {
            let original = response.body
            response.body = ResponseBody { writer in
                try await original.write(GzipWriter(parent: writer, compressor: try .gzip(configuration)))
            }
        }
        return response
    }
}

/// Compresses what is written through it into one gzip stream.
private struct GzipWriter: ResponseBodyWriter {
    var parent: any ResponseBodyWriter
    let compressor: ZlibCompressor

    mutating func write(_ buffer: ByteBuffer) async throws {
        try await parent.write(compressor.compressed(buffer))
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
        try await parent.write(compressor.finished())
        try await parent.finish(trailingHeaders)
    }
}
