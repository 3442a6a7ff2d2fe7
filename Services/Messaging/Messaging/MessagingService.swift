import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// Everything Messaging's routes and sockets share, assembled once by `buildApplication`; the rules that HTTP and
/// the socket have in common live here, so that both answer alike.
struct MessagingService: Sendable {
    struct Limits: Sendable {
        /// Characters in a message (`MESSAGING_MAX_MESSAGE_CHARS`).
        var messageCharacters = 4000
        var attachmentsPerMessage = 10
        /// Bytes in an attachment (`MESSAGING_MAX_ATTACHMENT_BYTES`).
        var attachmentBytes = 10 << 20
        /// At most one offline notice per conversation and recipient within this time (`MESSAGING_NOTIFY_WINDOW_MS`).
        var noticeWindow: Duration = .seconds(300)
        /// Frames waiting for a socket before its client is let go as too slow (`MESSAGING_SOCKET_QUEUE`).
        var socketQueue = 256
        /// Messages sent to a reconnecting socket at most; beyond, the client pages the history.
        var catchUp = 1000
        /// Frames a socket may send a minute, and in one burst (`MESSAGING_SOCKET_FRAMES_PER_MINUTE`, `MESSAGING_SOCKET_FRAME_BURST`).
        var framesPerMinute = 120
        var frameBurst = 30
        /// Uploads a user may make a day (`MESSAGING_ATTACHMENTS_PER_DAY`, `MESSAGING_ATTACHMENT_BYTES_PER_DAY`).
        var attachmentQuota = AttachmentQuota()
    }

    let logger: Logger
    let clock: WallClock
    let limits: Limits
    let conversations: Conversations
    let messages: Messages
    let attachments: Attachments
    let files: AttachmentFiles
    let accounts: Accounts
    let directory: Directory
    let presence: Presence
    let hub: Hub
    let translator: any Translator

    /// Opens the caller's conversation with the provider of `experienceID` (published, or archived when it is about
    /// one of the caller's bookings of it), or finds the one there is.
    func open(about experienceID: UUID?, booking bookingID: UUID?, by caller: Identity) async throws -> (conversation: Conversation, isNew: Bool) {
        guard let experienceID else { throw Problem.invalid("experienceId", "is required") }
        // The conversation there is needs nobody else's word, unless a booking is to be checked and remembered.
        if bookingID == nil, let existing = try await conversations.id(traveler: caller.userID, experience: experienceID) {
            return (try await conversation(existing, for: caller), false)
        }
        guard let experience = try await directory.experience(experienceID), experience.status != "draft" else {
            throw Problem.refused("experienceId", "must be a published experience")
        }
        guard experience.providerId != caller.userID else { throw Problem.refused("experienceId", "is your own experience") }
        if let bookingID {
            let booking = try await directory.booking(bookingID)
            guard let booking, booking.travelerId == caller.userID, booking.experienceId == experienceID else {
                throw Problem.refused("bookingId", "must be one of your bookings of this experience")
            }
        } else if experience.status != "published" {
            throw Problem.refused("experienceId", "must be a published experience")
        }
        // Both names from Auth at once: a round trip to wait for rather than two.
        async let travelerName = directory.name(of: caller.userID)
        async let providerName = directory.name(of: experience.providerId)
        let traveler = Conversations.Party(id: caller.userID, name: try await travelerName ?? "Traveler")
        let provider = Conversations.Party(id: experience.providerId, name: try await providerName ?? "Host")
        let opened = try await conversations.open(about: experience, booking: bookingID, traveler: traveler, provider: provider, at: clock.now())
        return (try await conversation(opened.id, for: caller), opened.isNew)
    }

    /// The conversation if `caller` may read it (a member, or an admin); a 404 otherwise, as if it did not exist.
    func conversation(_ id: UUID, for caller: Identity) async throws -> Conversation {
        guard let conversation = try await conversations.find(id, reader: caller.userID), Self.mayRead(conversation.parties, caller)
        else { throw Problem.notFound("No such conversation.") }
        return conversation
    }

    /// The conversation's parties if `caller` may read it, as ``conversation(_:for:)`` decides.
    func parties(_ id: UUID, for caller: Identity) async throws -> ConversationParties {
        guard let parties = try await conversations.parties(of: id), Self.mayRead(parties, caller) else { throw Problem.notFound("No such conversation.") }
        return parties
    }

    private static func mayRead(_ parties: ConversationParties, _ caller: Identity) -> Bool {
        parties.isMember(caller.userID) || caller.role == .admin
    }

    /// Checks and stores a message, then sends it to the members' other sockets; a resend of the same
    /// `clientMessageId` returns the first message and sends nothing.
    func send(
        to conversation: ConversationParties, body: String?, attachments: [UUID]?, clientMessageID: String?, by caller: Identity, from socket: UUID? = nil
    ) async throws -> (message: Message, isNew: Bool) {
        var validator = Validator()
        let text = MessageBody.clean(body ?? "")
        let attachments = attachments ?? []
        validator.check((body ?? "").unicodeScalars.count <= limits.messageCharacters, "body", "must be at most \(limits.messageCharacters) characters")
        validator.rule(!text.isEmpty || !attachments.isEmpty, "body", "must not be empty unless attachments are sent")
        validator.check(attachments.count <= limits.attachmentsPerMessage, "attachmentIds", "must name at most \(limits.attachmentsPerMessage) attachments")
        let clientID = clientMessageID ?? ""
        validator.check(
            (1...100).contains(clientID.unicodeScalars.count), "clientMessageId", "must be 1 to 100 characters, the same for a resend of one message")
        try validator.validate()

        // A member with a socket here is online: Redis is asked only about the others.
        let elsewhere = conversation.others(than: caller.userID).filter { !hub.isConnectedHere($0) }
        let states = await presence.states(of: elsewhere, at: clock.now())
        let offline = elsewhere.filter { states[$0]?.online != true }
        let draft = Messages.Draft(conversation: conversation.id, sender: caller.userID, body: text, attachments: attachments, clientMessageID: clientID)
        let sent = try await messages.send(draft, in: conversation, offline: .init(recipients: offline, window: limits.noticeWindow))
        if sent.isNew {
            let members = conversation.participants.map(\.userId)
            await hub.deliver(
                .message(sent.message), to: members.contains(caller.userID) ? members : members + [caller.userID], except: socket, message: sent.message.id)
        }
        return sent
    }

    /// Marks the conversation read up to `message` for the caller, tells the other side, and returns what is left unread.
    @discardableResult
    func markRead(_ conversation: ConversationParties, upTo message: UUID, by caller: Identity) async throws -> Int {
        guard conversation.isMember(caller.userID) else { throw Problem.forbidden("Only the conversation's members have read marks.") }
        let now = clock.now()
        guard let unread = try await conversations.markRead(conversation.id, reader: caller.userID, upTo: message, at: now) else {
            throw Problem.refused("upToMessageId", "must be a message of this conversation")
        }
        await hub.deliver(.read(caller.userID, in: conversation.id, upTo: message, at: now), to: conversation.others(than: caller.userID))
        return unread
    }

    /// `messages` with the body in `language` where it is someone else's; a translation that fails is left out.
    func translated(_ messages: [Message], into language: String?, for reader: UUID) async -> [Message] {
        guard let language else { return messages }
        var result = messages
        for index in result.indices where result[index].senderId != reader && !result[index].body.isEmpty {
            do {
                let body = try await translator.translate(result[index].body, to: language)
                result[index].translation = .init(language: language, body: body)
            } catch {
                logger.warning("Translation failed", metadata: ["error": "\(error)"])
            }
        }
        return result
    }
}
