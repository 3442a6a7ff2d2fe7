import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import Imaging
import NIOCore
import PostgresNIO
import ServiceKit

/// Photos of experiences (by their provider) and of reviews (by their author): uploads are checked from their
/// header, kept privately, and resized by ``PhotoVariants`` in the background; the sizes are public wherever the
/// experience is.
extension BookingService {
    /// Stores the upload `body` (declared as `type`, announced as `length` bytes when known) as a photo of
    /// experience `experienceID`, or of review `reviewID` of it.
    func uploadPhoto(
        _ body: RequestBody, type: String, length: Int64?, experienceID: UUID, reviewID: UUID? = nil, by caller: Identity
    ) async throws -> Photo {
        let limits = settings.photoLimits
        if let refusal = limits.refusal(mediaType: type, size: length) { throw refusal }
        // Who may add photos is known before the body is read.
        if let reviewID {
            guard let (review, _) = try await reviews.find(reviewID), review.travelerId == caller.userID || caller.role == .admin,
                review.experienceId == experienceID
            else { throw Problem.notFound("No such review.") }
        } else {
            guard let experience = try await experiences.find(experienceID), experience.providerId == caller.userID || caller.role == .admin else {
                throw Problem.notFound("No such experience.")
            }
        }
        let bytes: ByteBuffer
        do {
            bytes = try await body.collect(upTo: limits.maxBytes)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw limits.tooLarge
        }
        let info: ImageInfo
        do {
            info = try await images.probe(bytes)
        } catch ImageError.tooManyPixels {
            throw Problem.refused("body", "must have at most \(ImageProcessor.maxPixels) pixels")
        } catch is ImageError {
            throw Problem.refused("body", "must be a JPEG, PNG, WebP or HEIC image")
        }
        let photo = Photo(
            id: UUID.random(), experienceId: experienceID, reviewId: reviewID, ownerId: caller.userID, position: 0, status: .processing,
            contentType: info.format.mediaTypes.sorted()[0], size: Int64(bytes.readableBytes), width: info.width, height: info.height,
            lastError: nil, createdAt: clock.now())
        // The bytes first: a row never points at nothing. A refused row leaves them behind, and they are taken back.
        try await objects.put(photo.key(of: .original), bytes, contentType: photo.contentType)
        do {
            return try await transaction { connection in
                // The experience's row, locked, counts each upload once however many arrive together.
                guard try await experiences.find(experienceID, on: connection, forUpdate: true) != nil else {
                    throw Problem.notFound("No such experience.")
                }
                let count = try await photos.count(experienceID: experienceID, reviewID: reviewID, on: connection)
                let refusal =
                    reviewID == nil
                    ? PhotoLimits.full(count, limit: limits.perExperience, of: "This experience")
                    : PhotoLimits.full(count, limit: limits.perReview, of: "This review")
                if let refusal { throw refusal }
                return try await photos.insert(photo, on: connection)
            }
        } catch {
            try? await objects.delete(photo.key(of: .original))
            throw error
        }
    }

    /// The experience's own photos in order: the ready ones to anyone who may see it, all of them to its provider.
    func photos(of experienceID: UUID, to identity: Identity?) async throws -> [Photo] {
        let experience = try await visibleExperience(experienceID, to: identity)
        return try await photos.list(experienceID: experienceID, all: isOwner(identity, of: experience))
    }

    /// Puts the experience's photos in the order of `ids` (all of them, each once); the first ready one is the cover.
    func reorderPhotos(of experienceID: UUID, _ ids: [UUID], by identity: Identity) async throws -> [Photo] {
        try await transaction { connection in
            _ = try await ownedExperience(experienceID, by: identity, on: connection)
            guard try await photos.reorder(experienceID: experienceID, ids, on: connection) else {
                throw Problem.refused("photoIds", "must list each of the experience's photos exactly once")
            }
            try await refreshCover(of: experienceID, on: connection)
        }
        return try await photos.list(experienceID: experienceID, all: true)
    }

    /// Deletes a photo of the experience (by its provider) and its files; the cover moves to the next photo.
    func deletePhoto(_ photoID: UUID, of experienceID: UUID, by identity: Identity) async throws {
        let photo = try await transaction { connection in
            _ = try await ownedExperience(experienceID, by: identity, on: connection)
            guard let photo = try await photos.find(photoID, experienceID: experienceID, on: connection), photo.reviewId == nil else {
                throw Problem.notFound("No such photo.")
            }
            try await refreshCover(of: experienceID, excluding: photoID, on: connection)
            try await photos.delete(photoID, on: connection)
            return photo
        }
        // The row is gone, so nothing links to the files any more; one left behind by a store that is down is
        // unreachable, and only costs its bytes.
        for key in Photo.keys(ofPhoto: photo.id) {
            do { try await objects.delete(key) } catch {
                logger.warning("A deleted photo's file stays in the object store", metadata: ["key": "\(key)", "error": "\(error)"])
            }
        }
    }

    /// Where `file` of a photo is, if the caller may have it: a variant of a ready photo wherever the experience is
    /// visible; the original to its uploader, the experience's provider and admins.
    func photoFile(_ file: PhotoFile, of photoID: UUID, experienceID: UUID, to identity: Identity?) async throws -> (Photo, key: String) {
        let experience = try await visibleExperience(experienceID, to: identity)
        guard let photo = try await photos.find(photoID, experienceID: experienceID) else { throw Problem.notFound("No such photo.") }
        let mayHaveOriginal = isOwner(identity, of: experience) || identity?.userID == photo.ownerId
        guard file == .original ? mayHaveOriginal : photo.status == .ready else { throw Problem.notFound("No such photo.") }
        return (photo, photo.key(of: file))
    }

    /// Points the experience's cover at its first ready photo and tells Search, if that changed it.
    func refreshCover(of experienceID: UUID, excluding: UUID? = nil, on connection: PostgresConnection) async throws {
        guard try await photos.refreshCover(experienceID: experienceID, excluding: excluding, at: clock.now(), on: connection),
            let experience = try await experiences.find(experienceID, on: connection)
        else { return }
        try await feed(experience, on: connection)
    }

    private func isOwner(_ identity: Identity?, of experience: Experience) -> Bool {
        identity.map { $0.userID == experience.providerId || $0.role == .admin } == true
    }
}
