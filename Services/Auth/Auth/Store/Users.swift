import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// The `users` table. TOTP secrets are stored sealed by `cipher`.
struct Users: Sendable {
    let postgres: PostgresClient
    let cipher: DataCipher
    let logger: Logger

    private static let columns: PostgresQuery = """
        SELECT id, email, name, role, password_hash, email_verified, disabled, totp_secret, totp_enabled, totp_last_step, created_at FROM users
        """

    func find(id: UUID, on connection: PostgresConnection? = nil, forUpdate: Bool = false) async throws -> UserRecord? {
        var query = Self.columns
        query.sql += " WHERE id = $1" + (forUpdate ? " FOR UPDATE" : "")
        query.binds.append(id)
        return try await first(query, on: connection)
    }

    /// How to reach each of `ids` that is a user: only the contact's columns (no secret is read or opened).
    func contacts(of ids: [UUID]) async throws -> [UserContact] {
        let rows = try await postgres.query(
            "SELECT id, email, name, role, email_verified, disabled FROM users WHERE id = ANY(\(ids))", logger: logger)
        var contacts: [UserContact] = []
        for try await (id, email, name, role, verified, disabled) in rows.decode((UUID, String, String, String, Bool, Bool).self) {
            contacts.append(
                UserContact(id: id, email: email, name: name, role: Role(rawValue: role) ?? .traveler, emailVerified: verified, disabled: disabled))
        }
        return contacts
    }

    func find(email: EmailAddress, on connection: PostgresConnection? = nil) async throws -> UserRecord? {
        var query = Self.columns
        query.sql += " WHERE email = $1"
        query.binds.append(email.value)
        return try await first(query, on: connection)
    }

    /// Inserts `user`; `false` if the email is taken.
    func insert(_ user: UserRecord, at now: Date, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(
            """
            INSERT INTO users (id, email, name, role, password_hash, email_verified, created_at, updated_at)
            VALUES (\(user.id), \(user.email), \(user.name), \(user.role.rawValue), \(user.passwordHash), \(user.emailVerified), \(now), \(now))
            ON CONFLICT (email) DO NOTHING RETURNING id
            """,
            logger: logger
        )
        return try await rows.returnedARow()
    }

    /// A page of users ordered by email, optionally those whose email contains `emailContaining`.
    func list(emailContaining filter: String?, after cursor: String?, limit: Int) async throws -> [UserRecord] {
        var query = Self.columns
        query.sql += " WHERE ($1::text IS NULL OR email LIKE '%' || $1 || '%') AND ($2::text IS NULL OR email > $2) ORDER BY email LIMIT $3"
        query.binds.append(filter?.lowercased())
        query.binds.append(cursor)
        query.binds.append(limit)
        return try await all(query, on: nil)
    }

    func setName(_ name: String, of id: UUID, at now: Date, on connection: PostgresConnection) async throws {
        try await connection.query("UPDATE users SET name = \(name), updated_at = \(now) WHERE id = \(id)", logger: logger)
    }

    func setPasswordHash(_ hash: String, of id: UUID, at now: Date, on connection: PostgresConnection) async throws {
        try await connection.query("UPDATE users SET password_hash = \(hash), updated_at = \(now) WHERE id = \(id)", logger: logger)
    }

    /// Gives the user `email`, verified; `false` when another account has it.
    func setEmail(_ email: String, of id: UUID, at now: Date, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(
            """
            UPDATE users SET email = \(email), email_verified = true, updated_at = \(now)
            WHERE id = \(id) AND NOT EXISTS (SELECT 1 FROM users WHERE email = \(email))
            RETURNING id
            """,
            logger: logger
        )
        return try await rows.returnedARow()
    }

    func markEmailVerified(_ id: UUID, at now: Date, on connection: PostgresConnection) async throws {
        try await connection.query("UPDATE users SET email_verified = true, updated_at = \(now) WHERE id = \(id)", logger: logger)
    }

    func setRole(_ role: Role, of id: UUID, at now: Date, on connection: PostgresConnection) async throws {
        try await connection.query("UPDATE users SET role = \(role.rawValue), updated_at = \(now) WHERE id = \(id)", logger: logger)
    }

    func setDisabled(_ disabled: Bool, of id: UUID, at now: Date, on connection: PostgresConnection) async throws {
        try await connection.query("UPDATE users SET disabled = \(disabled), updated_at = \(now) WHERE id = \(id)", logger: logger)
    }

    /// Removes the password and the second factor: the account is reached by social sign-in (or a reset) only.
    func clearCredentials(of id: UUID, at now: Date, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            UPDATE users SET password_hash = NULL, totp_secret = NULL, totp_enabled = false, totp_last_step = NULL, updated_at = \(now)
            WHERE id = \(id)
            """,
            logger: logger
        )
    }

    /// Stores a new, not yet confirmed TOTP secret, sealed.
    func setPendingTOTPSecret(_ secret: String, of id: UUID, at now: Date) async throws {
        try await postgres.query(
            "UPDATE users SET totp_secret = \(try cipher.seal(secret)), totp_enabled = false, updated_at = \(now) WHERE id = \(id)",
            logger: logger
        )
    }

    /// Seals again, with the current data key, every TOTP secret stored in plaintext or under an older data key.
    func resealTOTPSecrets() async throws -> Int {
        let rows = try await postgres.query("SELECT id, totp_secret FROM users WHERE totp_secret NOT LIKE \(cipher.currentPattern)", logger: logger)
        var stale: [(UUID, String)] = []
        for try await row in rows.decode((UUID, String).self) { stale.append(row) }
        for (id, stored) in stale {
            let sealed = try cipher.seal(try cipher.open(stored))
            try await postgres.query("UPDATE users SET totp_secret = \(sealed) WHERE id = \(id) AND totp_secret = \(stored)", logger: logger)
        }
        return stale.count
    }

    func setTOTPEnabled(_ enabled: Bool, of id: UUID, lastStep: Int64?, at now: Date, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            UPDATE users SET totp_enabled = \(enabled), totp_secret = CASE WHEN \(enabled) THEN totp_secret END,
                totp_last_step = \(lastStep), updated_at = \(now)
            WHERE id = \(id)
            """,
            logger: logger
        )
    }

    /// Records the time step of an accepted code, so that the same code cannot be used twice; `false` if a code
    /// of this step or a later one was accepted already.
    func acceptTOTPStep(_ step: Int64, of id: UUID) async throws -> Bool {
        let rows = try await postgres.query(
            """
            UPDATE users SET totp_last_step = \(step)
            WHERE id = \(id) AND (totp_last_step IS NULL OR totp_last_step < \(step)) RETURNING id
            """,
            logger: logger
        )
        return try await rows.returnedARow()
    }

    private func first(_ query: PostgresQuery, on connection: PostgresConnection?) async throws -> UserRecord? {
        try await all(query, on: connection).first
    }

    private func all(_ query: PostgresQuery, on connection: PostgresConnection?) async throws -> [UserRecord] {
        let rows = try await postgres.query(query, on: connection, logger: logger)
        var users: [UserRecord] = []
        for try await (id, email, name, role, hash, verified, disabled, secret, totp, step, createdAt) in rows.decode(
            (UUID, String, String, String, String?, Bool, Bool, String?, Bool, Int64?, Date).self
        ) {
            users.append(
                UserRecord(
                    id: id, email: email, name: name, role: Role(rawValue: role) ?? .traveler, passwordHash: hash,
                    emailVerified: verified, disabled: disabled, totpSecret: try secret.map(cipher.open), totpEnabled: totp, totpLastStep: step,
                    createdAt: createdAt
                ))
        }
        return users
    }
}
