import Contracts
import Foundation

/// An experience of the feed as a row of `documents`, for `jsonb_to_recordset`: a batch's experiences go to
/// PostgreSQL as one JSON array, keyed by column.
struct DocumentRow: FeedRow {
    let id: UUID
    let providerId: UUID
    let title: String
    let description: String
    let category: String
    let tags: [String]
    let latitude: Double
    let longitude: Double
    let city: String
    let country: String
    let durationMinutes: Int
    let priceAmount: Int64
    let currency: String
    let maxGuests: Int
    let languages: [String]
    let status: String
    let ratingAverage: Double
    let ratingCount: Int
    let version: Int64
    let coverPhotoId: UUID?

    init(_ e: SearchFeedEvent.Experience, version: Int64) {
        (id, providerId, title, description, category, tags) = (e.id, e.providerId, e.title, e.description, e.category, e.tags)
        (latitude, longitude, city, country, durationMinutes) = (e.latitude, e.longitude, e.city, e.country, e.durationMinutes)
        (priceAmount, currency, maxGuests, languages, status) = (e.price.amount, e.price.currency, e.maxGuests, e.languages, e.status)
        (ratingAverage, ratingCount, coverPhotoId) = (e.ratingAverage, e.ratingCount, e.coverPhoto?.id)
        self.version = version
    }
}

/// A slot of the feed as a row of `slots`, likewise.
struct SlotRow: FeedRow {
    let id: UUID
    let experienceId: UUID
    let startsAt: Date
    let remaining: Int
    let status: String
    let version: Int64

    init(_ slot: SearchFeedEvent.Slot, version: Int64) {
        (id, experienceId, startsAt, remaining, status) = (slot.id, slot.experienceId, slot.startsAt, slot.remaining, slot.status)
        self.version = version
    }
}

protocol FeedRow: Encodable {}

extension FeedRow {
    /// `rows` as a JSON array whose keys are the columns' names.
    static func json(_ rows: [Self]) throws -> String {
        let encoder = JSONEncoder.mayaGo
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(rows), as: UTF8.self)
    }
}
