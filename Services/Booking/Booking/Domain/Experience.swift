import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// An experience as the API shows it.
struct Experience: ResponseCodable, Sendable, Equatable {
    enum Status: String, Codable, Sendable {
        case draft, published, archived
    }

    enum BookingMode: String, Codable, Sendable {
        /// Paid means confirmed.
        case instant
        /// Paid, then the provider accepts or declines within a day.
        case request
    }

    struct Location: Codable, Sendable, Equatable {
        var latitude: Double
        var longitude: Double
        var city: String
        var country: String
        var address: String?
    }

    struct Rating: Codable, Sendable, Equatable {
        var average: Double
        var count: Int

        init(average: Double, count: Int) {
            self.average = average
            self.count = count
        }

        /// From the sum of `count` ratings: the average to two decimals.
        init(sum: Int64, count: Int) {
            self.init(average: count == 0 ? 0 : (Double(sum) / Double(count) * 100).rounded() / 100, count: count)
        }
    }

    var id: UUID
    var providerId: UUID
    var title: String
    var description: String
    var category: String
    var tags: [String]
    var location: Location
    var timeZone: String
    var durationMinutes: Int
    var price: Money
    var maxGuests: Int
    var bookingMode: BookingMode
    var cancellationPolicy: CancellationPolicy
    var languages: [String]
    var bookingRules: BookingRules
    /// Local dates on which nobody can book, whatever slots there are.
    var blackoutDates: [LocalDate]
    var status: Status
    var rating: Rating
    /// The first ready photo in the provider's order, if any.
    var coverPhoto: PhotoLinks? = nil
    var version: Int64
    var createdAt: Date
    var updatedAt: Date

    /// What Search is told.
    var feedSnapshot: SearchFeedEvent.Experience {
        SearchFeedEvent.Experience(
            id: id, providerId: providerId, title: title, description: description, category: category, tags: tags,
            latitude: location.latitude, longitude: location.longitude, city: location.city, country: location.country,
            durationMinutes: durationMinutes, price: price, maxGuests: maxGuests, languages: languages,
            status: status.rawValue, ratingAverage: rating.average, ratingCount: rating.count, coverPhoto: coverPhoto
        )
    }
}

/// The fields a provider sets, all optional so that one type serves creation (where ``validate(creating:)``
/// requires them) and `PATCH`.
struct ExperienceFields: Decodable, Sendable {
    var title: String?
    var description: String?
    var category: String?
    var tags: [String]?
    var location: Experience.Location?
    var timeZone: String?
    var durationMinutes: Int?
    var price: Money?
    var maxGuests: Int?
    var bookingMode: Experience.BookingMode?
    var cancellationPolicy: CancellationPolicy?
    var languages: [String]?
    var bookingRules: BookingRules?
    var blackoutDates: [LocalDate]?

    /// Checks every given field (and, when `creating`, that none is missing); throws a 400 (or a 422 for an unknown time
    /// zone) naming them.
    func validate(creating: Bool) throws {
        var validator = Validator()
        func required(_ value: Any?, _ field: String) {
            if creating, value == nil { validator.fail(field, "is required") }
        }
        required(title, "title")
        required(description, "description")
        required(category, "category")
        required(location, "location")
        required(timeZone, "timeZone")
        required(durationMinutes, "durationMinutes")
        required(price, "price")
        required(maxGuests, "maxGuests")
        required(bookingMode, "bookingMode")
        required(cancellationPolicy, "cancellationPolicy")
        required(languages, "languages")
        if let title { validator.check((3...120).contains(title.trimmed.unicodeScalars.count), "title", "must be 3 to 120 characters") }
        if let description { validator.check((1...5000).contains(description.trimmed.unicodeScalars.count), "description", "must be 1 to 5000 characters") }
        if let category {
            validator.check(
                category.range(of: "^[a-z][a-z-]{1,39}$", options: .regularExpression) != nil, "category", "must be a lower-case word such as tour or food")
        }
        if let tags {
            validator.check(tags.count <= 20, "tags", "must have at most 20 tags")
            for (index, tag) in tags.enumerated() where !(1...30).contains(tag.trimmed.unicodeScalars.count) {
                validator.fail("tags[\(index)]", "must be 1 to 30 characters")
            }
        }
        if let location {
            validator.check((-90...90).contains(location.latitude), "location.latitude", "must be from -90 to 90")
            validator.check((-180...180).contains(location.longitude), "location.longitude", "must be from -180 to 180")
            validator.check((1...100).contains(location.city.trimmed.unicodeScalars.count), "location.city", "must be 1 to 100 characters")
            validator.check(
                location.country.range(of: "^[A-Z]{2}$", options: .regularExpression) != nil, "location.country", "must be an ISO 3166 code such as MX")
            if let address = location.address { validator.check(address.unicodeScalars.count <= 300, "location.address", "must be at most 300 characters") }
        }
        if let timeZone { validator.rule(TimeZone(identifier: timeZone) != nil, "timeZone", "must be an IANA time zone such as America/Cancun") }
        if let durationMinutes { validator.check((15...10_080).contains(durationMinutes), "durationMinutes", "must be from 15 to 10080") }
        if let price {
            validator.check(price.amount > 0 && price.amount <= 100_000_000_00, "price.amount", "must be a positive amount in minor units")
            validator.check(Money.isCurrencyCode(price.currency), "price.currency", "must be an ISO 4217 code such as MXN")
        }
        if let maxGuests { validator.check((1...100).contains(maxGuests), "maxGuests", "must be from 1 to 100") }
        if let languages {
            validator.check((1...10).contains(languages.count), "languages", "must list 1 to 10 languages")
            for (index, language) in languages.enumerated() where language.range(of: "^[a-z]{2}$", options: .regularExpression) == nil {
                validator.fail("languages[\(index)]", "must be an ISO 639-1 code such as es")
            }
        }
        bookingRules?.check(into: &validator, field: "bookingRules")
        if let blackoutDates { validator.check(blackoutDates.count <= 366, "blackoutDates", "must list at most 366 dates") }
        try validator.validate()
    }
}

