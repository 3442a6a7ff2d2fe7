import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import Imaging
import Logging
import NIOCore
import ServiceKit

/// A user's avatar: uploaded raw, checked from its header, resized by ``AvatarJob`` into square-ish sizes without
/// metadata, and shown on their public profile once ready.
extension AuthService {
    static let maxAvatarBytes = 5 << 20

    /// Stores `body` as the user's next avatar; its sizes follow in the background. Returns its version.
    func uploadAvatar(_ body: RequestBody, type: String, length: Int64?, of user: UserRecord) async throws -> Int64 {
        guard ImageFormat(mediaType: type) != nil else {
            throw Problem(
                .unsupportedMediaType, detail: "Send the avatar as the raw body with its Content-Type: JPEG, PNG, WebP or HEIC.",
                errors: [.init(field: "Content-Type", message: "must be an image type")])
        }
        let tooLarge = Problem(
            .contentTooLarge, detail: "An avatar may be at most \(Self.maxAvatarBytes) bytes.",
            errors: [.init(field: "body", message: "must be at most \(Self.maxAvatarBytes) bytes")])
        if let length, length > Int64(Self.maxAvatarBytes) { throw tooLarge }
        let bytes: ByteBuffer
        do { bytes = try await body.collect(upTo: Self.maxAvatarBytes) } catch let error as HTTPError where error.status == .contentTooLarge { throw tooLarge }
        do { _ = try await images.probe(bytes) } catch { throw Problem.refused("body", "must be a JPEG, PNG, WebP or HEIC image of at most 80 million pixels") }
        let version = try await avatars.nextVersion(of: user.id, at: clock.now(), hold: 60)
        try await objects.put(AvatarFiles.key(user.id, version: version, "original"), bytes, contentType: type)
        try await avatars.release(user.id, version: version, at: clock.now())
        return version
    }

    /// Makes the sizes of the next avatar due, if any; returns whether there was one.
    func makeNextAvatar() async throws -> Bool {
        guard let (userID, version, attempts) = try await avatars.claim(at: clock.now(), lease: 300) else { return false }
        do {
            let previous = try await avatars.readyVersion(of: userID)
            guard let source = try await objects.get(AvatarFiles.key(userID, version: version, "original")) else {
                try await avatars.fail(userID, version: version, error: "The upload is gone.", retryAt: nil)
                return true
            }
            for variant in try await images.variants(of: source, widths: AvatarFiles.widths, encodings: ImageEncoding.allCases) {
                let name = "\(variant.width).\(variant.encoding == .jpeg ? "jpg" : "webp")"
                try await objects.put(AvatarFiles.key(userID, version: version, name), variant.bytes, contentType: variant.encoding.mediaType)
            }
            if try await avatars.finish(userID, version: version), let previous, previous != version {
                try await deleteAvatarFiles(userID, version: previous)
            }
        } catch let error as ImageError {
            try await avatars.fail(userID, version: version, error: "\(error)", retryAt: nil)
        } catch {
            logger.warning("Avatar sizes failed", metadata: ["user": "\(userID)", "attempt": "\(attempts)", "error": "\(error)"])
            let retry = attempts >= 8 ? nil : clock.now().addingTimeInterval(min(pow(2, Double(attempts)), 600))
            try await avatars.fail(userID, version: version, error: "\(error)", retryAt: retry)
        }
        return true
    }

    func removeAvatar(of userID: UUID) async throws {
        for version in try await avatars.remove(userID) { try await deleteAvatarFiles(userID, version: version) }
    }

    /// File `name` of a ready avatar version, for anyone: a profile is public.
    func avatarFile(of userID: UUID, version: Int64, name: String) async throws -> (key: String, mediaType: String) {
        guard AvatarFiles.sizes.contains(name), try await avatars.readyVersion(of: userID) == version else { throw Problem.notFound("No such avatar.") }
        return (AvatarFiles.key(userID, version: version, name), name.hasSuffix(".jpg") ? "image/jpeg" : "image/webp")
    }

    private func deleteAvatarFiles(_ userID: UUID, version: Int64) async throws {
        for name in ["original"] + AvatarFiles.sizes {
            try await objects.delete(AvatarFiles.key(userID, version: version, name))
        }
    }
}
