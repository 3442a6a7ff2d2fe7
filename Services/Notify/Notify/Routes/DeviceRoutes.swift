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
        validator.check((1...4096).contains(body.token.utf8.count) && !body.token.contains(where: \.isWhitespace), "token", "must be a push token of 1 to 4096 characters")
        let platform = Device.Platform(rawValue: body.platform)
        validator.check(platform != nil, "platform", "must be one of ios, android, web")
        try validator.validate()
        guard let device = try await notify.devices.register(body.token, platform: platform!, of: user, at: notify.clock.now()) else {
            throw Problem(.conflict, detail: "This push token belongs to another account: remove it there first.", code: "device_taken",
                          errors: [FieldError(field: "token", message: "is registered to another account")])
        }
        return try .json(device, status: .created)
    }

    @Sendable func remove(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let user = try context.requireIdentity().userID
        guard let id = UUID(uuidString: try context.parameters.require("id")), try await notify.devices.remove(id, of: user) else {
            throw Problem.notFound("No such device.")
        }
        return Response(status: .noContent)
    }
}
