import Foundation
import JWTKit
import Logging
import PostgresNIO
import ServiceKit

/// The keys that sign access tokens, kept in the `signing_keys` table so that every Auth instance signs with the
/// same one. One key is current; a rotation retires it (it stays in the JWKS until the last token it signed has
/// expired) and makes a new one current. Instances look for a rotated key every `reloadInterval`. Private keys are
/// stored sealed by `cipher`.
actor KeyRing {
    private let postgres: PostgresClient
    private let cipher: DataCipher
    private let logger: Logger
    private let clock: WallClock
    /// How long a retired key stays published: the access token lifetime, plus the reload interval during which
    /// another instance may still sign with it, plus the verifiers' leeway.
    private let retention: TimeInterval
    private let reloadInterval: Duration
    private var current: SigningKey?
    private var loadedAt: ContinuousClock.Instant?

    init(postgres: PostgresClient, cipher: DataCipher, logger: Logger, clock: WallClock, tokenLifetime: TimeInterval, reloadInterval: Duration) {
        self.postgres = postgres
        self.cipher = cipher
        self.logger = logger
        self.clock = clock
        self.reloadInterval = reloadInterval
        retention = tokenLifetime + TimeInterval(reloadInterval.components.seconds) + 60
    }

    /// The key that signs now; made on first use if the table is empty.
    func signingKey() async throws -> SigningKey {
        if let current, let loadedAt, ContinuousClock.now - loadedAt < reloadInterval { return current }
        let key: SigningKey
        if let loaded = try await loadCurrent() { key = loaded } else { key = try await createFirst() }
        current = key
        loadedAt = .now
        return key
    }

    /// Retires the current key and makes a new one current; returns the new key's id.
    @discardableResult
    func rotate() async throws -> String {
        let key = SigningKey.generate()
        let now = clock.now()
        try await postgres.withTransaction(logger: logger) { connection in
            try await connection.query("UPDATE signing_keys SET retired_at = \(now) WHERE retired_at IS NULL", logger: logger)
            try await connection.query(
                "INSERT INTO signing_keys (id, private_key, created_at) VALUES (\(key.id), \(try cipher.seal(key.rawPrivateKey.base64EncodedString())), \(now))",
                logger: logger
            )
        }
        current = key
        loadedAt = .now
        logger.notice("Rotated the signing key", metadata: ["kid": "\(key.id)"])
        return key.id
    }

    /// The public keys that verify tokens now: the current key and those retired less than `retention` ago.
    func publicKeys() async throws -> JWKS {
        _ = try await signingKey()
        let since = clock.now().addingTimeInterval(-retention)
        let rows = try await postgres.query(
            "SELECT id, private_key FROM signing_keys WHERE retired_at IS NULL OR retired_at > \(since) ORDER BY created_at DESC",
            logger: logger
        )
        var keys: [JWK] = []
        for try await (id, privateKey) in rows.decode((String, String).self) {
            keys.append(try key(id: id, stored: privateKey).publicJWK)
        }
        return JWKS(keys: keys)
    }

    private func loadCurrent() async throws -> SigningKey? {
        let rows = try await postgres.query("SELECT id, private_key FROM signing_keys WHERE retired_at IS NULL", logger: logger)
        for try await (id, privateKey) in rows.decode((String, String).self) {
            return try key(id: id, stored: privateKey)
        }
        return nil
    }

    /// Seals again, with the current data key, every private key stored in plaintext or under an older data key.
    func reseal() async throws -> Int {
        let rows = try await postgres.query("SELECT id, private_key FROM signing_keys WHERE private_key NOT LIKE \(cipher.currentPattern)", logger: logger)
        var stale: [(String, String)] = []
        for try await row in rows.decode((String, String).self) { stale.append(row) }
        for (id, stored) in stale {
            let sealed = try cipher.seal(try cipher.open(stored))
            try await postgres.query("UPDATE signing_keys SET private_key = \(sealed) WHERE id = \(id) AND private_key = \(stored)", logger: logger)
        }
        return stale.count
    }

    /// The first key. Two instances starting together race; the unique index lets one win, and the other
    /// reads the winner's key.
    private func createFirst() async throws -> SigningKey {
        let key = SigningKey.generate()
        try await postgres.query(
            """
            INSERT INTO signing_keys (id, private_key, created_at) VALUES (\(key.id), \(try cipher.seal(key.rawPrivateKey.base64EncodedString())), \(clock.now()))
            ON CONFLICT DO NOTHING
            """,
            logger: logger
        )
        guard let winner = try await loadCurrent() else { throw KeyRingError.noCurrentKey }
        return winner
    }

    private func key(id: String, stored: String) throws -> SigningKey {
        guard let raw = Data(base64Encoded: try cipher.open(stored)) else { throw KeyRingError.unreadableKey(id) }
        return try SigningKey(id: id, rawPrivateKey: raw)
    }
}

enum KeyRingError: Error {
    case noCurrentKey
    case unreadableKey(String)
}
