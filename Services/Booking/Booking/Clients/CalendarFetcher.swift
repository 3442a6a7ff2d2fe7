import CCurl
import Foundation
import NIOPosix

/// Fetches imported calendars with libcurl, refusing at connect time every address that is not public
/// (``PublicAddress``): libcurl asks before each connection, redirects included, with the address it resolved, so
/// a name that resolves inside, or a public page that redirects inside, is refused as a literal is. libcurl blocks,
/// so each fetch runs on NIO's thread pool.
struct CalendarFetcher: Sendable {
    /// Whether private addresses may be fetched (`CALENDAR_ALLOW_PRIVATE_HOSTS`, for tests on loopback only).
    let allowPrivate: Bool
    static let maximumBytes = 5 << 20

    /// Why a fetch failed. `description` is what the provider is shown: generic, so that the fetcher cannot be
    /// used to learn what answers inside; `detail` goes to the log.
    struct Failure: Error, CustomStringConvertible {
        let description: String
        let detail: String
    }

    init(allowPrivate: Bool) {
        _ = Self.initialized
        self.allowPrivate = allowPrivate
    }

    private static let initialized: CURLcode = mayago_curl_global_init()

    func fetch(_ url: String) async throws -> String {
        try await NIOThreadPool.singleton.runIfActive { try transfer(url) }
    }

    /// Whether `host` is one the fetcher may be pointed at: a public literal, or a name whose every address is public.
    func mayFetch(host: String) async throws -> Bool {
        if allowPrivate { return true }
        if let literal = PublicAddress.literal(host) { return PublicAddress.isPublic(literal) }
        let lowered = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        if lowered == "localhost" || lowered.hasSuffix(".localhost") { return false }
        return try await NIOThreadPool.singleton.runIfActive { Self.resolve(host).allSatisfy(PublicAddress.isPublic) }
    }

    private func transfer(_ url: String) throws -> String {
        guard let curl = curl_easy_init() else { throw Failure(description: "The calendar could not be fetched.", detail: "libcurl could not start") }
        defer { curl_easy_cleanup(curl) }
        let sink = Unmanaged.passRetained(Download(allowPrivate: allowPrivate))
        defer { sink.release() }
        let code = url.withCString { text -> CURLcode in
            mayago_curl_set_string(curl, CURLOPT_URL, text)
            mayago_curl_set_string(curl, CURLOPT_PROTOCOLS_STR, "http,https")
            mayago_curl_set_string(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
            mayago_curl_set_string(curl, CURLOPT_NOPROXY, "*")
            mayago_curl_set_string(curl, CURLOPT_ACCEPT_ENCODING, "")
            mayago_curl_set_string(curl, CURLOPT_USERAGENT, "MayaGo calendar import")
            mayago_curl_set_long(curl, CURLOPT_FOLLOWLOCATION, 1)
            mayago_curl_set_long(curl, CURLOPT_MAXREDIRS, 3)
            mayago_curl_set_long(curl, CURLOPT_CONNECTTIMEOUT, 5)
            mayago_curl_set_long(curl, CURLOPT_TIMEOUT, 15)
            mayago_curl_set_long(curl, CURLOPT_NOSIGNAL, 1)
            mayago_curl_set_size(curl, CURLOPT_MAXFILESIZE_LARGE, Int64(Self.maximumBytes))
            mayago_curl_set_open_socket_function(curl, openPublicSocket)
            mayago_curl_set_pointer(curl, CURLOPT_OPENSOCKETDATA, sink.toOpaque())
            mayago_curl_set_write_function(curl, keepBody)
            mayago_curl_set_pointer(curl, CURLOPT_WRITEDATA, sink.toOpaque())
            return curl_easy_perform(curl)
        }
        let download = sink.takeUnretainedValue()
        if let refused = download.refused {
            throw Failure(description: "The calendar could not be fetched.", detail: "refused to connect to \(refused), not a public address")
        }
        guard code == CURLE_OK else {
            throw Failure(description: "The calendar could not be fetched.", detail: String(cString: curl_easy_strerror(code)))
        }
        var status = 0
        mayago_curl_get_long(curl, CURLINFO_RESPONSE_CODE, &status)
        guard status == 200 else {
            throw Failure(description: "The calendar's server answered HTTP \(status).", detail: "HTTP \(status)")
        }
        return String(decoding: download.body, as: UTF8.self)
    }

    private static func resolve(_ host: String) -> [[UInt8]] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0 else { return [] }
        defer { freeaddrinfo(list) }
        var addresses: [[UInt8]] = []
        var entry = list
        while let current = entry {
            if let address = current.pointee.ai_addr, let bytes = PublicAddress.bytes(of: address) { addresses.append(bytes) }
            entry = current.pointee.ai_next
        }
        return addresses
    }
}

/// What one transfer received, and the address it refused if it refused one.
private final class Download {
    let allowPrivate: Bool
    var body: [UInt8] = []
    var refused: String?

    init(allowPrivate: Bool) {
        self.allowPrivate = allowPrivate
    }
}

private func openPublicSocket(_ context: UnsafeMutableRawPointer?, _ purpose: curlsocktype, _ address: UnsafeMutablePointer<curl_sockaddr>?) -> curl_socket_t {
    guard let context, let address else { return CURL_SOCKET_BAD }
    let download = Unmanaged<Download>.fromOpaque(context).takeUnretainedValue()
    guard let bytes = PublicAddress.bytes(of: mayago_curl_sockaddr(address)) else { return CURL_SOCKET_BAD }
    guard download.allowPrivate || PublicAddress.isPublic(bytes) else {
        download.refused = bytes.count == 4 ? bytes.map(String.init).joined(separator: ".") : "an IPv6 address"
        return CURL_SOCKET_BAD
    }
    return socket(address.pointee.family, address.pointee.socktype, address.pointee.protocol)
}

private func keepBody(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let download = Unmanaged<Download>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    // Returning less than was given stops the transfer: a body without a length is capped here.
    guard download.body.count + length <= CalendarFetcher.maximumBytes else { return 0 }
    data.withMemoryRebound(to: UInt8.self, capacity: length) { download.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: length)) }
    return length
}
