import Contracts
import Foundation
import ServiceKit

/// The use case of a provider's public page.
extension BookingService {
    /// A provider as travelers see them: Auth's profile, Messaging's response stats, the rating over their
    /// experiences' reviews, and their published experiences (newest first, up to 50).
    func providerPage(_ id: UUID) async throws -> ProviderPage {
        async let stats = providers.responseStats(of: id)
        guard let profile = try await providers.profile(of: id) else { throw Problem.notFound("No such provider.") }
        let listed = try await experiences.page(providerID: id, includeUnpublished: false, before: nil, limit: 50)
        let rating = try await experiences.rating(ofProvider: id)
        return ProviderPage(profile: profile, rating: rating, stats: await stats, experiences: listed)
    }
}
