import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Imaging
import NIOCore
import NIOFoundationCompat
import PostgresNIO
import ServiceKit
import TestSupport
import Testing

@testable import Booking

@Suite struct PhotoTests {
    @Test func aProvidersPhotoIsResizedInTheBackgroundAndBecomesTheCover() async throws {
        try await BookingHarness.run { booking in
            let provider = try await BookingHarness.user(.provider)
            let traveler = try await BookingHarness.user(.traveler)
            let experience = try await booking.publishedExperience(of: provider)
            let path = "/api/v1/experiences/\(experience.id.uuidString.lowercased())/photos"
            let png = TestImages.png(width: 1400, height: 700)

            // Only the experience's provider adds photos; only images of the accepted kinds, within the size.
            #expect(try await booking.upload(png, "image/png", to: path, as: traveler).status == .notFound)
            #expect(try await booking.upload(png, "image/png", to: path, as: nil).status == .unauthorized)
            let gif = try await booking.upload(Data("GIF89a".utf8), "image/gif", to: path, as: provider)
            #expect(gif.status == .unsupportedMediaType && gif.problem?.errors?.first?.field == "Content-Type")
            let text = try await booking.upload(Data("no picture here".utf8), "image/jpeg", to: path, as: provider)
            #expect(text.status == .unprocessableContent && text.problem?.errors?.first?.field == "body")
            #expect(try await booking.count("SELECT count(*)::int FROM photos") == 0)

            let uploaded = try await booking.upload(png, "image/png", to: path, as: provider)
            #expect(uploaded.status == .created)
            let photo = try uploaded.json
            #expect(photo["status"] as? String == "processing" && photo["width"] as? Int == 1400 && photo["links"] == nil)
            let id = try #require(photo["id"] as? String).lowercased()

            // Until its sizes exist, the public sees no photo; its provider sees the upload.
            let ready = try await eventually(timeout: .seconds(30)) {
                try await booking.send(.get, path, as: provider).json["items"].flatMap { ($0 as? [[String: Any]])?.first?["status"] as? String } == "ready"
            }
            #expect(ready)
            let listed = try #require(try await booking.send(.get, path).json["items"] as? [[String: Any]])
            #expect(listed.count == 1)
            let links = try #require(listed[0]["links"] as? [String: Any])
            #expect(links["url"] as? String == "\(path)/\(id)/640.jpg")

            for (file, type, width) in [("320.webp", "image/webp", 320), ("640.jpg", "image/jpeg", 640), ("1280.webp", "image/webp", 1280)] {
                let served = try await booking.send(.get, "\(path)/\(id)/\(file)")
                #expect(served.status == .ok && served.headers[.contentType] == type, "\(file)")
                #expect(served.headers[.cacheControl] == "public, max-age=31536000, immutable")
                #expect(try await ImageProcessor().probe(served.body).width == width, "\(file)")
            }
            // The upload itself (which may carry GPS) is its provider's alone.
            #expect(try await booking.send(.get, "\(path)/\(id)/original").status == .notFound)
            #expect(try await booking.send(.get, "\(path)/\(id)/original", as: traveler).status == .notFound)
            let original = try await booking.send(.get, "\(path)/\(id)/original", as: provider)
            #expect(original.status == .ok && Data(buffer: original.body) == png)
            #expect(try await booking.send(.get, "\(path)/\(id)/2000.jpg").status == .notFound)

            // The first ready photo is the experience's cover, and Search hears of it.
            let shown = try await booking.send(.get, "/api/v1/experiences/\(experience.id)").decode(Experience.self)
            #expect(shown.coverPhoto?.id.uuidString.lowercased() == id)
            #expect(
                await booking.peers.first(SearchFeedEvent.self, at: SearchFeedEvent.path) { $0.experience?.coverPhoto?.url == "\(path)/\(id)/640.jpg" } != nil)
        }
    }

    @Test func theProviderOrdersAndDeletesPhotosAndTheCoverFollows() async throws {
        try await BookingHarness.run { booking in
            let provider = try await BookingHarness.user(.provider)
            let other = try await BookingHarness.user(.provider)
            let experience = try await booking.publishedExperience(of: provider)
            let path = "/api/v1/experiences/\(experience.id)/photos"
            var ids: [String] = []
            for width in [600, 700] {
                let uploaded = try await booking.upload(TestImages.png(width: width, height: 400), "image/png", to: path, as: provider)
                ids.append(try #require(try uploaded.json["id"] as? String).lowercased())
            }
            #expect(
                try await eventually(timeout: .seconds(30)) {
                    (try await booking.send(.get, path, as: provider).json["items"] as? [[String: Any]])?.allSatisfy { $0["status"] as? String == "ready" }
                        == true
                })
            #expect(try await booking.cover(of: experience) == ids[0])

            let reversed = try await booking.send(.put, "\(path)/order", ["photoIds": [ids[1], ids[0]]], as: provider)
            #expect(reversed.status == .ok)
            #expect(try await booking.cover(of: experience) == ids[1])
            // Not another provider's to order; not an order that leaves a photo out or names one twice.
            #expect(try await booking.send(.put, "\(path)/order", ["photoIds": [ids[0], ids[1]]], as: other).status == .notFound)
            for wrong in [[], [ids[0]], [ids[0], ids[0]], [ids[0], ids[1], UUID().uuidString]] {
                let refused = try await booking.send(.put, "\(path)/order", ["photoIds": wrong], as: provider)
                #expect(refused.status == .unprocessableContent && refused.problem?.errors?.first?.field == "photoIds", "\(wrong)")
            }
            #expect(try await booking.cover(of: experience) == ids[1])

            #expect(try await booking.send(.delete, "\(path)/\(ids[1])", as: other).status == .notFound)
            #expect(try await booking.send(.delete, "\(path)/\(ids[1])", as: provider).status == .noContent)
            #expect(try await booking.cover(of: experience) == ids[0])
            #expect(try await booking.send(.get, "\(path)/\(ids[1])/640.jpg").status == .notFound)
            #expect(try await booking.send(.delete, "\(path)/\(ids[0])", as: provider).status == .noContent)
            #expect(try await booking.cover(of: experience) == nil)
            #expect(try await booking.count("SELECT count(*)::int FROM photos WHERE experience_id = \(experience.id)") == 0)
        }
    }

    @Test func anExperienceHoldsTwentyPhotosAndAPhotoHasAMaximumSize() async throws {
        try await BookingHarness.run(["PHOTO_MAX_BYTES": "4000"]) { booking in
            let provider = try await BookingHarness.user(.provider)
            let experience = try await booking.publishedExperience(of: provider)
            let path = "/api/v1/experiences/\(experience.id)/photos"
            let large = try await booking.upload(TestImages.png(width: 100, height: 100), "image/png", to: path, as: provider)
            #expect(large.status == .contentTooLarge && large.problem?.errors?.first?.field == "body")

            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<22 {
                    group.addTask { try await booking.upload(TestImages.png(width: 8, height: 8), "image/png", to: path, as: provider).status }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 20)
            #expect(statuses.filter { $0 == .conflict }.count == 2)
            #expect(try await booking.count("SELECT count(*)::int FROM photos WHERE experience_id = \(experience.id)") == 20)
        }
    }

    @Test func aReviewsAuthorAddsUpToFivePhotosShownWithTheReview() async throws {
        try await BookingHarness.run { booking in
            let provider = try await BookingHarness.user(.provider)
            let traveler = try await BookingHarness.user(.traveler)
            let experience = try await booking.publishedExperience(of: provider)
            let made = try await booking.paidBooking(try await booking.slot(of: experience, by: provider, daysAhead: 1), as: traveler)
            booking.clock.advance(by: 86_400 + 4 * 3600)
            #expect(
                try await eventually { try await booking.send(.get, "/api/v1/bookings/\(made.id)", as: traveler).decode(Booking.self).status == .completed })
            let review = try await booking.send(.post, "/api/v1/bookings/\(made.id)/review", ["rating": 5, "comment": "Turquoise"], as: traveler)
            let reviewID = try review.decode(Review.self).id
            let path = "/api/v1/reviews/\(reviewID)/photos"
            let png = TestImages.png(width: 300, height: 200)

            #expect(try await booking.upload(png, "image/png", to: path, as: provider).status == .notFound)
            for _ in 0..<5 { #expect(try await booking.upload(png, "image/png", to: path, as: traveler).status == .created) }
            #expect(try await booking.upload(png, "image/png", to: path, as: traveler).problem?.code == "too_many_photos")

            // Shown with the review once ready, never among the experience's own photos or as its cover.
            let shown = try await eventually(timeout: .seconds(30)) {
                let page = try await booking.send(.get, "/api/v1/experiences/\(experience.id)/reviews").json
                return ((page["items"] as? [[String: Any]])?.first?["photos"] as? [Any])?.count == 5
            }
            #expect(shown)
            #expect((try await booking.send(.get, "/api/v1/experiences/\(experience.id)/photos").json["items"] as? [Any])?.isEmpty == true)
            #expect(try await booking.cover(of: experience) == nil)
        }
    }
}

