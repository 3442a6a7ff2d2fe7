import Foundation
import NIOCore

/// Where files live (photos, attachments, exports), by key (`photos/…/640.webp`): a folder for one machine, an
/// S3-compatible bucket for several. Keys are made by the services, never taken from a client.
public protocol ObjectStore: Sendable {
    /// Stores `bytes` under `key`, replacing what was there.
    func put(_ key: String, _ bytes: ByteBuffer, contentType: String) async throws
    /// The bytes under `key`, `nil` when there are none.
    func get(_ key: String) async throws -> ByteBuffer?
    /// Forgets `key`; nothing when it is not there.
    func delete(_ key: String) async throws
    /// A URL that gives `key`'s bytes to whoever holds it until `expiry` has passed, or `nil` when the store has no
    /// such URLs (the folder) and the service serves the bytes itself.
    func signedURL(for key: String, expiresIn expiry: Duration) -> URL?
}

/// A key that is not a plain relative path of `[A-Za-z0-9._-]` segments.
public struct InvalidObjectKey: Error, CustomStringConvertible {
    public let key: String
    public var description: String { "Invalid object key \(key)" }

    /// Throws unless every segment of `key` is plain: no empty, `.` or `..` segments, nothing that a folder or a URL
    /// would read differently.
    static func check(_ key: String) throws {
        let segments = key.split(separator: "/", omittingEmptySubsequences: false)
        let plain =
            !segments.isEmpty
            && segments.allSatisfy { segment in
                !segment.isEmpty && segment != "." && segment != ".."
                    && segment.utf8.allSatisfy { byte in
                        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                            || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
                    }
            }
        guard plain else { throw InvalidObjectKey(key: key) }
    }
}
