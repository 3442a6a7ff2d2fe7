import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOConcurrencyHelpers
import NIOCore
import PostgresNIO
import ServiceKit
import TestSupport
import Testing

@testable import Auth

/// What reached the stand-in Notify, and the stand-in Search's feed.
actor Mailbox {
    private(set) var received: [NotificationRequest] = []
    private(set) var feed: [SearchFeedEvent] = []
    /// The erasures the services were told of, and the bookings to come Booking is to say each user has.
    private(set) var erasures: [AccountErasure] = []
    var upcomingBookings: [UUID: Int] = [:]
    /// While set, the other services do not answer exports.
    var exportsDown = false

    func setExportsDown(_ down: Bool) {
        exportsDown = down
    }

    func add(_ erasure: AccountErasure) {
        erasures.append(erasure)
    }

    func setUpcomingBookings(_ count: Int, of userID: UUID) {
        upcomingBookings[userID] = count
    }

    func add(_ event: SearchFeedEvent) {
        feed.append(event)
    }

    /// The latest feed event about provider `id`, waiting for the outbox to deliver it.
    func latestProvider(_ id: UUID, where condition: (SearchFeedEvent.Provider) -> Bool = { _ in true }) async -> SearchFeedEvent? {
        await eventuallyFound { feed.last(where: { $0.provider.map { $0.id == id && condition($0) } ?? false }) }
    }

    func add(_ request: NotificationRequest) {
        received.append(request)
    }

    /// The latest notification of `type` for `userID`, waiting for the outbox to deliver it.
    func latest(_ type: NotificationType, for userID: UUID) async -> NotificationRequest? {
        await eventuallyFound { received.last(where: { $0.type == type && $0.recipientId == userID }) }
    }

    func count(_ type: NotificationType, for userID: UUID) -> Int {
        all(type, for: userID).count
    }

    func all(_ type: NotificationType, for userID: UUID) -> [NotificationRequest] {
        received.filter { $0.type == type && $0.recipientId == userID }
    }
}

/// The Auth service under test, with a stand-in Notify, a movable clock, the test database (schema `auth`) and
/// helpers for the calls most tests make.
struct AuthHarness: Sendable {
    let client: any TestClientProtocol
    let clock: TestClock
    let mailbox: Mailbox
    let postgres: PostgresClient
    let credential: ServiceCredential
    /// What the suite's services share to sign their calls.
    let serviceSecret: String
    /// The client address of this case's requests (the per-address throttle is per case then).
    let address = "198.51.100.\(Int.random(in: 1...254))"

    static let password = "correct horse battery staple"

