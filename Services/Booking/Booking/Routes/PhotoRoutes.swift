import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import Imaging
import ServiceKit

/// `POST /api/v1/experiences/{id}/photos` takes a photo as the raw body with its `Content-Type`; `GET` lists them;
/// `PUT …/photos/order` orders them (the first ready one is the cover); `DELETE …/photos/{photoId}` removes one;
/// `GET …/photos/{photoId}/{file}` serves a size (`640.webp`, `1280.jpg`, …) or the `original`. A review's author
/// adds its photos with `POST /api/v1/reviews/{id}/photos`.
struct PhotoRoutes {
    let booking: BookingService

    func addRoutes(to router: ServiceRouter) {
        let group = router.group("api/v1/experiences/:id/photos")
        group.post(use: upload)
        group.get(use: list)
        group.put("order", use: reorder)
        group.delete(":photoId", use: delete)
        group.get(":photoId/:file", use: file)
        router.post("api/v1/reviews/:id/photos", use: uploadToReview)
    }

    struct Order: Decodable {
        var photoIds: [UUID]
    }

    /// All of an experience's photos at once (twenty at most), in the shape of a page.
    struct PhotoPage: ResponseEncodable {
        var items: [Photo]
    }

    @Sendable func upload(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let caller = try context.requireIdentity()
        let experienceID = try context.parameters.require("id", as: UUID.self)
        let photo = try await booking.uploadPhoto(
            request.body, type: request.mediaType, length: request.headers[.contentLength].flatMap(Int64.init), experienceID: experienceID,
            by: caller)
        return try .json(photo, status: .created)
    }

    @Sendable func uploadToReview(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let caller = try context.requireIdentity()
        let reviewID = try context.parameters.require("id", as: UUID.self)
        guard let (review, _) = try await booking.reviews.find(reviewID) else { throw Problem.notFound("No such review.") }
        let photo = try await booking.uploadPhoto(
            request.body, type: request.mediaType, length: request.headers[.contentLength].flatMap(Int64.init),
            experienceID: review.experienceId, reviewID: reviewID, by: caller)
        return try .json(photo, status: .created)
    }

    @Sendable func list(_ request: Request, context: ServiceRequestContext) async throws -> PhotoPage {
        PhotoPage(items: try await booking.photos(of: try context.parameters.require("id", as: UUID.self), to: context.identity))
    }

    @Sendable func reorder(_ request: Request, context: ServiceRequestContext) async throws -> PhotoPage {
        let caller = try context.requireIdentity()
        let order = try await request.decode(as: Order.self, context: context)
        guard order.photoIds.count <= booking.settings.photoLimits.perExperience else {
            throw Problem.invalid("photoIds", "must list at most \(booking.settings.photoLimits.perExperience) photos")
        }
        let photos = try await booking.reorderPhotos(of: try context.parameters.require("id", as: UUID.self), order.photoIds, by: caller)
        return PhotoPage(items: photos)
    }

    @Sendable func delete(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let caller = try context.requireIdentity()
        try await booking.deletePhoto(
            try context.parameters.require("photoId", as: UUID.self), of: try context.parameters.require("id", as: UUID.self), by: caller)
        return Response(status: .noContent)
    }

    /// A size of a photo: its bytes, or where a store that signs URLs gives them for the next hour. Sizes never
    /// change under their URL (a photo's id is new with each upload), so caches keep them.
    @Sendable func file(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        guard let file = PhotoFile(name: try context.parameters.require("file")),
            let photoID = UUID(uuidString: try context.parameters.require("photoId"))
        else { throw Problem.notFound("No such photo.") }
        let (photo, key) = try await booking.photoFile(
            file, of: photoID, experienceID: try context.parameters.require("id", as: UUID.self), to: context.identity)
        let cache = file == .original ? "private, no-store" : "public, max-age=31536000, immutable"
        let headers: HTTPFields = [
            .contentType: file.encoding?.mediaType ?? photo.contentType, .cacheControl: cache, .xContentTypeOptions: "nosniff",
            .contentSecurityPolicy: "sandbox; default-src 'none'", .eTag: "\"\(photo.id.lowercasedString)-\(file.name)\"",
        ]
        let redirectCaching = file == .original ? cache : "public, max-age=600"
        guard let answer = try await booking.objects.answer(key, headers: headers, signedFor: .seconds(3600), redirectCaching: redirectCaching)
        else { throw Problem.notFound("No such photo.") }
        return answer
    }
}
