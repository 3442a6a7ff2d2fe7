import Foundation

/// A provider as the public sees them, from Auth's internal route ``ProviderProfile/path(_:)`` (Booking's provider
/// page). Auth answers 404 for anyone who is not a provider, or whose account is disabled.
public struct ProviderProfile: InternalLookup, Equatable {
    public static let destination = ServiceName.auth
    public static let route = "profiles/:id"

    public var id: UUID
    public var name: String
    public var bio: LocalizedText
    /// ISO 639-1 codes.
    public var languages: [String]
    public var city: String?
    public var avatarUrl: String?
    public var memberSince: Date

    public init(id: UUID, name: String, bio: LocalizedText, languages: [String], city: String?, avatarUrl: String?, memberSince: Date) {
        self.id = id
        self.name = name
        self.bio = bio
        self.languages = languages
        self.city = city
        self.avatarUrl = avatarUrl
        self.memberSince = memberSince
    }
}

/// A text in MayaGo's languages, each optional.
public struct LocalizedText: Codable, Sendable, Equatable {
    public var en: String?
    public var es: String?

    public init(en: String? = nil, es: String? = nil) {
        self.en = en
        self.es = es
    }
}

/// How a user answers the messages others start with them, from Messaging's internal route
/// ``ResponseStats/path(_:)``: over the conversations others opened in the last 90 days, the share they answered
/// within a day and the median time to their first answer. Both are `nil` when nobody wrote to them.
public struct ResponseStats: InternalLookup, Equatable {
    public static let destination = ServiceName.messaging
    public static let route = "response-stats/:id"

    public var userId: UUID
    public var conversations: Int
    /// From 0 to 1.
    public var responseRate: Double?
    public var responseTimeMinutes: Int?

    public init(userId: UUID, conversations: Int, responseRate: Double?, responseTimeMinutes: Int?) {
        self.userId = userId
        self.conversations = conversations
        self.responseRate = responseRate
        self.responseTimeMinutes = responseTimeMinutes
    }
}
