import Contracts
import Foundation
import Logging
import PostgresNIO

/// The transactional outbox: a service writes the calls it owes other services into its own schema, in the same
/// transaction as the change that causes them; ``OutboxRelay`` delivers them after commit and deletes them, so the
/// table holds only what is still owed. A crash or a downed peer delays a call; it never loses one. The inbox
/// remembers the messages received for ``inboxRetention`` (``inboxRule``), far longer than a sender retries one it delivered.
public enum Outbox {
    /// The outbox of every service's schema, and the inbox on which receivers deduplicate deliveries.
    /// Versions below 100 are ServiceKit's; a service numbers its own from 100.
    public static let migrations = [
        Migration(
            1,
            "outbox",
            [
                """
                CREATE TABLE outbox (
                    id uuid PRIMARY KEY,
                    destination text NOT NULL,
                    path text NOT NULL,
                    payload jsonb NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    attempts integer NOT NULL DEFAULT 0,
                    next_attempt_at timestamptz NOT NULL DEFAULT now(),
                    delivered_at timestamptz,
                    last_error text
                )
                """,
                "CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE delivered_at IS NULL",
            ]
        ),
        Migration(
            2,
            "inbox",
            ["CREATE TABLE inbox (message_id uuid PRIMARY KEY, received_at timestamptz NOT NULL DEFAULT now())"]
        ),
        // The trace of the request that wrote a message, which its delivery continues.
        Migration(4, "outbox traceparent", ["ALTER TABLE outbox ADD COLUMN traceparent text"]),
        // Delivered rows used to stay forever. `delivered_at` stays while the previous release, which still marks
        // rows, may run beside this one; a later release drops it. BRIN: the inbox is written in time order.
        Migration(
            5,
            "outbox keeps what is owed, inbox ages out",
            [
                "DELETE FROM outbox WHERE delivered_at IS NOT NULL",
                "CREATE INDEX inbox_received ON inbox USING brin (received_at)",
            ]
        ),
    ]

    /// How long a received message's id is kept to recognise a repeat: a sender repeats a delivery only when it
    /// could not record it (its lease, 30 s, ran out), so a week covers any outage of its database.
    public static let inboxRetention: Duration = .seconds(7 * 86_400)

    /// ``Retention``'s rule for the inbox.
    public static let inboxRule = Retention.Rule("inbox", by: "received_at", keptFor: inboxRetention)

    /// Writes `call` on `connection`, which must be inside the caller's transaction.
    public static func enqueue(_ call: some InternalCall, on connection: PostgresConnection, logger: Logger) async throws {
        try await enqueue([try OutboxMessage(call)], on: connection, logger: logger)
    }

    /// Writes `messages` in one statement on `connection`, which must be inside the caller's transaction.
    public static func enqueue(_ messages: [OutboxMessage], on connection: PostgresConnection, logger: Logger) async throws {
        guard !messages.isEmpty else { return }
        try await connection.query(
            """
            INSERT INTO outbox (id, destination, path, payload, traceparent)
            SELECT id, destination, path, payload::jsonb, nullif(traceparent, '')
            FROM unnest(
                \(messages.map(\.id)), \(messages.map(\.destination.rawValue)), \(messages.map(\.path)), \(messages.map(\.payload)),
                \(messages.map { $0.traceparent ?? "" })
            ) AS m(id, destination, path, payload, traceparent)
            """,
            logger: logger
        )
    }

    /// Records that the message `id` was received, on `connection` inside the receiver's transaction. Returns
    /// `false` when it had been received before: the receiver then skips the work and answers as if done.
    public static func receive(_ id: UUID, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.query(
            "INSERT INTO inbox (message_id) VALUES (\(id)) ON CONFLICT DO NOTHING RETURNING message_id",
            logger: logger
        )
        return try await rows.returnedARow()
    }

    /// Forgets that the message `id` was received, inside the receiver's transaction, when its work failed after
    /// all: the sender's next delivery does it again.
    public static func forget(_ id: UUID, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("DELETE FROM inbox WHERE message_id = \(id)", logger: logger)
    }
}
