import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// `POST /internal/v1/notifications`: what Auth, Booking, Payment and Messaging send through their outboxes.
/// Idempotent on the request's key: the first time 202 with the notification's id, afterwards 200 with the same id.
/// And Auth's ``AccountErasure`` (everything of the person goes) and ``AccountExport``.
struct InternalRoutes {
    let notify: NotifyService
    let accepted: @Sendable () -> Void

    struct Accepted: ResponseCodable {
        var id: UUID
    }

    func addRoutes(to routes: InternalRouter) {
        routes.post(NotificationRequest.self, from: .auth, .booking, .payment, .messaging, use: accept)
        routes.post(AccountErasure.route, from: .auth, use: erase)
        routes.get(AccountExport.route, from: .auth, use: export)
    }

    @Sendable func export(_ request: Request, context: ServiceRequestContext) async throws -> AccountExport {
        AccountExport(service: .notify, records: try await notify.accounts.records(of: try context.parameters.require("id", as: UUID.self)))
    }

    @Sendable func erase(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        try await notify.accounts.erase(try await request.decode(as: AccountErasure.self, context: context).userId)
        return Response(status: .noContent)
    }

    @Sendable func accept(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let body = try await request.decode(as: NotificationRequest.self, context: context)
        var validator = Validator()
        validator.check(NotificationCatalog.entries[body.type] != nil, "type", "is not a notification Notify knows")
        validator.check((1...200).contains(body.idempotencyKey.count), "idempotencyKey", "must be 1 to 200 characters")
        if let sendAt = body.sendAt {
            validator.check(sendAt < notify.clock.now().addingTimeInterval(366 * 86_400), "sendAt", "must be within a year")
        }
        try validator.validate()
        let (id, isNew) = try await notify.accept(body)
        if isNew { accepted() }
        return try .json(Accepted(id: id), status: isNew ? .accepted : .ok)
    }
}