extension BookingHarness {
    func upload(_ bytes: Data, _ type: String, to path: String, as user: User?) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: type]
        if let user { headers[.authorization] = "Bearer \(user.token)" }
        return try await client.executeRequest(uri: path, method: .post, headers: headers, body: ByteBuffer(data: bytes))
    }

    func cover(of experience: Experience) async throws -> String? {
        try await send(.get, "/api/v1/experiences/\(experience.id)").decode(Experience.self).coverPhoto?.id.uuidString.lowercased()
    }
}

@Suite struct AccountErasureTests {
    @Test func bookingsToComeHoldADeletionAndAnErasedProvidersListingsCalendarsAndPhotosGo() async throws {
        try await BookingHarness.run { booking in
            let provider = try await BookingHarness.user(.provider)
            let traveler = try await BookingHarness.user(.traveler)
            let experience = try await booking.publishedExperience(of: provider)
            let slot = try await booking.slot(of: experience, by: provider, daysAhead: 3)
            let commitments = { (user: BookingHarness.User) in
                try await booking.client.executeRequest(
                    uri: AccountCommitments.path(user.id), method: .get,
                    headers: [.authorization: "Bearer \(try await booking.authCredential.token(for: .booking))"], body: ByteBuffer()
                ).decode(AccountCommitments.self).upcomingBookings
            }
            #expect(try await commitments(traveler) == 0)
            #expect(try await commitments(provider) == 0)
            let made = try await booking.paidBooking(slot, as: traveler, guests: 2)
            #expect(try await commitments(traveler) == 1)
            #expect(try await commitments(provider) == 1)
            // Only Auth asks.
            let asPayment = try await booking.client.executeRequest(
                uri: AccountCommitments.path(traveler.id), method: .get,
                headers: [.authorization: "Bearer \(try await booking.credential.token(for: .booking))"],
                body: ByteBuffer())
            #expect(asPayment.status == .forbidden)

            let path = "/api/v1/experiences/\(experience.id)/photos"
            let photo = try await booking.upload(TestImages.png(width: 400, height: 300), "image/png", to: path, as: provider)
            let photoID = try #require(try photo.json["id"] as? String)
            #expect(
                try await eventually(timeout: .seconds(30)) {
                    try await booking.send(.get, "\(path)/\(photoID)/640.jpg").status == .ok
                })
            #expect(try await booking.send(.get, "/api/v1/providers/me/calendar", as: provider).status == .ok)
            #expect(try await booking.count("SELECT count(*)::int FROM calendar_feeds WHERE provider_id = \(provider.id)") == 1)

            // The traveler's records, for their data export: to Auth only.
            let exported = try await booking.client.executeRequest(
                uri: AccountExport.path(traveler.id), method: .get,
                headers: [.authorization: "Bearer \(try await booking.authCredential.token(for: .booking))"], body: ByteBuffer())
            let records = try exported.decode(AccountExport.self).records
            guard case .array(let bookings) = records["bookings"], case .object(let row)? = bookings.first else {
                Issue.record("no bookings in \(records)")
                return
            }
            #expect(bookings.count == 1 && row["id"] == .string(made.id.uuidString.lowercased()) && row["guests"] == .number(2))

            let erasure = AccountErasure(userId: provider.id, role: .provider)
            #expect(try await booking.internalCall(.post, AccountErasure.path, erasure, as: booking.authCredential).status == .noContent)
            #expect(try await booking.internalCall(.post, AccountErasure.path, erasure, as: booking.authCredential).status == .noContent)
            #expect(try await booking.internalCall(.post, AccountErasure.path, erasure, as: booking.credential).status == .forbidden)

            let archived = try await booking.send(.get, "/api/v1/experiences/\(experience.id)").decode(Experience.self)
            #expect(archived.status == .archived && archived.coverPhoto == nil)
            #expect(
                await booking.peers.first(SearchFeedEvent.self, at: SearchFeedEvent.path) {
                    $0.experience?.id == experience.id && $0.experience?.status == "archived"
                } != nil)
            #expect(try await booking.count("SELECT count(*)::int FROM photos WHERE owner_id = \(provider.id)") == 0)
            #expect(try await booking.send(.get, "\(path)/\(photoID)/640.jpg").status == .notFound)
            #expect(try await booking.count("SELECT count(*)::int FROM calendar_feeds WHERE provider_id = \(provider.id)") == 0)
            // The booking stays, as the traveler's record and the ledger's.
            #expect(try await booking.send(.get, "/api/v1/bookings/\(made.id)", as: traveler).decode(Booking.self).status == .confirmed)
        }
    }
}
