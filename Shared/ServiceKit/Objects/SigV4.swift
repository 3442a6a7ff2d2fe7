import Contracts
import Crypto
import Foundation

/// AWS Signature Version 4 for S3-compatible stores: the `Authorization` header of a request, and presigned URLs.
/// Pure: the time is given, so the documented examples can be checked exactly.
public struct SigV4: Sendable {
    public struct Credentials: Sendable {
        public let accessKeyID: String
        public let secretAccessKey: String

        public init(accessKeyID: String, secretAccessKey: String) {
            self.accessKeyID = accessKeyID
            self.secretAccessKey = secretAccessKey
        }
    }

    /// The hash that stands for a body the signature does not cover (presigned URLs).
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"

    public let credentials: Credentials
    public let region: String
    public let service: String

    public init(credentials: Credentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// The headers to add to a request for `url`: `x-amz-date`, `x-amz-content-sha256` and `Authorization`, signing
    /// `host` and every header in `headers` (names in any case).
    public func headers(method: String, url: URL, headers: [String: String] = [:], payloadHash: String, at date: Date) -> [String: String] {
        let stamp = Stamp(date)
        var signed = Dictionary(uniqueKeysWithValues: headers.map { ($0.key.lowercased(), $0.value.trimmingCharacters(in: .whitespaces)) })
        signed["host"] = Self.host(of: url)
        signed["x-amz-date"] = stamp.time
        signed["x-amz-content-sha256"] = payloadHash
        let names = signed.keys.sorted()
        let canonical = [
            method, Self.canonicalPath(url), Self.canonicalQuery(Self.query(of: url)),
            names.map { "\($0):\(signed[$0]!)\n" }.joined(), names.joined(separator: ";"), payloadHash,
        ].joined(separator: "\n")
        let signature = sign(canonical, stamp: stamp)
        return [
            "x-amz-date": stamp.time, "x-amz-content-sha256": payloadHash,
            "Authorization":
                "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope(stamp)), SignedHeaders=\(names.joined(separator: ";")), Signature=\(signature)",
        ]
    }

    /// `url` with the query that lets anyone `method` it until `expiry` seconds after `date` (at most seven days).
    public func presign(method: String = "GET", url: URL, expiry: Int, at date: Date) -> URL {
        let stamp = Stamp(date)
        var query = Self.query(of: url)
        query += [
            ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"), ("X-Amz-Credential", "\(credentials.accessKeyID)/\(scope(stamp))"),
            ("X-Amz-Date", stamp.time), ("X-Amz-Expires", String(min(max(expiry, 1), 604_800))), ("X-Amz-SignedHeaders", "host"),
        ]
        let canonicalQuery = Self.canonicalQuery(query)
        let canonical = [method, Self.canonicalPath(url), canonicalQuery, "host:\(Self.host(of: url))\n", "host", Self.unsignedPayload]
            .joined(separator: "\n")
        var components = URLComponents(url: url, resolvingAgainstBaseURL: false)!
        components.percentEncodedQuery = canonicalQuery + "&X-Amz-Signature=" + sign(canonical, stamp: stamp)
        return components.url!
    }

    private func sign(_ canonicalRequest: String, stamp: Stamp) -> String {
        let stringToSign = [
            "AWS4-HMAC-SHA256", stamp.time, scope(stamp), SHA256.hash(data: Data(canonicalRequest.utf8)).hexString,
        ].joined(separator: "\n")
        var key = SymmetricKey(data: Data("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [stamp.day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        return Data(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key)).hexString
    }

    private func scope(_ stamp: Stamp) -> String { "\(stamp.day)/\(region)/\(service)/aws4_request" }

    private static func host(of url: URL) -> String {
        let host = url.host ?? ""
        guard let port = url.port, !(url.scheme == "https" && port == 443), !(url.scheme == "http" && port == 80) else { return host }
        return "\(host):\(port)"
    }

    /// The path as S3 signs it: each segment percent-encoded once, `/` kept.
    private static func canonicalPath(_ url: URL) -> String {
        let path = URLComponents(url: url, resolvingAgainstBaseURL: false)?.path ?? "/"
        return path.isEmpty ? "/" : path.split(separator: "/", omittingEmptySubsequences: false).map { encode(String($0)) }.joined(separator: "/")
    }

    private static func query(of url: URL) -> [(String, String)] {
        (URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems ?? []).map { ($0.name, $0.value ?? "") }
    }

    private static func canonicalQuery(_ items: [(String, String)]) -> String {
        items.map { (encode($0.0), encode($0.1)) }.sorted { $0 < $1 }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// RFC 3986 encoding as AWS asks: everything but `A-Z a-z 0-9 - . _ ~`.
    static func encode(_ value: String) -> String {
        var encoded = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                encoded += String(format: "%%%02X", byte)
            }
        }
        return encoded
    }

    /// The request's time as SigV4 writes it: `20130524T000000Z` and its day.
    private struct Stamp {
        let time: String
        var day: String { String(time.prefix(8)) }

        init(_ date: Date) {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
            time = String(format: "%04d%02d%02dT%02d%02d%02dZ", parts.year!, parts.month!, parts.day!, parts.hour!, parts.minute!, parts.second!)
        }
    }
}
