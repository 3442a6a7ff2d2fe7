import NIOHTTP1
import ServiceKit

/// The client's request head as an instance gets it: less the hop-by-hop headers (and those the client's
/// `Connection` header names), the headers the gateway sets itself and any `X-User-*` the client sent; plus the
/// instance's `Host`, the request id, the credential to forward, the verified identity, `X-Forwarded-*` and, when
/// traced, the gateway's trace context. Pure: the proxy gives it what it decided, and a unit test checks what comes out.
struct ForwardedHead {
    var requestID: String
    /// The credential the instance verifies: the client's own, or the access token an API key was traded for.
    var authorization: String?
    /// The client connection's address, appended to `X-Forwarded-For`.
    var peer: String?
    /// The client's address as the rate limit resolved it, sealed for the instance (``ClientAddressSeal``).
    var sealedClient: String?
    /// The verified caller.
    var user: (id: String, role: String)?
    /// The trace context of the gateway's span, when requests are traced: it replaces the client's.
    var trace: HTTPHeaders?

    /// Request headers the gateway sets itself.
    static let replaced: Set<HeaderName> = ["x-request-id", "authorization", "x-forwarded-for", "x-forwarded-host", HeaderName(ClientAddressSeal.header)]

    func head(of request: HTTPRequestHead, to target: String, on instance: String) -> HTTPRequestHead {
        let named = EdgePolicy.connectionOptions(request.headers)
        var forwarded = HTTPHeaders()
        forwarded.reserveCapacity(request.headers.count + 6)
        var forwardedFor: [String] = []
        var host: String?
        for (name, value) in request.headers {
            let key = HeaderName(name)
            if key == Self.xForwardedFor { forwardedFor.append(value) }
            if key == Self.host { host = value }
            guard !EdgePolicy.hopByHop.contains(key), !Self.replaced.contains(key), !name.hasPrefixIgnoringCase("x-user-"),
                named.isEmpty || !named.contains(name.lowercased()), trace == nil || !Self.traceContext.contains(key)
            else { continue }
            forwarded.add(name: name, value: value)
        }
        // The body goes on framed: by its length as the client gave it, else chunked (NIO's encoder would send a GET's
        // or DELETE's body unframed, and the instance would read it as the next request). A TRACE carries none
        // (RFC 9110): NIO drops its framing, so the proxy never forwards its body.
        if request.method == .TRACE {
            forwarded.remove(name: "content-length")
        } else if request.headers.contains(name: "transfer-encoding"), !forwarded.contains(name: "content-length") {
            forwarded.add(name: "Transfer-Encoding", value: "chunked")
        }
        forwarded.add(name: "Host", value: instance)
        forwarded.add(name: "X-Request-Id", value: requestID)
        if let authorization { forwarded.add(name: "Authorization", value: authorization) }
        if let user {
            forwarded.add(name: "X-User-Id", value: user.id)
            forwarded.add(name: "X-User-Role", value: user.role)
        }
        if let peer {
            forwardedFor.append(peer)
            forwarded.add(name: "X-Forwarded-For", value: forwardedFor.joined(separator: ", "))
        }
        if let host { forwarded.add(name: "X-Forwarded-Host", value: host) }
        if let sealedClient { forwarded.add(name: ClientAddressSeal.header, value: sealedClient) }
        if let trace { forwarded.add(contentsOf: trace) }
        return HTTPRequestHead(version: .http1_1, method: request.method, uri: target, headers: forwarded)
    }

    private static let xForwardedFor: HeaderName = "x-forwarded-for"
    private static let host: HeaderName = "host"
    private static let traceContext: Set<HeaderName> = ["traceparent", "tracestate"]
}
