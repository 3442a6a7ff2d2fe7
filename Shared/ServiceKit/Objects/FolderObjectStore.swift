import Foundation
import NIOCore
import NIOFileSystem

/// Objects as files under a folder, for one machine (`make run`, a single host with a volume); it signs no URLs.
/// A file is written under a temporary name and linked into place when complete, so a reader never sees half of one.
public struct FolderObjectStore: ObjectStore {
    public let folder: FilePath

    public init(folder: String) {
        self.folder = FilePath(folder)
    }

    public func put(_ key: String, _ bytes: ByteBuffer, contentType: String) async throws {
        let path = try self.path(of: key)
        do {
            try await FileSystem.shared.createDirectory(at: path.removingLastComponent(), withIntermediateDirectories: true)
        } catch let error as FileSystemError where error.code == .fileAlreadyExists {}
        try await FileSystem.shared.withFileHandle(forWritingAt: path, options: .newFile(replaceExisting: true)) { file in
            _ = try await file.write(contentsOf: bytes.readableBytesView, toAbsoluteOffset: 0)
        }
    }

    public func get(_ key: String) async throws -> ByteBuffer? {
        do {
            return try await FileSystem.shared.withFileHandle(forReadingAt: try path(of: key)) { file in
                try await file.readToEnd(maximumSizeAllowed: .gibibytes(1))
            }
        } catch let error as FileSystemError where error.code == .notFound {
            return nil
        }
    }

    public func delete(_ key: String) async throws {
        try await FileSystem.shared.removeItem(at: try path(of: key), strategy: .platformDefault, recursively: false)
    }

    public func signedURL(for key: String, expiresIn expiry: Duration) -> URL? { nil }

    private func path(of key: String) throws -> FilePath {
        try InvalidObjectKey.check(key)
        return folder.appending(key)
    }
}