extension ExperienceFields {
    /// Each date once, in order.
    static func normalized(_ dates: [LocalDate]) -> [LocalDate] { Set(dates).sorted() }

    /// The fields of a new experience: all present and valid, or a 400 naming each that is not.
    func newExperience() throws -> NewExperience {
        try validate(creating: true)
        guard let title, let description, let category, let location, let timeZone, let durationMinutes, let price, let maxGuests,
            let bookingMode, let cancellationPolicy, let languages
        else { throw Problem.internalError }  // validate(creating: true) has refused a missing field already
        return NewExperience(
            title: title.trimmed, description: description.trimmed, category: category, tags: (tags ?? []).map(\.trimmed), location: location,
            timeZone: timeZone, durationMinutes: durationMinutes, price: price, maxGuests: maxGuests, bookingMode: bookingMode,
            cancellationPolicy: cancellationPolicy, languages: languages, bookingRules: bookingRules ?? BookingRules(),
            blackoutDates: Self.normalized(blackoutDates ?? [])
        )
    }
}

/// What a provider gives to list an experience, checked.
struct NewExperience: Sendable {
    var title: String
    var description: String
    var category: String
    var tags: [String]
    var location: Experience.Location
    var timeZone: String
    var durationMinutes: Int
    var price: Money
    var maxGuests: Int
    var bookingMode: Experience.BookingMode
    var cancellationPolicy: CancellationPolicy
    var languages: [String]
    var bookingRules: BookingRules
    var blackoutDates: [LocalDate]
}

extension Experience {
    /// A draft of `new` by `providerID`.
    init(_ new: NewExperience, by providerID: UUID, at now: Date) {
        self.init(
            id: UUID.random(), providerId: providerID, title: new.title, description: new.description, category: new.category, tags: new.tags,
            location: new.location, timeZone: new.timeZone, durationMinutes: new.durationMinutes, price: new.price, maxGuests: new.maxGuests,
            bookingMode: new.bookingMode, cancellationPolicy: new.cancellationPolicy, languages: new.languages, bookingRules: new.bookingRules,
            blackoutDates: new.blackoutDates, status: .draft,
            rating: .init(average: 0, count: 0), version: 1, createdAt: now, updatedAt: now
        )
    }

    /// Takes every field `fields` gives (validated).
    mutating func apply(_ fields: ExperienceFields) {
        if let title = fields.title { self.title = title.trimmed }
        if let description = fields.description { self.description = description.trimmed }
        if let category = fields.category { self.category = category }
        if let tags = fields.tags { self.tags = tags.map(\.trimmed) }
        if let location = fields.location { self.location = location }
        if let timeZone = fields.timeZone { self.timeZone = timeZone }
        if let durationMinutes = fields.durationMinutes { self.durationMinutes = durationMinutes }
        if let price = fields.price { self.price = price }
        if let maxGuests = fields.maxGuests { self.maxGuests = maxGuests }
        if let bookingMode = fields.bookingMode { self.bookingMode = bookingMode }
        if let cancellationPolicy = fields.cancellationPolicy { self.cancellationPolicy = cancellationPolicy }
        if let languages = fields.languages { self.languages = languages }
        if let bookingRules = fields.bookingRules { self.bookingRules = bookingRules }
        if let blackoutDates = fields.blackoutDates { self.blackoutDates = ExperienceFields.normalized(blackoutDates) }
    }

    /// A new open slot at `start`, lasting as the experience does.
    func slot(startingAt start: Date, capacity: Int) -> Slot {
        Slot(
            id: UUID.random(), experienceId: id, startsAt: start, endsAt: start.addingTimeInterval(TimeInterval(durationMinutes * 60)), capacity: capacity,
            remaining: capacity, status: .open, version: 1)
    }

    /// Whether `instant` falls on one of the blackout dates, in the experience's time zone.
    func isBlackedOut(_ instant: Date) -> Bool {
        guard !blackoutDates.isEmpty, let zone = TimeZone(identifier: timeZone) else { return false }
        return blackoutDates.contains(LocalDate(instant, in: zone))
    }
}

extension String {
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
