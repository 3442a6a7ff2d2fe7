import CompressNIO
import Foundation
import ServiceKit
import HTTPTypes
import Hummingbird
import NIOCore

/// gzip for clients that accept it, on bodies that are compressible (JSON, text, JavaScript, SVG), not already
/// encoded and at least `minimumSize` bytes (or of unknown length: streamed bodies are compressed as they
/// stream, one flushed gzip block per chunk), at zlib's `level`.
struct CompressionMiddleware<Context: RequestContext>: RouterMiddleware {
    let minimumSize: Int
    var level: Int32 = 4

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        let length = response.body.contentLength ?? response.headers[.contentLength].flatMap(Int.init)
        guard Self.isCompressible(response.headers[.contentType]), response.headers[.contentEncoding] == nil else { return response }
        response.headers[.vary] = response.headers[.vary].map { $0 + ", Accept-Encoding" } ?? "Accept-Encoding"
        guard
            Self.acceptsGzip(request.headers[.acceptEncoding]),
            request.method != .head,
            response.status != .noContent, response.status != .notModified,
            (length ?? .max) >= minimumSize
        else { return response }
        let configuration = Self.zlibConfiguration(level: level, length: length)
        response.headers[.contentEncoding] = "gzip"
        response.headers[values: .contentLength] = []
        let original = response.body
        response.body = ResponseBody { writer in
            try await original.write(GzipWriter(parent: writer, configuration: configuration))
        }
        return response
    }

    /// zlib's history window need not be longer than the body: a 2 KiB answer compresses as well with 4 KiB of
    /// history as with 32 KiB, and its compressor then takes 40 KiB of state instead of 320 KiB, which zlib
    /// allocates and clears for every response.
    static func zlibConfiguration(level: Int32, length: Int?) -> ZlibConfiguration {
        let windowBits = Int32(min(15, max(9, Int.bitWidth - max((length ?? .max) - 1, 1).leadingZeroBitCount)))
        return ZlibConfiguration(windowSize: windowBits, compressionLevel: level, memoryLevel: max(1, min(8, windowBits - 7)))
    }

    static func isCompressible(_ contentType: String?) -> Bool {
        guard let type = contentType?.split(separator: ";").first?.trimmingOptionalWhitespace.lowercased() else { return false }
        return type.hasPrefix("text/") || type.hasSuffix("+json") || type.hasSuffix("+xml")
            || ["application/json", "application/javascript", "application/xml", "image/svg+xml"].contains(type)
    }

    /// Whether `Accept-Encoding` names gzip (or `*`) with a quality above zero.
    static func acceptsGzip(_ header: String?) -> Bool {
        guard let header else { return false }
        return header.split(separator: ",").contains { entry in
            let parts = entry.split(separator: ";").map { $0.trimmingOptionalWhitespace.lowercased() }
            guard let coding = parts.first, coding == "gzip" || coding == "*" else { return false }
            let quality = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return quality > 0
        }
    }
}

/// Compresses what is written through it into one gzip stream.
struct GzipWriter: ResponseBodyWriter {
    var parent: any ResponseBodyWriter
    let compressor: ZlibCompressor

    init(parent: any ResponseBodyWriter, configuration: ZlibConfiguration) throws {
        self.parent = parent
        compressor = try ZlibCompressor(algorithm: .gzip, configuration: configuration)
    }

    mutating func write(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        // A sync flush, so that each chunk reaches the client as it streams.
        let compressed = try buffer.compressStream(with: compressor, flush: .sync)
        try await parent.write(compressed)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
        var empty = ByteBuffer()
        let last = try empty.compressStream(with: compressor, flush: .finish)
        try await parent.write(last)
        try await parent.finish(trailingHeaders)
    }
}
