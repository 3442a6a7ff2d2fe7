import Foundation
import HTTPTypes
import Hummingbird

extension ObjectStore {
    /// `key` as the answer to a download: a 302 to where the store serves it for `expiry` (cached as
    /// `redirectCaching` says), or, from a store that signs no URLs, its bytes with `headers`; `nil` when it is not
    /// there.
    public func answer(_ key: String, headers: HTTPFields, signedFor expiry: Duration, redirectCaching: String) async throws -> Response? {
        if let url = signedURL(for: key, expiresIn: expiry) {
            return Response(status: .found, headers: [.location: url.absoluteString, .cacheControl: redirectCaching])
        }
        guard let bytes = try await get(key) else { return nil }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: bytes))
    }
}
