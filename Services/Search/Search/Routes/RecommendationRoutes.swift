import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// `GET /api/v1/recommendations` (signed in; `lat` and `lng` help a traveler with no history) and
/// `GET /api/v1/recommendations/similar/{experienceId}` (public).
struct RecommendationRoutes {
    let recommendations: Recommendations

    func addRoutes(to router: ServiceRouter) {
        router.get("api/v1/recommendations", use: forCaller)
        router.get("api/v1/recommendations/similar/:experienceId", use: similar)
    }

    @Sendable func forCaller(_ request: Request, context: ServiceRequestContext) async throws -> RecommendationList {
        let traveler = try context.requireIdentity().userID
        let query = request.uri.queryParameters
        let limit = try PageLimit.parse(query.get("limit"), default: 10, maximum: 50)
        var point: (latitude: Double, longitude: Double)?
        if query.get("lat") != nil || query.get("lng") != nil {
            let latitude = try query.get("lat").map { text in
                guard let value = Double(text), (-90...90).contains(value) else { throw Problem.invalid("lat", "must be a latitude from -90 to 90") }
                return value
            }
            let longitude = try query.get("lng").map { text in
                guard let value = Double(text), (-180...180).contains(value) else { throw Problem.invalid("lng", "must be a longitude from -180 to 180") }
                return value
            }
            guard let latitude, let longitude else { throw Problem.refused(latitude == nil ? "lat" : "lng", "needs both lat and lng") }
            point = (latitude, longitude)
        }
        return RecommendationList(items: try await recommendations.forTraveler(traveler, near: point, limit: limit))
    }

    @Sendable func similar(_ request: Request, context: ServiceRequestContext) async throws -> RecommendationList {
        guard let id = UUID(uuidString: try context.parameters.require("experienceId")), try await recommendations.exists(id) else {
            throw Problem.notFound("No such experience.")
        }
        let limit = try PageLimit.parse(request.uri.queryParameters.get("limit"), default: 10, maximum: 50)
        return RecommendationList(items: try await recommendations.similar(to: id, limit: limit))
    }
}
