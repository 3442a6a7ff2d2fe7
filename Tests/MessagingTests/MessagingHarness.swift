import AsyncHTTPClient
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import PostgresNIO
import ServiceKit
import TestSupport
import Testing

@testable import Messaging

/// The world around Messaging in one stand-in: Auth (keys and names), Booking (who provides an experience, whose a
/// booking is) and Notify, which records the notices it gets.
actor Outside {
    private var experiences: [UUID: ExperienceParties] = [:]
    private var bookings: [UUID: BookingParties] = [:]
    private var names: [UUID: String] = [:]
    private(set) var notices: [NotificationRequest] = []
    /// The bodies LibreTranslate's `POST /translate` received.
    private(set) var translations: [[String: String]] = []

    func add(_ experience: ExperienceParties) { experiences[experience.id] = experience }
    func add(_ booking: BookingParties) { bookings[booking.id] = booking }
    func name(_ user: UUID, _ name: String) { names[user] = name }
    func record(_ notice: NotificationRequest) { notices.append(notice) }
    func record(translation: [String: String]) { translations.append(translation) }
    func experience(_ id: UUID) -> ExperienceParties? { experiences[id] }
    func booking(_ id: UUID) -> BookingParties? { bookings[id] }
    func contact(_ id: UUID) -> UserContact? {
        names[id].map { UserContact(id: id, email: "u@example.com", name: $0, role: .traveler, emailVerified: true, disabled: false) }
    }

    nonisolated func router(tokens: TestTokens) -> Router<BasicRequestContext> {
        let router = Router()
        tokens.publish(on: router)
        router.get("internal/v1/experiences/:id") { _, context in try Self.json(await self.experience(try context.parameters.require("id", as: UUID.self))) }
        router.get("internal/v1/bookings/:id") { _, context in try Self.json(await self.booking(try context.parameters.require("id", as: UUID.self))) }
        router.get("internal/v1/users/:id") { _, context in try Self.json(await self.contact(try context.parameters.require("id", as: UUID.self))) }
        router.post("internal/v1/notifications") { request, context -> Response in
            await self.record(try await request.decode(as: NotificationRequest.self, context: context))
            return Response(status: .accepted)
        }
        router.post("translate") { request, _ -> Response in
            let body = try JSONDecoder().decode([String: String].self, from: try await request.body.collect(upTo: 1 << 16))
            await self.record(translation: body)
            return try Self.json(["translatedText": "(\(body["target"] ?? "")) \(body["q"] ?? "")"])
        }
        return router
    }

    nonisolated static func json(_ value: (some Encodable)?) throws -> Response {
        guard let value else { return Response(status: .notFound) }
        return Response(
            status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder.mayaGo.encode(value))))
    }
}

/// Two Messaging instances on one schema and one Redis, on real sockets, with `Outside` around them.
struct MessagingHarness: Sendable {
    let ports: [Int]
    let outside: Outside
    let postgres: PostgresClient
    let attachments: URL
    let serviceSecret: String
    static let tokens = TestTokens()

