import Contracts
import Foundation
import HTTPTypes
import Logging
import NIOCore
import PostgresNIO
import ServiceKit
import TestSupport
import Testing

@testable import Messaging

/// The HTTP side: opening conversations, history, the send fallback, read marks, attachments, offline notices and
/// translation, each for members only.
@Suite struct ConversationTests {
    @Test func aTravelerOpensOneConversationPerExperienceWithItsProvider() async throws {
        try await MessagingHarness.run { harness in
            let traveler = try await harness.user(name: "Ana")
            let provider = try await harness.user(.provider, name: "Luis")
            let experience = await harness.experience(of: provider)
            let opened = try await harness.request(.post, "/api/v1/conversations", as: traveler, json: ["experienceId": experience.uuidString])
            #expect(opened.status == .created)
            let conversation = try opened.decode(Conversation.self)
            #expect(conversation.participants.map(\.name) == ["Ana", "Luis"])
            #expect(conversation.participants.map(\.userId) == [traveler.id, provider.id])
            #expect(conversation.experienceTitle == "Cenote swim")

            let again = try await harness.request(.post, "/api/v1/conversations", as: traveler, json: ["experienceId": experience.uuidString], instance: 1)
            #expect(again.status == .ok)
            #expect(try again.decode(Conversation.self).id == conversation.id)

            // The provider cannot message themselves; drafts and unknown experiences cannot be messaged about.
            let own = try await harness.request(.post, "/api/v1/conversations", as: provider, json: ["experienceId": experience.uuidString])
            #expect(own.status == .unprocessableContent)
            #expect(own.text.contains("experienceId"))
            let draft = await harness.experience(of: provider, status: "draft")
            #expect(
                try await harness.request(.post, "/api/v1/conversations", as: traveler, json: ["experienceId": draft.uuidString]).status
                    == .unprocessableContent)
            #expect(
                try await harness.request(.post, "/api/v1/conversations", as: traveler, json: ["experienceId": UUID().uuidString]).status
                    == .unprocessableContent)
            #expect(try await harness.request(.post, "/api/v1/conversations", as: traveler, json: [:]).status == .badRequest)

