import CompressNIO
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1
import ServiceKit

/// The edge's policy (see ``EdgePolicy``) for the gateway's own answers: health, metrics, the docs, unknown paths,
/// and CORS preflights for any path, answered here. Proxied requests get it from ``ProxiedRequest``.
struct EdgeMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext

    let policy: EdgePolicy

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var edgeRequest = EdgePolicy.Request(request.head)
        var response: Response
        var preflight: HTTPHeaders = [:]
        if EdgePolicy.isPreflight(request.head), let origin = edgeRequest.origin {
            // A preflight's CORS headers are its own.
            edgeRequest.origin = nil
            do {
                preflight = try policy.preflight(origin: origin)
                response = Response(status: .noContent)
            } catch let problem as Problem {
                response = problem.response(requestID: context.requestID)
            }
        } else {
            response = try await next(request, context)
        }
        if let length = response.body.contentLength, response.headers[.contentLength] == nil {
            response.headers[.contentLength] = String(length)
        }
        // The gateway's own answers are few: they take the proxy's policy, which works on NIO's HTTP/1 types.
        let (headers, gzip) = policy.answer(
            HTTPHeaders(response.headers), status: HTTPResponseStatus(statusCode: response.status.code), to: edgeRequest, adding: preflight
        )
        response.headers = HTTPFields(headers, splitCookie: false)
        if let gzip {
            let original = response.body
            response.body = ResponseBody { writer in
                try await original.write(GzipWriter(parent: writer, compressor: try .gzip(gzip)))
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
