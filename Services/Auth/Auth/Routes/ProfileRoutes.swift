import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// The caller's public profile: bio in English and Spanish, languages, city.
struct ProfileRoutes {
    let auth: AuthService

    func addRoutes(to router: ServiceRouter) {
        let group = router.group("api/v1/auth/me/profile")
        group.get(use: show)
        group.patch(use: change)
    }

    @Sendable func show(_ request: Request, context: ServiceRequestContext) async throws -> ProviderProfile {
        try await auth.profile(of: try await auth.currentUser(context))
    }

    @Sendable func change(_ request: Request, context: ServiceRequestContext) async throws -> ProviderProfile {
        let user = try await auth.currentUser(context)
        let fields = try await request.decode(as: ProfileFields.self, context: context)
        return try await auth.changeProfile(of: user, fields)
    }
}
