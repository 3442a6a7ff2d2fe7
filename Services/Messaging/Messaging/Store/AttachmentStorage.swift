import Contracts
import Crypto
import Foundation
import NIOCore

/// Where attachments' bytes live, by content hash: one copy however often a file is uploaded. The disk is the
/// default; an object store can take its place behind the same protocol.
protocol AttachmentStorage: Sendable {
    /// Stores the bytes of `body`, refusing more than `limit` bytes, and returns their SHA-256 (hex) and size.
    func store(_ body: some AsyncSequence<ByteBuffer, any Error> & Sendable, limit: Int) async throws -> (sha256: String, size: Int64)
    /// The stored bytes of `sha256`, `nil` when there are none.
    func read(_ sha256: String) async throws -> ByteBuffer?
    /// Forgets the bytes of `sha256`; nothing when there are none.
    func delete(_ sha256: String) async throws
}

/// What ``AttachmentStorage/store(_:limit:)`` throws when the body is larger than allowed.
struct AttachmentTooLarge: Error {}

/// Files under a folder, `ab/abcdef…` by hash; written to a temporary name and renamed into place, so that a
/// reader never sees half a file.
struct DiskAttachmentStorage: AttachmentStorage {
    let folder: URL

    func store(_ body: some AsyncSequence<ByteBuffer, any Error> & Sendable, limit: Int) async throws -> (sha256: String, size: Int64) {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let temporary = folder.appendingPathComponent(".upload-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
        defer { try? FileManager.default.removeItem(at: temporary) }
        let file = try FileHandle(forWritingTo: temporary)
        var hasher = SHA256()
        var size = 0
        do {
            for try await chunk in body {
                size += chunk.readableBytes
                guard size <= limit else { throw AttachmentTooLarge() }
                chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
                try file.write(contentsOf: chunk.readableBytesView)
            }
            try file.close()
        } catch {
            try? file.close()
            throw error
        }
        let sha256 = hasher.finalize().hexString
        let destination = path(of: sha256)
        if !FileManager.default.fileExists(atPath: destination.path) {
            try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            // Another upload of the same bytes may have won the race; its file is the same.
            do { try FileManager.default.moveItem(at: temporary, to: destination) } catch  where FileManager.default.fileExists(atPath: destination.path) {}
        }
        return (sha256, Int64(size))
    }

    func read(_ sha256: String) async throws -> ByteBuffer? {
        guard let data = FileManager.default.contents(atPath: path(of: sha256).path) else { return nil }
        return ByteBuffer(bytes: data)
    }

    func delete(_ sha256: String) async throws {
        do { try FileManager.default.removeItem(at: path(of: sha256)) } catch CocoaError.fileNoSuchFile {}
    }

    private func path(of sha256: String) -> URL {
        folder.appendingPathComponent(String(sha256.prefix(2))).appendingPathComponent(sha256)
    }
}
