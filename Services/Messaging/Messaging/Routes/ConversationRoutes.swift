import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// Conversations over HTTP: open, list, read the history, send (the fallback for clients without a socket) and
/// mark read. Only a conversation's members (and admins, to read) get past the 404.
struct ConversationRoutes {
    let messaging: MessagingService

    struct OpenRequest: Decodable {
        var experienceId: UUID?
        var bookingId: UUID?
    }

    struct SendRequest: Decodable {
        var body: String?
        var attachmentIds: [UUID]?
        var clientMessageId: String?
    }

    struct ReadRequest: Decodable {
        var upToMessageId: UUID?
    }

    struct ReadMark: ResponseCodable {
        var conversationId: UUID
        var upToMessageId: UUID
        var unreadCount: Int
    }

    struct ConversationPage: ResponseCodable {
        var items: [Conversation]
        var nextCursor: String?
    }

    struct MessagePage: ResponseCodable {
        var items: [Message]
        /// The `before` of the next (older) page; with `after`, the `after` of the next (newer) one.
        var nextCursor: String?
    }

    func addRoutes(to router: ServiceRouter) {
        router.post("api/v1/conversations", use: open)
        router.get("api/v1/conversations", use: list)
        router.get("api/v1/conversations/:id", use: show)
        router.get("api/v1/conversations/:id/messages", use: history)
        router.post("api/v1/conversations/:id/messages", use: send)
        router.post("api/v1/conversations/:id/read", use: read)
    }

    @Sendable func open(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let caller = try context.requireIdentity()
        let body = try await request.decode(as: OpenRequest.self, context: context)
        let opened = try await messaging.open(about: body.experienceId, booking: body.bookingId, by: caller)
        return try Response.json(await withPresence(opened.conversation), status: opened.isNew ? .created : .ok)
    }

    @Sendable func list(_ request: Request, context: ServiceRequestContext) async throws -> ConversationPage {
        let caller = try context.requireIdentity()
        let query = request.uri.queryParameters
        let limit = try PageLimit.parse(query.get("limit"), default: 20, maximum: 100)
        let items = try await messaging.conversations(of: caller.userID, before: try KeysetCursor.parse(query.get("cursor")), limit: limit)
        return ConversationPage(
            items: items,
            nextCursor: KeysetCursor.next(after: items.last.map { ($0.lastActivityAt, $0.id) }, count: items.count, limit: limit)
        )
    }

    @Sendable func show(_ request: Request, context: ServiceRequestContext) async throws -> Conversation {
        await withPresence(try await messaging.conversation(try conversationID(context), for: try context.requireIdentity()))
    }

    @Sendable func history(_ request: Request, context: ServiceRequestContext) async throws -> MessagePage {
        let caller = try context.requireIdentity()
        let conversation = try await messaging.parties(try conversationID(context), for: caller)
        let query = request.uri.queryParameters
        let limit = try PageLimit.parse(query.get("limit"), default: 50, maximum: 100)
        let language = try query.get("translateTo").map { language in
            guard language.wholeMatch(of: /[a-z]{2,3}(-[A-Za-z0-9]{2,8})?/) != nil else {
                throw Problem.invalid("translateTo", "must be a language tag such as es or pt-BR")
            }
            return language
        }
        let before = try query.get("before").map { try Self.messageID($0, "before") }
        let after = try query.get("after").map { try Self.messageID($0, "after") }
        let items = try await messaging.history(of: conversation, before: before, after: after, limit: limit)
        return MessagePage(
            items: await messaging.translated(items, into: language, for: caller.userID),
            nextCursor: items.count == limit ? items.last?.id.lowercasedString : nil
        )
    }

    @Sendable func send(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let caller = try context.requireIdentity()
        let conversation = try await messaging.parties(try conversationID(context), for: caller)
        let body = try await request.decode(as: SendRequest.self, context: context)
        let sent = try await messaging.send(
            to: conversation, body: body.body, attachments: body.attachmentIds, clientMessageID: body.clientMessageId, by: caller)
        return try Response.json(sent.message, status: sent.isNew ? .created : .ok)
    }

    @Sendable func read(_ request: Request, context: ServiceRequestContext) async throws -> ReadMark {
        let caller = try context.requireIdentity()
        let conversation = try await messaging.parties(try conversationID(context), for: caller)
        let body = try await request.decode(as: ReadRequest.self, context: context)
        guard let message = body.upToMessageId else { throw Problem.invalid("upToMessageId", "is required") }
        let unread = try await messaging.markRead(conversation, upTo: message, by: caller)
        return ReadMark(conversationId: conversation.id, upToMessageId: message, unreadCount: unread)
    }

    private func conversationID(_ context: ServiceRequestContext) throws -> UUID {
        guard let id = UUID(uuidString: try context.parameters.require("id")) else { throw Problem.notFound("No such conversation.") }
        return id
    }

    private static func messageID(_ text: String, _ field: String) throws -> UUID {
        guard let id = UUID(uuidString: text) else { throw Problem.invalid(field, "must be a message id") }
        return id
    }

    private func withPresence(_ conversation: Conversation) async -> Conversation {
        await messaging.withPresence([conversation])[0]
    }
}
