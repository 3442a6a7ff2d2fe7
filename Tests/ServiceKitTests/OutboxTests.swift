import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOConcurrencyHelpers
import PostgresNIO
import ServiceKit
import ServiceLifecycle
import TestSupport
import Testing

@Suite struct OutboxTests {
    let logger = Logger(label: "outbox-test")

    struct Note: InternalCall {
        static let destination = ServiceName.notify
        static let route = "notes"
        var number: Int
    }

    /// A receiver that records each message once, as a real one does with its inbox.
    final class Receiver: Sendable {
        let received = NIOLockedValueBox<[Int: Int]>([:])
        let calls = NIOLockedValueBox(0)
    }

    @Test func deliversEveryRowExactlyOnceToAReceiverThatWasDownAtFirst() async throws {
        let schema = "outbox_\(UUID().uuidString.prefix(8).lowercased())"
        let port = try TestEnvironment.freePort()
        let configuration = try TestEnvironment.configuration(
            .booking,
            ["DATABASE_SCHEMA": schema, "NOTIFY_URL": "http://127.0.0.1:\(port)", "OUTBOX_MIN_BACKOFF_MS": "50", "OUTBOX_MAX_BACKOFF_MS": "300"]
        )
        let runtime = try await ServiceRuntime<PostgresStore>(configuration: configuration)
        let postgres = runtime.postgres
        let app = runtime.makeApplication(router: runtime.makeRouter())

        // The receiver: another service's internal route, guarded by the service credential, deduplicating on
        // the message id in its own schema.
        let receiver = Receiver()
        let receiverRuntime = try await ServiceRuntime<PostgresStore>(
            configuration: try TestEnvironment.configuration(.notify, ["HTTP_PORT": "\(port)", "DATABASE_SCHEMA": schema + "_rx"])
        )
        let receiverRouter = receiverRuntime.makeRouter()
        let receiverPostgres = receiverRuntime.postgres
        receiverRuntime.internalRoutes(of: receiverRouter).post(Note.self, from: .booking) { request, context -> Response in
            receiver.calls.withLockedValue { $0 += 1 }
            let note = try await request.decode(as: Note.self, context: context)
            let id = try #require(request.headers[.outboxMessageID].flatMap(UUID.init(uuidString:)))
            try await receiverPostgres.withTransaction(logger: context.logger) { connection in
                if try await Outbox.receive(id, on: connection, logger: context.logger) {
                    receiver.received.withLockedValue { $0[note.number, default: 0] += 1 }
                }
            }
            return Response(status: .noContent)
        }

        let receiverApp = receiverRuntime.makeApplication(router: receiverRouter)
        try await app.test(.router) { _ in
            // As long as ServiceUnderTest waits for /ready: with every suite starting at once, migrations wait their turn.
            #expect(await eventually(timeout: .seconds(60)) { (try? await postgres.query("SELECT 1 FROM outbox LIMIT 1")) != nil })
            // Twenty notes committed, one rolled back.
            for number in 1...20 {
                try await postgres.withTransaction(logger: logger) { connection in
                    try await Outbox.enqueue(Note(number: number), on: connection, logger: logger)
                }
            }
            await #expect(throws: (any Error).self) {
                try await postgres.withTransaction(logger: logger) { connection in
                    try await Outbox.enqueue(Note(number: 99), on: connection, logger: logger)
                    throw CancellationError()
                }
            }
            // The receiver is down: deliveries fail and are retried.
            #expect(try await eventually { try await count(postgres, "attempts > 1") == 20 })
            #expect(try await count(postgres, "last_error IS NOT NULL") == 20)

            // It comes back on its port: everything arrives.
            let receiverGroup = ServiceGroup(services: [receiverApp], logger: logger)
            async let receiving: Void = receiverGroup.run()
            // A delivered row is deleted: the outbox holds only what is still owed.
            let delivered = try await eventually(timeout: .seconds(30)) { try await count(postgres, "true") == 0 }
            #expect(delivered)
            await receiverGroup.triggerGracefulShutdown()
            try await receiving
            let received = receiver.received.withLockedValue { $0 }
            #expect(received == Dictionary(uniqueKeysWithValues: (1...20).map { ($0, 1) }))
            try await postgres.query("DROP SCHEMA \(unescaped: schema) CASCADE", logger: logger)
            try await postgres.query("DROP SCHEMA \(unescaped: schema + "_rx") CASCADE", logger: logger)
        }
    }

    @Test func internalRoutesRefuseCallersWithoutAServiceCredential() async throws {
        let runtime = try await ServiceRuntime<NoStores>(configuration: try TestEnvironment.configuration(.notify))
        let router = runtime.makeRouter()
        runtime.internalRoutes(of: router).post(Note.self, from: .booking, .payment) { _, _ in Response(status: .noContent) }
        let forged = await ServiceCredential(service: .booking, secret: String(repeating: "x", count: 40))
        let booking = await ServiceCredential(service: .booking, secret: ServiceConfiguration.developmentSecret)
        let search = await ServiceCredential(service: .search, secret: ServiceConfiguration.developmentSecret)
        let cases: [(token: String?, status: HTTPResponse.Status)] = [
            (nil, .notFound),
            (try await forged.token(for: .notify), .notFound),
            // Booking's credential for another service, replayed here.
            (try await booking.token(for: .payment), .notFound),
            // A valid credential of a service the route does not name.
            (try await search.token(for: .notify), .forbidden),
            (try await booking.token(for: .notify), .noContent),
        ]
        try await runtime.makeApplication(router: router).test(.router) { client in
            for (token, status) in cases {
                let headers: HTTPFields = token.map { [.authorization: "Bearer \($0)"] } ?? [:]
                try await client.execute(uri: "/internal/v1/notes", method: .post, headers: headers) { #expect($0.status == status) }
            }
        }
    }

    func count(_ postgres: PostgresClient, _ condition: String) async throws -> Int {
        let rows = try await postgres.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM outbox WHERE \(condition)"), logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }
}
