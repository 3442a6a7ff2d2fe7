import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat
import PostgresNIO
import ServiceKit
import TestSupport
import Testing

@testable import Notify

/// The world around Notify in one stand-in: Auth's contact route and JWKS, and SendGrid, Twilio and FCM speaking
/// their wire formats. It records what reached each and can be told to fail.
actor Outside {
    struct Call: Sendable {
        var path: String
        var headers: HTTPFields
        var body: String
    }

    private(set) var calls: [Call] = []
    private var contacts: [UUID: UserContact] = [:]
    /// The status the providers answer with, 2xx unless a test says otherwise.
    private var providerStatus: HTTPResponse.Status = .accepted
    /// Device tokens FCM no longer knows.
    private var unregistered: Set<String> = []
    /// Called as each provider's call arrives.
    private var onCall: @Sendable () -> Void = {}
    /// Whether Auth answers several contacts at once (an Auth from before that route does not).
    private var answersContactBatches = true
    /// The contact lookups that reached Auth: the ids of each.
    private(set) var contactLookups: [[UUID]] = []

    func add(_ contact: UserContact) { contacts[contact.id] = contact }
    func lookUp(_ ids: [UUID]) -> [UserContact] {
        contactLookups.append(ids)
        return ids.compactMap { contacts[$0] }
    }
    func withoutContactBatches() { answersContactBatches = false }
    func isAnsweringContactBatches() -> Bool { answersContactBatches }
    func failProviders(with status: HTTPResponse.Status) { providerStatus = status }
    func unregister(_ token: String) { unregistered.insert(token) }
    func isUnregistered(_ token: String) -> Bool { unregistered.contains(token) }
    func status() -> HTTPResponse.Status { providerStatus }
    func whenCalled(_ hook: @escaping @Sendable () -> Void) { onCall = hook }
    func record(_ call: Call) {
        calls.append(call)
        onCall()
    }
    func calls(to path: String) -> [Call] { calls.filter { $0.path == path } }

    nonisolated func router(tokens: TestTokens) -> Router<BasicRequestContext> {
        let router = Router()
        tokens.publish(on: router)
        router.get("internal/v1/users/:id") { _, context -> Response in
            guard let id = UUID(uuidString: try context.parameters.require("id")), let contact = await self.lookUp([id]).first else {
                return Response(status: .notFound)
            }
            return Response(
                status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder.mayaGo.encode(contact))))
        }
        router.post("internal/v1/users/contacts") { request, context -> Response in
            guard await self.isAnsweringContactBatches() else { return Response(status: .notFound) }
            let asked = try await request.decode(as: UserContacts.Request.self, context: context)
            let answer = UserContacts(contacts: await self.lookUp(asked.ids))
            return Response(
                status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder.mayaGo.encode(answer))))
        }
        router.post("**") { request, context -> Response in
            let body = String(buffer: try await request.body.collect(upTo: 1 << 20))
            await self.record(Call(path: request.uri.path, headers: request.headers, body: body))
            let status = await self.status()
            if request.uri.path == "/token" {
                return Self.json(["access_token": "ya29.test", "expires_in": 3599, "token_type": "Bearer"], status: .ok)
            }
            guard status.code < 300 else { return Self.json(["errors": [["message": "provider says no"]]], status: status) }
            switch request.uri.path {
            case "/v3/mail/send":
                return Response(status: .accepted, headers: [HTTPField.Name("X-Message-Id")!: "sg-\(UUID().uuidString.prefix(8))"])
            case let path where path.hasSuffix("/Messages.json"):
                return Self.json(["sid": "SM\(UUID().uuidString.prefix(8))", "status": "queued"], status: .created)
            case let path where path.hasSuffix("/messages:send"):
                let token = ((try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]).flatMap {
                    ($0["message"] as? [String: Any])?["token"] as? String
                }
                if let token, await self.isUnregistered(token) {
                    let error: [String: any Sendable] = [
                        "code": 404, "status": "NOT_FOUND", "message": "Requested entity was not found.", "details": [["errorCode": "UNREGISTERED"]],
                    ]
                    return Self.json(["error": error], status: .notFound)
                }
                return Self.json(["name": "projects/mayago-test/messages/\(UUID().uuidString.prefix(8))"], status: .ok)
            default:
                return Response(status: .notFound)
            }
        }
        return router
    }

    nonisolated static func json(_ object: [String: any Sendable], status: HTTPResponse.Status) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(data: (try? JSONSerialization.data(withJSONObject: object)) ?? Data())))
    }
}

/// Notify on a schema of its own, with `Outside` as Auth and every provider, and the mailbox in a fresh folder.
struct NotifyHarness: Sendable {
    let client: any TestClientProtocol
    let outside: Outside
    let postgres: PostgresClient
    let credential: ServiceCredential
    let configuration: ServiceConfiguration
    let mailbox: URL
    static let tokens = TestTokens()

