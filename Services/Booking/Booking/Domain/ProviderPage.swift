import Contracts
import Foundation
import Hummingbird

/// A provider's public page.
struct ProviderPage: ResponseCodable, Sendable, Equatable {
    var id: UUID
    var name: String
    var bio: LocalizedText
    var languages: [String]
    var city: String?
    var avatarUrl: String?
    var memberSince: Date
    /// Over the reviews of all their experiences.
    var rating: Experience.Rating
    /// Share of conversations answered within a day, and the median minutes to answer; absent when unknown.
    var responseRate: Double?
    var responseTimeMinutes: Int?
    var experiences: [Experience]

    init(profile: ProviderProfile, rating: Experience.Rating, stats: ResponseStats?, experiences: [Experience]) {
        id = profile.id
        name = profile.name
        bio = profile.bio
        languages = profile.languages
        city = profile.city
        avatarUrl = profile.avatarUrl
        memberSince = profile.memberSince
        self.rating = rating
        responseRate = stats?.responseRate
        responseTimeMinutes = stats?.responseTimeMinutes
        self.experiences = experiences
    }
}