            // A booking must be the traveler's own, of this experience.
            let booking = UUID()
            await harness.outside.add(BookingParties(id: booking, experienceId: experience, travelerId: UUID(), providerId: provider.id))
            let notTheirs = try await harness.request(
                .post, "/api/v1/conversations", as: traveler, json: ["experienceId": experience.uuidString, "bookingId": booking.uuidString])
            #expect(notTheirs.status == .unprocessableContent)
            #expect(notTheirs.text.contains("bookingId"))
            #expect(try await harness.request(.post, "/api/v1/conversations", as: nil, json: ["experienceId": experience.uuidString]).status == .unauthorized)
        }
    }

    @Test func historyPagesBackwardsAndListsShowUnreadCountsAndTheLastMessage() async throws {
        try await MessagingHarness.run { harness in
            let (traveler, provider, conversation) = try await harness.pair()
            for index in 1...5 {
                let sent = try await harness.request(
                    .post, "/api/v1/conversations/\(conversation)/messages", as: traveler, json: ["body": "question \(index)", "clientMessageId": "q\(index)"])
                #expect(sent.status == .created)
            }
            let page = try await harness.request(.get, "/api/v1/conversations/\(conversation)/messages?limit=2", as: provider)
            let newest = try page.decode(ConversationRoutes.MessagePage.self)
            #expect(newest.items.map(\.body) == ["question 5", "question 4"])
            let older = try await harness.request(
                .get, "/api/v1/conversations/\(conversation)/messages?limit=2&before=\(try #require(newest.nextCursor))", as: provider)
            #expect(try older.decode(ConversationRoutes.MessagePage.self).items.map(\.body) == ["question 3", "question 2"])
            let after = try await harness.request(.get, "/api/v1/conversations/\(conversation)/messages?after=\(newest.items[1].id)", as: provider)
            #expect(try after.decode(ConversationRoutes.MessagePage.self).items.map(\.body) == ["question 5"])
            #expect(
                try await harness.request(.get, "/api/v1/conversations/\(conversation)/messages?before=\(UUID())", as: provider).status == .unprocessableContent
            )
            #expect(try await harness.request(.get, "/api/v1/conversations/\(conversation)/messages?before=nope", as: provider).status == .badRequest)

            let list = try await harness.request(.get, "/api/v1/conversations", as: provider)
            let listed = try list.decode(ConversationRoutes.ConversationPage.self).items
            #expect(listed.map(\.id) == [conversation])
            #expect(listed.first?.unreadCount == 5)
            #expect(listed.first?.lastMessage?.body == "question 5")
            let read = try await harness.request(
                .post, "/api/v1/conversations/\(conversation)/read", as: provider, json: ["upToMessageId": newest.items[1].id.uuidString])
            #expect(read.json["unreadCount"] as? Int == 1)
            // The traveler's own messages are not unread to them.
            #expect(try await harness.request(.get, "/api/v1/conversations/\(conversation)", as: traveler).json["unreadCount"] as? Int == 0)
            #expect(
                try await harness.request(.post, "/api/v1/conversations/\(conversation)/read", as: provider, json: ["upToMessageId": UUID().uuidString]).status
                    == .unprocessableContent)
        }
    }

    @Test func strangersGet404AndAdminsMayRead() async throws {
        try await MessagingHarness.run { harness in
            let (traveler, _, conversation) = try await harness.pair()
            _ = try await harness.request(
                .post, "/api/v1/conversations/\(conversation)/messages", as: traveler, json: ["body": "hola", "clientMessageId": "1"])
            let stranger = try await harness.user(name: "Eve")
            for (method, path) in [
                (.get, "/api/v1/conversations/\(conversation)"), (.get, "/api/v1/conversations/\(conversation)/messages"),
                (.post, "/api/v1/conversations/\(conversation)/messages"), (.post, "/api/v1/conversations/\(conversation)/read"),
            ] as [(HTTPRequest.Method, String)] {
                let answer = try await harness.request(
                    method, path, as: stranger, json: ["body": "hi", "clientMessageId": "2", "upToMessageId": UUID().uuidString])
                #expect(answer.status == .notFound, "\(method) \(path)")
            }
            #expect(try await harness.request(.get, "/api/v1/conversations", as: stranger).decode(ConversationRoutes.ConversationPage.self).items.isEmpty)
            #expect(try await harness.storedMessages(conversation) == 1)
            let admin = try await harness.user(.admin, name: "Ops")
            #expect(try await harness.request(.get, "/api/v1/conversations/\(conversation)/messages", as: admin).status == .ok)
        }
    }

    @Test func messageBodiesAreCheckedAndCleaned() async throws {
        try await MessagingHarness.run(["MESSAGING_MAX_MESSAGE_CHARS": "50"]) { harness in
            let (traveler, _, conversation) = try await harness.pair()
            let path = "/api/v1/conversations/\(conversation)/messages"
            let long = try await harness.request(.post, path, as: traveler, json: ["body": String(repeating: "a", count: 51), "clientMessageId": "1"])
            #expect(long.status == .badRequest)
            #expect(long.text.contains("\"body\""))
            // Blank once control characters are dropped: well formed, but a message needs text or attachments.
            #expect(
                try await harness.request(.post, path, as: traveler, json: ["body": "  \u{0007} ", "clientMessageId": "2"]).status == .unprocessableContent)
            #expect(try await harness.request(.post, path, as: traveler, json: ["body": "hi"]).text.contains("clientMessageId"))
            // U+0000 is text no service keeps: refused, not dropped.
            let nul = try await harness.request(.post, path, as: traveler, json: ["body": "a\u{0000}b", "clientMessageId": "4"])
            #expect(nul.status == .unprocessableContent)
            #expect(nul.text.contains("\"body\""))
            let cleaned = try await harness.request(
                .post, path, as: traveler, json: ["body": " <b>Hola</b>\u{0007}\r\nqué tal\u{202E} ", "clientMessageId": "3"])
            #expect(try cleaned.decode(Message.self).body == "<b>Hola</b>\nqué tal")
            #expect(try await harness.storedMessages(conversation) == 1)
        }
    }

    /// Uploads are limited per user and day, in number and in bytes; each refusal is a 429 naming the limit.
    @Test func attachmentsAreLimitedPerDay() async throws {
        try await MessagingHarness.run(["MESSAGING_ATTACHMENTS_PER_DAY": "2", "MESSAGING_ATTACHMENT_BYTES_PER_DAY": "100"]) { harness in
            let (traveler, provider, _) = try await harness.pair()
            let note = ByteBuffer(string: String(repeating: "a", count: 40))
            for _ in 0..<2 {
                #expect(
                    try await harness.request(.post, "/api/v1/attachments", as: traveler, body: note, headers: [.contentType: "text/plain"]).status == .created)
            }
            let third = try await harness.request(.post, "/api/v1/attachments", as: traveler, body: note, headers: [.contentType: "text/plain"])
            #expect(third.status == .tooManyRequests)
            #expect(third.json["code"] as? String == "quota_exceeded")
            #expect((third.json["detail"] as? String)?.contains("At most 2 attachments a day") == true)
            // Another user has a budget of their own, in bytes too: 80 of 100 fit, 40 more do not.
            let big = ByteBuffer(string: String(repeating: "b", count: 80))
            #expect(try await harness.request(.post, "/api/v1/attachments", as: provider, body: big, headers: [.contentType: "text/plain"]).status == .created)
            let over = try await harness.request(.post, "/api/v1/attachments", as: provider, body: note, headers: [.contentType: "text/plain"])
            #expect(over.status == .tooManyRequests)
            #expect((over.json["detail"] as? String)?.contains("100 bytes") == true)
        }
    }

    @Test func attachmentsAreStoredOnceAndServedOnlyToTheConversation() async throws {
        try await MessagingHarness.run(["MESSAGING_MAX_ATTACHMENT_BYTES": "1000"]) { harness in
            let (traveler, provider, conversation) = try await harness.pair()
            let picture = ByteBuffer(bytes: [0x89, 0x50, 0x4E, 0x47] + (0..<500).map { UInt8($0 % 256) })
            let upload = try await harness.request(.post, "/api/v1/attachments?name=map.png", as: traveler, body: picture, headers: [.contentType: "image/png"])
            #expect(upload.status == .created)
            let attachment = try upload.decode(Attachment.self)
            let again = try await harness.request(.post, "/api/v1/attachments", as: provider, body: picture, headers: [.contentType: "image/png"], instance: 1)
            #expect(try again.decode(Attachment.self).sha256 == attachment.sha256)
            // One file for both uploads.
            let stored = FileManager.default.enumerator(at: harness.attachments, includingPropertiesForKeys: nil)?.allObjects.compactMap { $0 as? URL }.filter {
                !$0.hasDirectoryPath
            }
            #expect(stored?.count == 1)

            #expect(
                try await harness.request(
                    .post, "/api/v1/attachments", as: traveler, body: ByteBuffer(string: "<script>"), headers: [.contentType: "text/html"]
                ).status == .unsupportedMediaType)
            #expect(
                try await harness.request(
                    .post, "/api/v1/attachments", as: traveler, body: ByteBuffer(bytes: [UInt8](repeating: 1, count: 1001)),
                    headers: [.contentType: "image/png"]
                ).status == .contentTooLarge)

            // Before it is sent, only its uploader reads it; the provider cannot attach the traveler's file.
            let path = "/api/v1/attachments/\(attachment.id)"
            #expect(try await harness.request(.get, path, as: provider).status == .notFound)
            let borrowed = try await harness.request(
                .post, "/api/v1/conversations/\(conversation)/messages", as: provider,
                json: ["body": "", "attachmentIds": [attachment.id.uuidString], "clientMessageId": "x"])
            #expect(borrowed.status == .unprocessableContent)
            let sent = try await harness.request(
                .post, "/api/v1/conversations/\(conversation)/messages", as: traveler,
                json: ["body": "", "attachmentIds": [attachment.id.uuidString], "clientMessageId": "a"])
            #expect(try sent.decode(Message.self).attachmentIds == [attachment.id])
            let download = try await harness.request(.get, path, as: provider, instance: 1)
            #expect(download.status == .ok)
            #expect(download.body == picture)
            #expect(download.headers[.contentDisposition] == "attachment; filename=\"map.png\"")
            #expect(download.headers[.xContentTypeOptions] == "nosniff")
            let stranger = try await harness.user(name: "Eve")
            #expect(try await harness.request(.get, path, as: stranger).status == .notFound)
        }
    }

    @Test func anErasedAccountsMessagesLoseTheirBodiesAndFilesButKeepTheirPlace() async throws {
        try await MessagingHarness.run { harness in
            let (traveler, provider, conversation) = try await harness.pair()
            let file = try await harness.request(
                .post, "/api/v1/attachments", as: traveler, body: ByteBuffer(bytes: [7, 7, 7]), headers: [.contentType: "image/png"]
            )
            .decode(Messaging.Attachment.self)
            let messages = "/api/v1/conversations/\(conversation)/messages"
            _ = try await harness.request(
                .post, messages, as: traveler, json: ["body": "I live at 5 Calle 60", "attachmentIds": [file.id.uuidString], "clientMessageId": "a"])
            _ = try await harness.request(.post, messages, as: provider, json: ["body": "See you there", "clientMessageId": "b"])

            let auth = await ServiceCredential(service: .auth, secret: harness.serviceSecret)
            let exported = try await harness.request(
                .get, AccountExport.path(traveler.id), as: nil, headers: [.authorization: "Bearer \(try await auth.token(for: .messaging))"]
            ).decode(AccountExport.self)
            guard case .array(let sent) = exported.records["messages"], case .array(let files) = exported.records["attachments"] else {
                Issue.record("\(exported)")
                return
            }
            #expect(sent.count == 2 && files.count == 1)
            let erasure = ByteBuffer(bytes: try JSONEncoder.mayaGo.encode(AccountErasure(userId: traveler.id, role: .traveler)))
            for caller in [auth, auth] {
                let erased = try await harness.request(
                    .post, AccountErasure.path, as: nil, body: erasure,
                    headers: [.authorization: "Bearer \(try await caller.token(for: .messaging))", .contentType: "application/json"])
                #expect(erased.status == .noContent, "\(erased.text)")
            }
            let booking = await ServiceCredential(service: .booking, secret: harness.serviceSecret)
            let refused = try await harness.request(
                .post, AccountErasure.path, as: nil, body: erasure,
                headers: [.authorization: "Bearer \(try await booking.token(for: .messaging))", .contentType: "application/json"])
            #expect(refused.status == .forbidden)

            let history = try await harness.request(.get, messages, as: provider).json["items"] as? [[String: Any]] ?? []
            #expect(history.count == 2)
            #expect(history.contains { $0["body"] as? String == "" && ($0["attachmentIds"] as? [Any])?.isEmpty == true })
            #expect(history.contains { $0["body"] as? String == "See you there" })
            #expect(try await harness.request(.get, "/api/v1/attachments/\(file.id)", as: provider).status == .notFound)
            #expect(try await AttachmentFiles(objects: FolderObjectStore(folder: harness.attachments.path)).read(file.sha256) == nil)
        }
    }

    @Test func uploadsNeverSentAreForgottenAfterADayAndTheirBytesWithThem() async throws {
        try await MessagingHarness.run { harness in
            let (traveler, _, conversation) = try await harness.pair()
            func upload(_ bytes: [UInt8]) async throws -> Messaging.Attachment {
                try await harness.request(.post, "/api/v1/attachments", as: traveler, body: ByteBuffer(bytes: bytes), headers: [.contentType: "image/png"])
                    .decode(Messaging.Attachment.self)
            }
            let sent = try await upload([1, 2, 3])
            let sameBytesUnsent = try await upload([1, 2, 3])
            let unsent = try await upload([4, 5, 6])
            _ = try await harness.request(
                .post, "/api/v1/conversations/\(conversation)/messages", as: traveler,
                json: ["body": "map", "attachmentIds": [sent.id.uuidString], "clientMessageId": "a"])
            let files = AttachmentFiles(objects: FolderObjectStore(folder: harness.attachments.path))
            let tomorrow = WallClock { Date().addingTimeInterval(86_400 + 60) }
            await AttachmentSweeper(
                attachments: Attachments(postgres: harness.postgres, logger: Logger(label: "sweeper")), files: files, clock: tomorrow,
                logger: Logger(label: "sweeper")
            ).runOnce()
            for gone in [sameBytesUnsent, unsent] {
                #expect(try await harness.request(.get, "/api/v1/attachments/\(gone.id)", as: traveler).status == .notFound)
            }
            #expect(try await files.read(unsent.sha256) == nil)
            // The sent file's bytes stay: the forgotten upload of the same bytes shared them.
            #expect(try await harness.request(.get, "/api/v1/attachments/\(sent.id)", as: traveler).body == ByteBuffer(bytes: [1, 2, 3]))
        }
    }

    @Test func anOfflineMemberIsToldThroughNotifyOnceInAWhile() async throws {
        try await MessagingHarness.run { harness in
            let (traveler, provider, conversation) = try await harness.pair()
            for index in 1...3 {
                _ = try await harness.request(
                    .post, "/api/v1/conversations/\(conversation)/messages", as: traveler, json: ["body": "Hello \(index)", "clientMessageId": "\(index)"])
            }
            try #require(await eventually { await harness.outside.notices.count == 1 })
            let notice = try #require(await harness.outside.notices.first)
            #expect(notice.type == .newMessage)
            #expect(notice.recipientId == provider.id)
            #expect(notice.data["senderName"] == "Ana")
            #expect(notice.data["preview"] == "Hello 1")
            #expect(notice.data["experienceTitle"] == "Cenote swim")

            // An online member is not told.
            let socket = try await harness.connect(traveler)
            _ = try await harness.request(.post, "/api/v1/conversations/\(conversation)/messages", as: provider, json: ["body": "Hi!", "clientMessageId": "p"])
            try await socket.wait { $0.type == "message" }
            try await Task.sleep(for: .milliseconds(300))
            #expect(await harness.outside.notices.count == 1)
            await socket.close()
        }
    }

    @Test func theOpenAPIDocumentNamesTheRoutesAndEveryReferenceResolves() async throws {
        try await MessagingHarness.run { harness in
            let document = try await harness.request(.get, "/openapi.json", as: nil).decode(JSONValue.self)
            #expect(
                OpenAPIDocument.paths(of: document) == [
                    "/api/v1/conversations", "/api/v1/conversations/{id}", "/api/v1/conversations/{id}/messages", "/api/v1/conversations/{id}/read",
                    "/api/v1/attachments", "/api/v1/attachments/{id}", "/api/v1/messaging/ws",
                ])
            #expect(OpenAPIDocument.unresolvedReferences(in: document) == [])
            #expect(OpenAPIDocument.optionalFieldsRefusingNull(in: document) == [])
        }
    }

    @Test func historyCanBeReadTranslated() async throws {
        try await MessagingHarness.run { harness in
            let (traveler, provider, conversation) = try await harness.pair()
            _ = try await harness.request(
                .post, "/api/v1/conversations/\(conversation)/messages", as: provider, json: ["body": "Bienvenida", "clientMessageId": "1"])
            _ = try await harness.request(
                .post, "/api/v1/conversations/\(conversation)/messages", as: traveler, json: ["body": "Thanks", "clientMessageId": "2"])
            let page = try await harness.request(.get, "/api/v1/conversations/\(conversation)/messages?translateTo=en", as: traveler)
            let items = try page.decode(ConversationRoutes.MessagePage.self).items
            #expect(items.map(\.translation?.body) == [nil, "[en] Bienvenida"])
            #expect(try await harness.request(.get, "/api/v1/conversations/\(conversation)/messages?translateTo=english!", as: traveler).status == .badRequest)
        }
    }
}

