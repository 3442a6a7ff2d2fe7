import AsyncHTTPClient
import Contracts
import Crypto
import Foundation
import NIOCore
import NIOHTTP1

/// Objects in a bucket of an S3-compatible store (AWS S3, MinIO, Ceph…), every request signed with SigV4 over
/// async-http-client. `endpoint` is the store's base URL; objects are addressed path-style
/// (`endpoint/bucket/prefix/key`), which every S3-compatible store answers.
public struct S3ObjectStore: ObjectStore {
    public let endpoint: URL
    public let bucket: String
    /// The folder of the bucket this store's keys are under (empty for its root).
    public let keyPrefix: String
    let signer: SigV4
    let client: HTTPClient
    let clock: @Sendable () -> Date

    public init(
        endpoint: URL, bucket: String, keyPrefix: String = "", region: String, credentials: SigV4.Credentials, client: HTTPClient = .mayaGo,
        clock: @escaping @Sendable () -> Date = Date.init
    ) {
        self.endpoint = endpoint
        self.bucket = bucket
        self.keyPrefix = keyPrefix
        self.signer = SigV4(credentials: credentials, region: region)
        self.client = client
        self.clock = clock
    }

    /// A store answered with a status this client does not expect.
    public struct Failure: Error, CustomStringConvertible {
        public let method: String
        public let key: String
        public let status: UInt
        public let body: String
        public var description: String { "S3 \(method) \(key) answered \(status): \(body)" }
    }

    public func put(_ key: String, _ bytes: ByteBuffer, contentType: String) async throws {
        let hash = SHA256.hash(data: bytes.readableBytesView).hexString
        _ = try await send(.PUT, key, body: bytes, headers: ["Content-Type": contentType], payloadHash: hash, expecting: [200])
    }

    public func get(_ key: String) async throws -> ByteBuffer? {
        let (status, body) = try await send(.GET, key, expecting: [200, 404])
        return status == 404 ? nil : body
    }

    public func delete(_ key: String) async throws {
        _ = try await send(.DELETE, key, expecting: [200, 204, 404])
    }

    public func signedURL(for key: String, expiresIn expiry: Duration) -> URL? {
        guard (try? InvalidObjectKey.check(key)) != nil else { return nil }
        return signer.presign(url: url(of: key), expiry: Int(expiry.components.seconds), at: clock())
    }

    /// Makes the bucket when it is not there (for development stores and tests; production buckets are made by
    /// their operator, with their own policies).
    public func createBucket() async throws {
        _ = try await send(.PUT, nil, expecting: [200, 409])
    }

    private func url(of key: String?) -> URL {
        var url = endpoint.appendingPathComponent(bucket)
        if let key { url = url.appendingPathComponent(keyPrefix.isEmpty ? key : "\(keyPrefix)/\(key)") }
        return url
    }

    private func send(
        _ method: HTTPMethod, _ key: String?, body: ByteBuffer? = nil, headers extra: [String: String] = [:],
        payloadHash: String = SHA256.hash(data: Data()).hexString, expecting statuses: Set<UInt>
    ) async throws -> (status: UInt, body: ByteBuffer) {
        if let key { try InvalidObjectKey.check(key) }
        let url = url(of: key)
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = method
        for (name, value) in extra { request.headers.add(name: name, value: value) }
        for (name, value) in signer.headers(method: method.rawValue, url: url, headers: extra, payloadHash: payloadHash, at: clock()) {
            request.headers.add(name: name, value: value)
        }
        if let body { request.body = .bytes(body) }
        let response = try await client.execute(request, timeout: .seconds(60))
        let received = try await response.body.collect(upTo: 1 << 30)
        guard statuses.contains(response.status.code) else {
            throw Failure(method: method.rawValue, key: key ?? "", status: response.status.code, body: String(buffer: received))
        }
        return (response.status.code, received)
    }
}
