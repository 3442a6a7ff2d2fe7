import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// For admins, `GET /api/v1/notifications/templates/{type}?language=`: the template rendered with sample data;
/// and, only in development, `GET /api/v1/dev/mailbox`: what the local mailbox received, newest first.
struct PreviewRoutes {
    let notify: NotifyService

    struct Letters: ResponseCodable {
        var items: [MailboxSender.Letter]
    }

    func addRoutes(to router: ServiceRouter) {
        router.get("api/v1/notifications/templates/:type", use: preview)
        router.get("api/v1/dev/mailbox", use: mailbox)
    }

    @Sendable func preview(_ request: Request, context: ServiceRequestContext) async throws -> RenderedMessage {
        _ = try context.requireRole(.admin)
        let type = NotificationType(rawValue: try context.parameters.require("type"))
        guard let entry = NotificationCatalog.entries[type] else { throw Problem.notFound("No such notification type.") }
        var preferences = Preferences()
        preferences.language = request.uri.queryParameters.get("language") ?? "en"
        guard Preferences.languages.contains(preferences.language) else {
            throw Problem.invalid("language", "must be one of \(Preferences.languages.sorted().joined(separator: ", "))")
        }
        preferences.timeZone = "America/Merida"
        guard let message = notify.render(type, [entry.sample], recipientName: "Ana", preferences: preferences) else {
            throw Problem.notFound("No template for this type.")
        }
        return message
    }

    /// A 404, as for any unknown path, unless the development mailbox was asked for (`DEV_MAILBOX`).
    @Sendable func mailbox(_ request: Request, context: ServiceRequestContext) async throws -> Letters {
        guard let folder = notify.mailbox else { throw Problem.notFound() }
        let limit = try PageLimit.parse(request.uri.queryParameters.get("limit"), default: 20, maximum: 100)
        return Letters(items: try await MailboxSender.letters(in: folder, limit: limit))
    }
}

extension RenderedMessage: ResponseEncodable {}