@Suite struct TranslationTests {
    @Test func libreTranslateIsAskedOncePerTextAndLanguage() async throws {
        let port = try TestEnvironment.freePort()
        try await MessagingHarness.run([
            "TRANSLATION_PROVIDER": "libretranslate", "TRANSLATION_API_URL": "http://127.0.0.1:\(port)", "TRANSLATION_API_KEY": "k",
        ]) { harness in
            // LibreTranslate is the same stand-in as the other peers, on a port of its own.
            try await withStandIn(harness.outside.router(tokens: MessagingHarness.tokens), port: port) {
                let (traveler, provider, conversation) = try await harness.pair()
                // A text of its own, which no earlier run has in the cache.
                let text = "Bienvenida \(UUID().uuidString.prefix(8))"
                _ = try await harness.request(
                    .post, "/api/v1/conversations/\(conversation)/messages", as: provider, json: ["body": text, "clientMessageId": "1"])
                for instance in [0, 1] {
                    let page = try await harness.request(
                        .get, "/api/v1/conversations/\(conversation)/messages?translateTo=en", as: traveler, instance: instance)
                    #expect(try page.decode(ConversationRoutes.MessagePage.self).items.first?.translation?.body == "(en) \(text)")
                }
                let asked = await harness.outside.translations
                #expect(asked == [["q": text, "source": "auto", "target": "en", "format": "text", "api_key": "k"]])
            }
        }
    }
}

@Suite struct MessageBodyTests {
    @Test func keepsTextAndLineBreaksAndDropsControlsAndDirectionOverrides() {
        #expect(MessageBody.clean("  Hola\r\nmundo\u{0000}\u{001B}[31m\t!  ") == "Hola\nmundo[31m\t!")
        #expect(MessageBody.clean("abc\u{202E}def\u{2066}") == "abcdef")
        #expect(MessageBody.clean("👋🏽 café") == "👋🏽 café")
        #expect(MessageBody.clean("\u{0007}\n ") == "")
        #expect(MessageBody.clean("a\rb\r\r\nc\n\rd\r") == "a\nb\n\nc\n\nd")
    }

    @Test func previewsTheFirstLineShortened() {
        #expect(MessageBody.preview("First line\nsecond") == "First line")
        #expect(MessageBody.preview(String(repeating: "a", count: 200), length: 10) == "aaaaaaaaa…")
    }
}
