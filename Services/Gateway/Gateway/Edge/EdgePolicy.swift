import CompressNIO
import HTTPTypes
import NIOCore
import NIOHTTP1
import ServiceKit

/// What the edge does to every answer, whoever made it (an upstream through the proxy, or the gateway's router):
/// - security headers as Helmet sets them for an API: no sniffing, no framing, no referrer, a CSP that allows
///   nothing unless the answer brings its own (the docs page), HSTS when clients come over TLS, and no `Server` or
///   `X-Powered-By` from upstreams;
/// - CORS for an allowlist of origins: only an allowed origin gets `Access-Control-Allow-*` (credentials
///   included); other origins get nothing a browser would accept; preflights are answered by the gateway;
/// - gzip for clients that accept it, on bodies that are compressible (JSON, text, JavaScript, SVG), not already
///   encoded and at least `gzipMinimumSize` bytes (or of unknown length: streamed bodies are compressed as they
///   stream), with `Vary: Accept-Encoding` on every compressible answer;
/// - and the headers that describe a connection rather than the message (RFC 9110 §7.6.1) dropped.
/// It takes one pass over the answer's headers, as NIO's HTTP/1 parser gives them: the proxy relays them without
/// making HTTPTypes' fields of them (which checks every name and value again) and back.
struct EdgePolicy: Sendable {
    /// What the edge needs of a request, read from its headers once.
    struct Request {
        var isHead: Bool
        var origin: String?
        var acceptsGzip: Bool

        init(_ head: HTTPRequestHead) {
            isHead = head.method == .HEAD
            origin = nil
            acceptsGzip = false
            for (name, value) in head.headers {
                switch HeaderName(name) {
                case "origin": origin = origin ?? value
                case "accept-encoding": acceptsGzip = acceptsGzip || EdgePolicy.acceptsGzip(value)
                default: continue
                }
            }
        }

        /// For the router's requests, which come as HTTPTypes made them.
        init(_ request: HTTPRequest) {
            isHead = request.method == .head
            origin = request.headerFields[.origin]
            acceptsGzip = EdgePolicy.acceptsGzip(request.headerFields[.acceptEncoding])
        }
    }

    /// Whether clients reach the gateway over TLS (a terminating proxy in front), so HSTS applies.
    let behindTLS: Bool
    let allowedOrigins: Set<String>
    let gzipMinimumSize: Int
    var gzipLevel: Int32 = 4

    static let allowedHeaders = "Authorization, Content-Type, Idempotency-Key, X-Request-Id"
    static let exposedHeaders = "RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After, X-Request-Id"

    static func isPreflight(_ request: HTTPRequest) -> Bool {
        request.method == .options && request.headerFields[.origin] != nil && request.headerFields[.accessControlRequestMethod] != nil
    }

    static func isPreflight(_ head: HTTPRequestHead) -> Bool {
        head.method == .OPTIONS && head.headers.contains(name: "origin") && head.headers.contains(name: "access-control-request-method")
    }

    /// The headers of the answer to a preflight from `origin`; a problem for an origin not allowed.
    func preflight(origin: String) throws -> HTTPHeaders {
        guard allowedOrigins.contains(origin) else { throw Problem(.forbidden, detail: "This origin may not call the API.") }
        return [
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Credentials": "true",
            "Vary": "Origin",
            "Access-Control-Allow-Methods": "GET, POST, PUT, PATCH, DELETE",
            "Access-Control-Allow-Headers": Self.allowedHeaders,
            "Access-Control-Max-Age": "600",
        ]
    }

