import Contracts
import Crypto
import NIOCore
import ServiceKit

/// Attachments' bytes in the object store, by content hash (`ab/abcdef…`): one copy however often a file is
/// uploaded.
struct AttachmentFiles: Sendable {
    let objects: any ObjectStore

    /// Stores the bytes of `body`, refusing more than `limit` bytes, and returns their SHA-256 (hex) and size.
    func store(_ body: some AsyncSequence<ByteBuffer, any Error> & Sendable, limit: Int, contentType: String) async throws -> (sha256: String, size: Int64) {
        var bytes = ByteBuffer()
        var hasher = SHA256()
        for try await chunk in body {
            guard bytes.readableBytes + chunk.readableBytes <= limit else { throw AttachmentTooLarge() }
            chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
            bytes.writeImmutableBuffer(chunk)
        }
        let sha256 = hasher.finalize().hexString
        // The same bytes under the same key: another upload of them writes what is already there.
        if bytes.readableBytes > 0 { try await objects.put(Self.key(sha256), bytes, contentType: contentType) }
        return (sha256, Int64(bytes.readableBytes))
    }

    /// The stored bytes of `sha256`, `nil` when there are none.
    func read(_ sha256: String) async throws -> ByteBuffer? {
        try await objects.get(Self.key(sha256))
    }

    /// Forgets the bytes of `sha256`; nothing when there are none.
    func delete(_ sha256: String) async throws {
        try await objects.delete(Self.key(sha256))
    }

    private static func key(_ sha256: String) -> String {
        "\(sha256.prefix(2))/\(sha256)"
    }
}

/// What ``AttachmentFiles/store(_:limit:contentType:)`` throws when the body is larger than allowed.
struct AttachmentTooLarge: Error {}