    static func run<Value: Sendable>(_ overrides: [String: String] = [:], _ body: @Sendable (MessagingHarness) async throws -> Value) async throws -> Value {
        let outside = Outside()
        let schema = "messaging_\(UUID().uuidString.prefix(8).lowercased())"
        let attachments = FileManager.default.temporaryDirectory.appendingPathComponent("mayago-attachments-\(schema)")
        defer { try? FileManager.default.removeItem(at: attachments) }
        return try await withStandIn(outside.router(tokens: tokens)) { port in
            let peer = "http://127.0.0.1:\(port)"
            let configuration = try TestEnvironment.configuration(
                .messaging,
                [
                    "DATABASE_SCHEMA": schema, "AUTH_URL": peer, "BOOKING_URL": peer, "NOTIFY_URL": peer, "MESSAGING_ATTACHMENTS_PATH": attachments.path,
                ].merging(overrides) { $1 })
            let first = try await buildApplication(configuration: configuration)
            let second = try await buildApplication(configuration: configuration)
            let postgres = PostgresClient(
                configuration: try .init(url: URL(string: TestEnvironment.databaseURL)!, schema: schema, poolSize: 2),
                backgroundLogger: Logger(label: "messaging-test"))
            return try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { await postgres.run() }
                defer { tasks.cancelAll() }
                let value = try await first.test(.live) { one in
                    try await second.test(.live) { two in
                        for client in [one, two] {
                            try #require(
                                try await eventually(timeout: .seconds(60)) {
                                    try await client.executeRequest(uri: "/ready", method: .get, headers: [:], body: nil).status == .ok
                                })
                        }
                        return try await body(
                            MessagingHarness(
                                ports: [one.port!, two.port!], outside: outside, postgres: postgres, attachments: attachments,
                                serviceSecret: configuration.serviceSecret))
                    }
                }
                try await postgres.query("DROP SCHEMA \(unescaped: schema) CASCADE")
                return value
            }
        }
    }

    /// A user whom Auth knows by `name`.
    func user(_ role: Role = .traveler, name: String) async throws -> TestTokens.User {
        let user = try await Self.tokens.user(role)
        await outside.name(user.id, name)
        return user
    }

    /// A published experience of `provider` that Booking knows.
    func experience(of provider: TestTokens.User, title: String = "Cenote swim", status: String = "published") async -> UUID {
        let id = UUID()
        await outside.add(ExperienceParties(id: id, providerId: provider.id, title: title, status: status))
        return id
    }

    /// A traveler and a provider and the conversation the traveler opened about one of the provider's experiences.
    func pair() async throws -> (traveler: TestTokens.User, provider: TestTokens.User, conversation: UUID) {
        let traveler = try await user(.traveler, name: "Ana")
        let provider = try await user(.provider, name: "Luis")
        let opened = try await request(.post, "/api/v1/conversations", as: traveler, json: ["experienceId": await experience(of: provider).uuidString])
        try #require(opened.status == .created, "\(opened.text)")
        return (traveler, provider, try #require(UUID(uuidString: opened.json["id"] as? String ?? "")))
    }

    struct Answer: Sendable {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var body: ByteBuffer
        var text: String { String(buffer: body) }
        var json: [String: any Sendable] { ((try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: any Sendable]) ?? [:] }

        func decode<Value: Decodable>(_ type: Value.Type) throws -> Value {
            try JSONDecoder.mayaGo.decode(type, from: body)
        }
    }

    /// An HTTP request to instance `instance`.
    func request(
        _ method: HTTPRequest.Method, _ path: String, as user: TestTokens.User?, json: [String: any Sendable]? = nil,
        body: ByteBuffer? = nil, headers: HTTPFields = [:], instance: Int = 0
    ) async throws -> Answer {
        var headers = headers
        if let user { headers[.authorization] = "Bearer \(user.token)" }
        var payload = body
        if let json {
            headers[.contentType] = "application/json"
            payload = ByteBuffer(data: try JSONSerialization.data(withJSONObject: json))
        }
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(ports[instance])\(path)")
        request.method = .init(rawValue: method.rawValue)
        for field in headers { request.headers.add(name: field.name.rawName, value: field.value) }
        if let payload { request.body = .bytes(payload) }
        // Generous: under the whole suite, on two cores, a first request to a new instance can wait its turn.
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        var fields = HTTPFields()
        for header in response.headers { if let name = HTTPField.Name(header.name) { fields.append(HTTPField(name: name, value: header.value)) } }
        return Answer(status: .init(code: Int(response.status.code)), headers: fields, body: try await response.body.collect(upTo: 64 << 20))
    }

    /// A WebSocket to instance `instance`, once its session answers a ping: subscribed and announced.
    func connect(_ user: TestTokens.User, instance: Int = 0, since: UUID? = nil) async throws -> TestSocket {
        let query = since.map { "?since=\($0.uuidString.lowercased())" } ?? ""
        let socket = try await TestSocket.connect(url: "ws://127.0.0.1:\(ports[instance])/api/v1/messaging/ws\(query)", token: user.token)
        try await socket.send(["type": "ping"])
        try await socket.wait { $0.of == "ping" }
        return socket
    }

    /// How many messages the conversation has stored.
    func storedMessages(_ conversation: UUID) async throws -> Int {
        let rows = try await postgres.query("SELECT count(*)::int FROM messages WHERE conversation_id = \(conversation)")
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }
}
