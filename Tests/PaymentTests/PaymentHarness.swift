import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PostgresNIO
import ServiceKit
import TestSupport
import Testing

@testable import Payment

/// The Payment service under test: one stand-in plays Auth's JWKS and Booking; its own schema.
struct PaymentHarness: Sendable {
    let client: any TestClientProtocol
    let peers: Recorder
    let postgres: PostgresClient
    let credential: ServiceCredential
    let serviceSecret: String
    static let tokens = TestTokens()

    static func run<Value: Sendable>(_ overrides: [String: String] = [:], _ body: @Sendable (PaymentHarness) async throws -> Value) async throws -> Value {
        let peers = Recorder()
        return try await withStandIn(peers.router(tokens: tokens)) { port in
            let variables = ["AUTH_URL": "http://127.0.0.1:\(port)", "BOOKING_URL": "http://127.0.0.1:\(port)", "NOTIFY_URL": "http://127.0.0.1:\(port)"]
            return try await ServiceUnderTest.run(
                .payment, variables: variables.merging(overrides) { $1 },
                build: {
                    try await buildApplication(configuration: $0)
                }
            ) { service in
                let credential = await ServiceCredential(service: .booking, secret: service.configuration.serviceSecret)
                return try await body(
                    PaymentHarness(
                        client: service.client, peers: peers, postgres: service.postgres, credential: credential,
                        serviceSecret: service.configuration.serviceSecret))
            }
        }
    }

    typealias User = TestTokens.User

    static func user(_ role: Role) async throws -> User {
        try await tokens.user(role)
    }

    /// Sends a request; POSTs carry a fresh `Idempotency-Key` unless `key` names one.
    func send(
        _ method: HTTPRequest.Method, _ path: String, _ body: [String: any Sendable]? = nil, as user: User? = nil, key: String? = nil
    ) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if method == .post { headers[.idempotencyKey] = key ?? UUID().uuidString }
        return try await client.send(method, path, json: body, token: user?.token, headers: headers)
    }

    /// Calls an internal route as Booking's outbox does; `caller` stands for another service calling.
    func internalCall(_ path: String, _ body: some Encodable, messageID: UUID = UUID(), caller: ServiceCredential? = nil) async throws -> TestResponse {
        try await client.executeRequest(
            uri: path, method: .post,
            headers: [
                .authorization: "Bearer \(try await (caller ?? credential).token(for: .payment))", .contentType: "application/json",
                .outboxMessageID: messageID.uuidString,
            ],
            body: ByteBuffer(bytes: try JSONEncoder.mayaGo.encode(body))
        )
    }

    /// A payment Booking asked for.
    func payment(traveler: User, provider: User, amount: Int64 = 255_000, currency: String = "MXN", experienceID: UUID? = nil) async throws -> Payment {
        let request = BookingPayments.PaymentRequest(
            bookingId: UUID(), travelerId: traveler.id, providerId: provider.id, amount: Money(amount: amount, currency: currency),
            description: "Cenote snorkeling at dawn, 3 guests", experienceId: experienceID,
            experienceTitle: experienceID.map { _ in "Cenote snorkeling at dawn" }
        )
        let response = try await internalCall(BookingPayments.PaymentRequest.path, request)
        try #require(response.status == .created, "\(response.text)")
        return try response.decode(Payment.self)
    }

    func pay(_ payment: Payment, as traveler: User, card: String = "4242 4242 4242 4242", key: String? = nil) async throws -> TestResponse {
        let card: [String: any Sendable] = [
            "number": card, "expMonth": 12, "expYear": Calendar(identifier: .gregorian).component(.year, from: Date()) + 2, "cvc": "123",
        ]
        return try await send(.post, "/api/v1/payments/\(payment.id)/confirm", ["card": card], as: traveler, key: key)
    }

    func ledgerIsBalanced() async throws -> Bool {
        let rows = try await postgres.query(
            "SELECT count(*)::int FROM (SELECT 1 FROM ledger_postings GROUP BY transaction_id, currency HAVING sum(amount) <> 0) unbalanced")
        for try await count in rows.decode(Int.self) { return count == 0 }
        return false
    }

    func balance(_ account: String) async throws -> Int64 {
        let rows = try await postgres.query("SELECT coalesce(sum(amount), 0)::bigint FROM ledger_postings WHERE account = \(account)")
        for try await sum in rows.decode(Int64.self) { return sum }
        return 0
    }
}
