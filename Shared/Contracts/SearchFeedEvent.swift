import Foundation

/// Booking's feed to Search (`POST` ``SearchFeedEvent/path`` through Booking's outbox), and Auth's for providers.
/// Search applies an event once (on `id`) and ignores one older than what it has (`version` grows with every change
/// of the experience, slot or provider), so deliveries may repeat and arrive out of order.
public struct SearchFeedEvent: InternalCall, Equatable {
    public static let destination = ServiceName.search
    public static let route = "feed"

    public enum Kind: String, Codable, Sendable {
        /// Created, changed, published or archived: `experience` is its state now.
        case experienceChanged = "experience_changed"
        /// A slot was added or its remaining seats changed: `slot` is its state now.
        case slotChanged = "slot_changed"
        /// A booking was confirmed: `booking`, for co-booking statistics and popularity.
        case bookingConfirmed = "booking_confirmed"
        /// From Auth: a provider's public name or city changed: `provider` is its state now.
        case providerChanged = "provider_changed"
    }

    /// What Search indexes of a provider with their experiences.
    public struct Provider: Codable, Sendable, Equatable {
        public var id: UUID
        public var name: String
        public var city: String?

        public init(id: UUID, name: String, city: String?) {
            self.id = id
            self.name = name
            self.city = city
        }
    }

    public struct Experience: Codable, Sendable, Equatable {
        public var id: UUID
        public var providerId: UUID
        public var title: String
        public var description: String
        public var category: String
        public var tags: [String]
        public var latitude: Double
        public var longitude: Double
        public var city: String
        public var country: String
        public var durationMinutes: Int
        public var price: Money
        public var maxGuests: Int
        public var languages: [String]
        /// `draft`, `published` or `archived`.
        public var status: String
        public var ratingAverage: Double
        public var ratingCount: Int
        /// The first ready photo in the provider's order; absent from events sent before photos existed.
        public var coverPhoto: PhotoLinks?

        public init(
            id: UUID, providerId: UUID, title: String, description: String, category: String, tags: [String],
            latitude: Double, longitude: Double, city: String, country: String, durationMinutes: Int, price: Money,
            maxGuests: Int, languages: [String], status: String, ratingAverage: Double, ratingCount: Int, coverPhoto: PhotoLinks? = nil
        ) {
            self.id = id
            self.providerId = providerId
            self.title = title
            self.description = description
            self.category = category
            self.tags = tags
            self.latitude = latitude
            self.longitude = longitude
            self.city = city
            self.country = country
            self.durationMinutes = durationMinutes
            self.price = price
            self.maxGuests = maxGuests
            self.languages = languages
            self.status = status
            self.ratingAverage = ratingAverage
            self.ratingCount = ratingCount
            self.coverPhoto = coverPhoto
        }
    }

    public struct Slot: Codable, Sendable, Equatable {
        public var id: UUID
        public var experienceId: UUID
        public var startsAt: Date
        public var capacity: Int
        public var remaining: Int
        /// `open` or `cancelled`.
        public var status: String

        public init(id: UUID, experienceId: UUID, startsAt: Date, capacity: Int, remaining: Int, status: String) {
            self.id = id
            self.experienceId = experienceId
            self.startsAt = startsAt
            self.capacity = capacity
            self.remaining = remaining
            self.status = status
        }
    }

    public struct Booking: Codable, Sendable, Equatable {
        public var id: UUID
        public var experienceId: UUID
        public var travelerId: UUID
        public var guests: Int

        public init(id: UUID, experienceId: UUID, travelerId: UUID, guests: Int) {
            self.id = id
            self.experienceId = experienceId
            self.travelerId = travelerId
            self.guests = guests
        }
    }

    public var id: UUID
    public var kind: Kind
    public var version: Int64
    public var occurredAt: Date
    public var experience: Experience?
    public var slot: Slot?
    public var booking: Booking?
    public var provider: Provider?

    public init(
        id: UUID = UUID.random(), kind: Kind, version: Int64, occurredAt: Date, experience: Experience? = nil, slot: Slot? = nil, booking: Booking? = nil,
        provider: Provider? = nil
    ) {
        self.id = id
        self.kind = kind
        self.version = version
        self.occurredAt = occurredAt
        self.experience = experience
        self.slot = slot
        self.booking = booking
        self.provider = provider
    }
}

/// Booking's whole index, page by page, for Search's full reindex: `GET` ``SearchFeedPage/path``
/// `?after=<experience id>&limit=`. Each experience comes as its `experience_changed` event followed by the
/// `slot_changed` events of its slots still to come, with their current versions, so that applying a page over
/// newer events changes nothing.
public struct SearchFeedPage: InternalRoute, Codable, Equatable {
    public static let destination = ServiceName.booking
    public static let route = "feed/experiences"

    public var events: [SearchFeedEvent]
    /// The `after` of the next page; `nil` after the last.
    public var nextCursor: String?

    public init(events: [SearchFeedEvent], nextCursor: String?) {
        self.events = events
        self.nextCursor = nextCursor
    }
}
