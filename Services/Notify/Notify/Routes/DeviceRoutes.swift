import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// `POST /api/v1/notifications/devices` registers the caller's push token (a 409 when another account has it: it
/// is that account's until removed there or the push provider forgets it); `DELETE
/// /api/v1/notifications/devices/{id}` removes it (a 404 for anyone else's).
struct DeviceRoutes {
    let notify: NotifyService

    struct Body: Decodable {
        var token: String
        var platform: String
    }

    func addRoutes(to router: ServiceRouter) {
        router.post("api/v1/notifications/devices", use: register)
        router.delete("api/v1/notifications/devices/:id", use: remove)
    }

    @Sendable func register(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let user = try context.requireIdentity().userID
        let body = try await request.decode(as: Body.self, context: context)
        var validator = Validator()
        validator.check(
            (1...4096).contains(body.token.utf8.count) && !body.token.contains(where: \.isWhitespace), "token", "must be a push token of 1 to 4096 characters")
        let platform = Device.Platform(rawValue: body.platform)
        validator.check(platform != nil, "platform", "must be one of ios, android, web")
        try validator.validate()
        guard let platform else { throw Problem.invalid("platform", "must be one of ios, android, web") }
        return try .json(try await notify.registerDevice(body.token, platform: platform, of: user), status: .created)
    }

    @Sendable func remove(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let user = try context.requireIdentity().userID
        guard let id = UUID(uuidString: try context.parameters.require("id")) else { throw Problem.notFound("No such device.") }
        try await notify.removeDevice(id, of: user)
        return Response(status: .noContent)
    }
}