    /// Runs `body` against a fresh Auth; `overrides` are extra variables.
    static func run<Value: Sendable>(_ overrides: [String: String] = [:], _ body: @Sendable (AuthHarness) async throws -> Value) async throws -> Value {
        let mailbox = Mailbox()
        let notify = Router()
        notify.post("/internal/v1/notifications") { request, context -> HTTPResponse.Status in
            let body = try await request.body.collect(upTo: 1 << 20)
            await mailbox.add(try JSONDecoder.mayaGo.decode(NotificationRequest.self, from: body))
            return .accepted
        }
        notify.post(RouterPath(SearchFeedEvent.path)) { request, context -> HTTPResponse.Status in
            let body = try await request.body.collect(upTo: 1 << 20)
            await mailbox.add(try JSONDecoder.mayaGo.decode(SearchFeedEvent.self, from: body))
            return .noContent
        }
        notify.post(RouterPath(AccountErasure.path)) { request, context -> HTTPResponse.Status in
            let body = try await request.body.collect(upTo: 1 << 20)
            await mailbox.add(try JSONDecoder.mayaGo.decode(AccountErasure.self, from: body))
            return .noContent
        }
        notify.get(RouterPath(AccountCommitments.path)) { request, context -> Response in
            let id = try context.parameters.require("id", as: UUID.self)
            let answer = AccountCommitments(upcomingBookings: await mailbox.upcomingBookings[id] ?? 0)
            return Response(
                status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder.mayaGo.encode(answer))))
        }
        notify.get(RouterPath("/\(internalRoot)/\(AccountExport.route)")) { request, context -> Response in
            guard await !mailbox.exportsDown else { return Response(status: .serviceUnavailable) }
            let id = try context.parameters.require("id", as: UUID.self)
            let answer = AccountExport(service: .booking, records: ["bookings": .array([.object(["travelerId": .string(id.uuidString.lowercased())])])])
            return Response(
                status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder.mayaGo.encode(answer))))
        }
        return try await withStandIn(notify) { notifyPort in
            let clock = TestClock()
            let peer = "http://127.0.0.1:\(notifyPort)"
            var variables = ["BCRYPT_COST": "4", "PUBLIC_URL": "https://mayago.test", "ACCOUNT_ERASURE_INTERVAL_MS": "100", "DATA_EXPORT_INTERVAL_MS": "100"]
            for service in [ServiceName.notify, .search, .booking, .messaging, .payment] { variables["\(service.rawValue.uppercased())_URL"] = peer }
            return try await ServiceUnderTest.run(
                .auth, variables: variables.merging(overrides) { $1 },
                build: {
                    try await buildApplication(configuration: $0, clock: clock.clock)
                }
            ) { service in
                let credential = await ServiceCredential(service: .gateway, secret: service.configuration.serviceSecret)
                return try await body(
                    AuthHarness(
                        client: service.client, clock: clock, mailbox: mailbox, postgres: service.postgres, credential: credential,
                        serviceSecret: service.configuration.serviceSecret))
            }
        }
    }

    // MARK: Requests

    func send(
        _ method: HTTPRequest.Method,
        _ path: String,
        _ body: [String: any Sendable]? = nil,
        token: String? = nil,
        headers: HTTPFields = [:]
    ) async throws -> TestResponse {
        try await client.send(method, path, json: body, token: token, headers: headers)
    }

    /// Calls an internal route as `caller` (the gateway unless told) does, with a service credential.
    func sendInternal(
        _ method: HTTPRequest.Method, _ path: String, _ body: [String: any Sendable]? = nil, as caller: ServiceName = .gateway
    ) async throws -> TestResponse {
        let credential = caller == .gateway ? credential : await ServiceCredential(service: caller, secret: serviceSecret)
        return try await send(method, path, body, token: try await credential.token(for: .auth))
    }

    /// The headers of a request the gateway forwards for a client at `client`: the address it resolved, sealed.
    static func fromGateway(client: String, secret: String = ServiceConfiguration.developmentSecret) -> HTTPFields {
        let requestID = RequestID.make()
        return [.requestID: requestID, .mayaGoClient: ClientAddressSeal(secret: secret).seal(client, requestID: requestID)]
    }

    /// The one integer `query` selects.
    func count(_ query: PostgresQuery) async throws -> Int {
        for try await count in try await postgres.query(query).decode(Int.self) { return count }
        return 0
    }

    // MARK: Fixtures

    static func uniqueEmail(_ name: String = "user") -> String {
        "\(name)-\(UUID().uuidString.prefix(8).lowercased())@example.com"
    }

    /// Registers a new account and signs in to it; returns the token answer.
    func register(email: String = uniqueEmail(), password: String = password, name: String = "Ana Pérez", role: Role = .traveler) async throws -> Session {
        let response = try await send(.post, "/api/v1/auth/register", ["email": email, "password": password, "name": name, "role": role.rawValue])
        try #require(response.status == .accepted, "\(response.text)")
        let signedIn = try await login(email, password: password)
        try #require(signedIn.status == .ok, "\(signedIn.text)")
        return try signedIn.decode(Session.self)
    }

    func login(_ email: String, password: String = password, totpCode: String? = nil, from address: String? = nil) async throws -> TestResponse {
        var body: [String: any Sendable] = ["email": email, "password": password]
        if let totpCode { body["totpCode"] = totpCode }
        return try await send(.post, "/api/v1/auth/login", body, headers: Self.fromGateway(client: address ?? self.address))
    }

    /// Makes `userID` an admin directly in the database (the first admin of a real deployment is made the same way).
    func makeAdmin(_ userID: UUID) async throws {
        try await postgres.query("UPDATE users SET role = 'admin' WHERE id = \(userID)")
    }

    /// A user registered and made admin, with two-factor authentication on (as the admin role needs), signed in
    /// again with a code so that the token carries the role and the second factor.
    func admin() async throws -> Session {
        let session = try await register(name: "Root Admin")
        try await makeAdmin(session.user.id)
        let enrolment = try await send(.post, "/api/v1/auth/2fa/enroll", token: session.accessToken).decode(TwoFactorTests.Enrolment.self)
        let now = Date()
        let confirmed = try await send(.post, "/api/v1/auth/2fa/confirm", ["code": TwoFactorTests.code(enrolment.secret, at: now)], token: session.accessToken)
        try #require(confirmed.status == .ok, "\(confirmed.text)")
        // The next step's code: the one just used is spent.
        let response = try await login(session.user.email, totpCode: TwoFactorTests.code(enrolment.secret, at: now.addingTimeInterval(30)))
        try #require(response.status == .ok, "\(response.text)")
        return try response.decode(Session.self)
    }
}

/// The token answer of the contract.
struct Session: Decodable, Sendable {
    struct User: Decodable, Sendable, Equatable {
        var id: UUID
        var email: String
        var name: String
        var role: Role
        var emailVerified: Bool
        var twoFactorEnabled: Bool
        var createdAt: Date
    }

    var user: User
    var accessToken: String
    var refreshToken: String
    var tokenType: String
    var expiresIn: Int
}

extension NotificationRequest {
    /// The `token` query parameter of the link in the mail.
    var linkToken: String? {
        guard case .string(let link) = data["link"] else { return nil }
        return URLComponents(string: link)?.queryItems?.first { $0.name == "token" }?.value
    }
}
