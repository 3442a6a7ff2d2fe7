import Crypto
import Foundation
import NIOCore
import NIOFoundationCompat

/// The web app's files (`WEB_ROOT`, plain HTML, CSS and JavaScript modules without a build step), read once at start
/// and served from memory, each with a strong `ETag`; a path outside the API's trees that names no file is one of the
/// app's own pages (`/verify-email`, `/experiences/…`) and gets its shell, `index.html`.
struct WebApp: Sendable {
    struct File: Sendable {
        let body: ByteBuffer
        let contentType: String
        let eTag: String
    }

    /// By path from the root, with its leading `/`.
    let files: [String: File]

    /// The paths that are never the app's: the API, the docs, health and well-known documents.
    static let reserved = ["/api/", "/internal/", "/docs", "/health", "/ready", "/metrics", "/.well-known/"]

    static let contentTypes = [
        "html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8",
        "json": "application/json", "webmanifest": "application/manifest+json", "svg": "image/svg+xml", "png": "image/png",
        "ico": "image/x-icon", "txt": "text/plain; charset=utf-8", "webp": "image/webp", "jpg": "image/jpeg",
    ]

    /// Every file under `root` of a known type; empty when there is no such folder.
    static func load(from root: URL) throws -> WebApp {
        var files: [String: File] = [:]
        let base = root.standardizedFileURL.path
        guard let walker = FileManager.default.enumerator(at: root.standardizedFileURL, includingPropertiesForKeys: [.isRegularFileKey]) else {
            return WebApp(files: [:])
        }
        for case let url as URL in walker {
            guard try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true,
                let contentType = contentTypes[url.pathExtension.lowercased()]
            else { continue }
            let data = try Data(contentsOf: url)
            let path = String(url.standardizedFileURL.path.dropFirst(base.count))
            let digest = Data(SHA256.hash(data: data)).prefix(12).base64EncodedString()
            files[path.hasPrefix("/") ? path : "/" + path] = File(body: ByteBuffer(data: data), contentType: contentType, eTag: "\"\(digest)\"")
        }
        return WebApp(files: files)
    }

    /// What a `GET` of `path` is answered with, if the app has it.
    func file(for path: String) -> File? {
        if let file = files[path == "/" ? "/index.html" : path] { return file }
        guard !Self.reserved.contains(where: { path.hasPrefix($0) || path == $0.trimmingCharacters(in: ["/"]) }),
            !(path.split(separator: "/").last ?? "").contains(".")
        else { return nil }
        return files["/index.html"]
    }
}