    /// `prepare` adds variables that need the stand-in's port.
    static func run<Value: Sendable>(
        _ overrides: [String: String] = [:], clock: WallClock = .system, prepare: @Sendable (Int) throws -> [String: String] = { _ in [:] },
        _ body: @Sendable (NotifyHarness) async throws -> Value
    ) async throws -> Value {
        let outside = Outside()
        let mailbox = FileManager.default.temporaryDirectory.appendingPathComponent("mayago-mailbox-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: mailbox) }
        return try await withStandIn(outside.router(tokens: tokens)) { port in
            let variables = [
                "AUTH_URL": "http://127.0.0.1:\(port)", "MAILBOX_PATH": mailbox.path, "DEV_MAILBOX": "true", "NOTIFY_POLL_MS": "50",
                "SENDGRID_API_URL": "http://127.0.0.1:\(port)", "SENDGRID_API_KEY": "SG.test",
                "TWILIO_API_URL": "http://127.0.0.1:\(port)", "TWILIO_ACCOUNT_SID": "AC123", "TWILIO_AUTH_TOKEN": "secret", "TWILIO_FROM": "+15005550006",
                "FCM_API_URL": "http://127.0.0.1:\(port)",
            ]
            return try await ServiceUnderTest.run(
                .notify, variables: variables.merging(overrides) { $1 }.merging(try prepare(port)) { $1 },
                build: {
                    try await buildApplication(configuration: $0, clock: clock)
                }
            ) { service in
                let credential = await ServiceCredential(service: .booking, secret: service.configuration.serviceSecret)
                return try await body(
                    NotifyHarness(
                        client: service.client, outside: outside, postgres: service.postgres, credential: credential,
                        configuration: service.configuration, mailbox: mailbox
                    ))
            }
        }
    }

    /// A signed-in user whom Auth knows.
    func user(_ role: Role = .traveler, name: String = "Ana") async throws -> TestTokens.User {
        let user = try await Self.tokens.user(role)
        await outside.add(
            UserContact(
                id: user.id, email: "\(name.lowercased())-\(user.id.uuidString.prefix(6))@mayago.test", name: name, role: role, emailVerified: true,
                disabled: false))
        return user
    }

    func send(_ method: HTTPRequest.Method, _ path: String, _ body: [String: any Sendable]? = nil, as user: TestTokens.User? = nil) async throws -> TestResponse
    {
        try await client.send(method, path, json: body, token: user?.token)
    }

    /// Saves `preferences` (with a `phone`) and confirms the phone with the code texted to it, as its owner would.
    @discardableResult
    func savePreferencesConfirmingPhone(_ preferences: [String: any Sendable], as user: TestTokens.User) async throws -> TestResponse {
        let saved = try await send(.put, "/api/v1/notifications/preferences", preferences, as: user)
        try #require(saved.status == .ok, "\(saved.text)")
        let phone = try #require(preferences["phone"] as? String)
        let code = try #require(await textedCode(to: phone))
        let verified = try await send(.post, "/api/v1/notifications/preferences/phone/verify", ["code": code], as: user)
        try #require(verified.status == .ok, "\(verified.text)")
        return verified
    }

    /// The last code texted to `phone`: from the mailbox, or from what reached Twilio.
    func textedCode(to phone: String) async -> String? {
        let letters = (try? await send(.get, "/api/v1/dev/mailbox").decode(PreviewRoutes.Letters.self).items) ?? []
        let texts =
            letters.filter { $0.channel == "sms" && $0.to == phone }.map(\.short)
            + (await outside.calls(to: "/2010-04-01/Accounts/AC123/Messages.json").reversed().map { $0.body.removingPercentEncoding ?? $0.body })
        return texts.lazy.compactMap { $0.firstMatch(of: /your code is ([0-9]{6})/).map { String($0.1) } }.first
    }

    /// Sends a notification as another service's outbox does.
    @discardableResult
    func notify(
        _ type: NotificationType, to user: UUID, data: [String: JSONValue] = [:], key: String = UUID().uuidString, sendAt: Date? = nil,
        emailTo: String? = nil
    ) async throws -> TestResponse {
        let request = NotificationRequest(type: type, recipientId: user, data: data, idempotencyKey: key, sendAt: sendAt, emailTo: emailTo)
        return try await client.executeRequest(
            uri: NotificationRequest.path, method: .post,
            headers: [.authorization: "Bearer \(try await credential.token(for: .notify))", .contentType: "application/json"],
            body: ByteBuffer(bytes: try JSONEncoder.mayaGo.encode(request))
        )
    }

    /// The statuses of the user's jobs by channel.
    func jobs(of user: UUID) async throws -> [String: String] {
        let rows = try await postgres.query("SELECT channel, status FROM jobs WHERE recipient_id = \(user)")
        var found: [String: String] = [:]
        for try await (channel, status) in rows.decode((String, String).self) { found[channel] = status }
        return found
    }

    func count(_ sql: String) async throws -> Int {
        let rows = try await postgres.query(PostgresQuery(unsafeSQL: sql))
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }
}