    /// `headers` as the client gets them, with `extra` (the request id, the rate limit's state) added, and zlib's
    /// configuration when the body is to be gzipped (its length is then dropped for `Content-Encoding: gzip`).
    func answer(
        _ headers: HTTPHeaders, status: HTTPResponseStatus, to request: Request, adding extra: HTTPHeaders = [:]
    ) -> (headers: HTTPHeaders, gzip: ZlibConfiguration?) {
        let named = Self.connectionOptions(headers)
        var answer = HTTPHeaders()
        answer.reserveCapacity(headers.count + Self.security.count + extra.count + 8)
        var vary: [String] = []
        var contentType: String?
        var encoded = false
        var length: String?
        var ownPolicy = false
        for (name, value) in headers {
            switch Self.roles[HeaderName(name)] {
            case .dropped: continue
            case .vary:
                vary.append(value)
                continue
            case .contentLength:
                length = value
                continue
            case .contentType: contentType = value
            case .contentEncoding: encoded = true
            case .contentSecurityPolicy: ownPolicy = true
            case nil: if !named.isEmpty, named.contains(name.lowercased()) { continue }
            }
            answer.add(name: name, value: value)
        }

        var gzip: ZlibConfiguration?
        if Self.isCompressible(contentType), !encoded {
            vary.append("Accept-Encoding")
            let size = length.flatMap(Int.init)
            if request.acceptsGzip, !request.isHead, status != .noContent, status != .notModified, (size ?? .max) >= gzipMinimumSize {
                gzip = Self.zlibConfiguration(level: gzipLevel, length: size)
                answer.add(name: "Content-Encoding", value: "gzip")
            }
        }
        if gzip == nil, let length { answer.add(name: "Content-Length", value: length) }
        if let origin = request.origin {
            vary.append("Origin")
            if allowedOrigins.contains(origin) {
                answer.add(name: "Access-Control-Allow-Origin", value: origin)
                answer.add(name: "Access-Control-Allow-Credentials", value: "true")
                answer.add(name: "Access-Control-Expose-Headers", value: Self.exposedHeaders)
            }
        }
        if !vary.isEmpty { answer.add(name: "Vary", value: vary.joined(separator: ", ")) }
        answer.add(contentsOf: Self.security)
        if !ownPolicy { answer.add(name: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'") }
        if behindTLS { answer.add(name: "Strict-Transport-Security", value: "max-age=31536000; includeSubDomains") }
        answer.add(contentsOf: extra)
        return (answer, gzip)
    }

    /// Headers that describe one connection, not the message (RFC 9110 §7.6.1), plus those only the gateway may
    /// set: never passed on as they came, in either direction.
    static let hopByHop: Set<HeaderName> = [
        "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
        "proxy-authenticate", "proxy-authorization", "host",
    ]

    /// The header names a `Connection` header lists (lower case), which are hop by hop too, and `close` when
    /// it asks for the connection to close. `keep-alive`, the usual value, is left out: it is hop by hop anyway,
    /// and most answers then need no set made.
    static func connectionOptions(_ headers: HTTPHeaders) -> Set<String> {
        var options: Set<String> = []
        for (name, value) in headers where HeaderName(name) == "connection" {
            for option in value.utf8.split(separator: UInt8(ascii: ",")) {
                let option = Substring(option).trimmingOptionalWhitespace
                if option.utf8.count == 10, HeaderName(String(option)) == "keep-alive" { continue }
                options.insert(option.lowercased())
            }
        }
        return options
    }

    private enum Role {
        case dropped, vary, contentLength, contentType, contentEncoding, contentSecurityPolicy
    }

    /// What the one pass does with a header, by its name.
    private static let roles: [HeaderName: Role] = {
        let dropped: [HeaderName] =
            Array(hopByHop) + [
                // Upstream banners, and what the edge sets itself (services answer with the request id too).
                "server", "x-powered-by", "strict-transport-security", "access-control-allow-origin",
                "access-control-allow-credentials", "access-control-expose-headers", "x-request-id", "ratelimit-limit",
                "ratelimit-remaining", "ratelimit-reset",
            ] + security.map { HeaderName($0.name) }
        var roles = Dictionary(uniqueKeysWithValues: dropped.map { ($0, Role.dropped) })
        roles["vary"] = .vary
        roles["content-length"] = .contentLength
        roles["content-type"] = .contentType
        roles["content-encoding"] = .contentEncoding
        roles["content-security-policy"] = .contentSecurityPolicy
        return roles
    }()

    /// The headers every answer gets.
    private static let security: HTTPHeaders = [
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
        "X-DNS-Prefetch-Control": "off",
        "X-Permitted-Cross-Domain-Policies": "none",
    ]

    /// zlib's history window need not be longer than the body: a 2 KiB answer compresses as well with 4 KiB of
    /// history as with 32 KiB, and its compressor then takes 40 KiB of state instead of 320 KiB, which zlib
    /// allocates and clears for every response.
    static func zlibConfiguration(level: Int32, length: Int?) -> ZlibConfiguration {
        let windowBits = Int32(min(15, max(9, Int.bitWidth - max((length ?? .max) - 1, 1).leadingZeroBitCount)))
        return ZlibConfiguration(windowSize: windowBits, compressionLevel: level, memoryLevel: max(1, min(8, windowBits - 7)))
    }

    static func isCompressible(_ contentType: String?) -> Bool {
        if contentType == "application/json" || contentType == "application/json; charset=utf-8" { return true }  // the usual answer
        guard let type = contentType?.split(separator: ";").first?.trimmingOptionalWhitespace.lowercased() else { return false }
        return type.hasPrefix("text/") || type.hasSuffix("+json") || type.hasSuffix("+xml")
            || ["application/json", "application/javascript", "application/xml", "image/svg+xml"].contains(type)
    }

    /// Whether `Accept-Encoding` names gzip with a quality above zero, or else `*` does (RFC 9110 §12.5.3).
    static func acceptsGzip(_ header: String?) -> Bool {
        guard let header else { return false }
        var anyCoding = false
        for entry in header.utf8.split(separator: UInt8(ascii: ",")) {
            let entry = Substring(entry)
            let coding = Substring(entry.utf8.prefix { $0 != UInt8(ascii: ";") }).trimmingOptionalWhitespace
            let isGzip = coding.utf8.count == 4 && coding.hasPrefixIgnoringCase("gzip")
            guard isGzip || coding == "*" else { continue }
            // Parameters are rare: only then are they read.
            let parameters = entry[coding.endIndex...].split(separator: ";").map { $0.trimmingOptionalWhitespace.lowercased() }
            let accepted = (parameters.first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1) > 0
            if isGzip { return accepted }
            anyCoding = accepted
        }
        return anyCoding
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

    /// `chunk` compressed and the gzip stream ended.
    func finished(_ chunk: ByteBuffer = ByteBuffer()) throws -> ByteBuffer {
        var chunk = chunk
        return try chunk.compressStream(with: self, flush: .finish)
    }
}
