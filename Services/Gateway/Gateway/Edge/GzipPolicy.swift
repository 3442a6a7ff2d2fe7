import CompressNIO
import HTTPTypes
import NIOCore
import ServiceKit

/// gzip for clients that accept it, on bodies that are compressible (JSON, text, JavaScript, SVG), not already
/// encoded and at least `minimumSize` bytes (or of unknown length: streamed bodies are compressed as they
/// stream, one flushed gzip block per chunk), at zlib's `level`.
struct GzipPolicy: Sendable {
    let minimumSize: Int
    var level: Int32 = 4

    /// Decides for one answer: adds `Vary: Accept-Encoding` to any compressible one and, when it is to be
    /// compressed, `Content-Encoding: gzip` in place of its length; returns zlib's configuration for it then.
    func prepare(_ headers: inout HTTPFields, status: HTTPResponse.Status, for request: HTTPRequest) -> ZlibConfiguration? {
        guard Self.isCompressible(headers[.contentType]), headers[.contentEncoding] == nil else { return nil }
        headers[.vary] = headers[.vary].map { $0 + ", Accept-Encoding" } ?? "Accept-Encoding"
        let length = headers[.contentLength].flatMap(Int.init)
        guard
            Self.acceptsGzip(request.headerFields[.acceptEncoding]),
            request.method != .head,
            status != .noContent, status != .notModified,
            (length ?? .max) >= minimumSize
        else { return nil }
        headers[.contentEncoding] = "gzip"
        headers[values: .contentLength] = []
        return Self.zlibConfiguration(level: level, length: length)
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

extension ZlibCompressor {
    static func gzip(_ configuration: ZlibConfiguration) throws -> ZlibCompressor {
        try ZlibCompressor(algorithm: .gzip, configuration: configuration)
    }

    /// `chunk` compressed and flushed, so that it reaches the client as it streams.
    func compressed(_ chunk: ByteBuffer) throws -> ByteBuffer {
        var chunk = chunk
        return try chunk.compressStream(with: self, flush: .sync)
    }

    /// The end of the gzip stream.
    func finished() throws -> ByteBuffer {
        var empty = ByteBuffer()
        return try empty.compressStream(with: self, flush: .finish)
    }
}
