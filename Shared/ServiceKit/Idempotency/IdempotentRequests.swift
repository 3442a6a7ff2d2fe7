import Contracts
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOFoundationCompat
import PostgresNIO

/// `Idempotency-Key` on unsafe public POSTs, with Stripe's semantics: the same key and body answer what the first
/// request answered (with `Idempotent-Replayed: true`); the same key with another body is a 422; a key whose first
/// request is still running is a 409. Answers are kept 24 hours; a 5xx is not kept, so that a retry runs again.
public struct IdempotentRequests: Sendable {
    public static let migration = Migration(
        3,
        "idempotency keys",
        [
            """
            CREATE TABLE idempotency_keys (
                owner text NOT NULL,
                key text NOT NULL,
                request_hash text NOT NULL,
                status integer,
                body bytea,
                created_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (owner, key)
            )
            """,
            "CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at)",
        ]
    )

    static let lifetime: TimeInterval = 86_400

    let postgres: PostgresClient
    let logger: Logger

    public init(postgres: PostgresClient, logger: Logger) {
        self.postgres = postgres
        self.logger = logger
    }

    /// The request's `Idempotency-Key`: required, 1 to 255 characters (a 400 otherwise).
    public static func key(of request: Request) throws -> String {
        guard let key = request.headers[.idempotencyKey], (1...255).contains(key.count) else {
            throw Problem.invalid("Idempotency-Key", "the header is required: a unique key of up to 255 characters per attempt")
        }
        return key
    }

    /// Runs `handler` once per (`owner`, key): its JSON answer, or the problem it threw, is what every repeat gets.
    public func run(
        _ request: Request,
        context: ServiceRequestContext,
        owner: UUID,
        _ handler: (Request) async throws -> (HTTPResponse.Status, any Encodable & Sendable)
    ) async throws -> Response {
        let key = try Self.key(of: request)
        var request = request
        let body = try await request.collectBody(upTo: context.maxUploadSize)
        let hash = Self.hash(method: request.method.rawValue, path: request.uri.path, body: body)
        let owner = owner.lowercasedString

        if let replay = try await claim(owner: owner, key: key, hash: hash) { return replay }
        let status: HTTPResponse.Status
        let encoded: Data
        do {
            (status, encoded) = try await Self.answer(handler, request: request, requestID: context.requestID)
        } catch {
            _ = try? await postgres.query("DELETE FROM idempotency_keys WHERE owner = \(owner) AND key = \(key)", logger: logger)
            throw error
        }
        try await postgres.query(
            "UPDATE idempotency_keys SET status = \(status.code), body = \(ByteBuffer(data: encoded)) WHERE owner = \(owner) AND key = \(key)",
            logger: logger
        )
        return Self.response(status: status, body: encoded, replayed: false)
    }

    /// The handler's answer, or the problem it threw if it is the client's (4xx), encoded.
    private static func answer(
        _ handler: (Request) async throws -> (HTTPResponse.Status, any Encodable & Sendable),
        request: Request,
        requestID: String
    ) async throws -> (HTTPResponse.Status, Data) {
        do {
            let (status, value) = try await handler(request)
            return (status, try JSONEncoder.mayaGo.encode(value))
        } catch let problem as Problem where problem.status.code < 500 {
            return (problem.status, try JSONEncoder.mayaGo.encode(problem.details(requestID: requestID)))
        }
    }

    /// Takes the key for this request, or answers as its first use did.
    private func claim(owner: String, key: String, hash: String) async throws -> Response? {
        try await postgres.query("DELETE FROM idempotency_keys WHERE created_at < \(Date().addingTimeInterval(-Self.lifetime))", logger: logger)
        let inserted = try await postgres.query(
            "INSERT INTO idempotency_keys (owner, key, request_hash) VALUES (\(owner), \(key), \(hash)) ON CONFLICT DO NOTHING RETURNING key",
            logger: logger
        )
        if try await inserted.returnedARow() { return nil }
        let rows = try await postgres.query(
            "SELECT request_hash, status, body FROM idempotency_keys WHERE owner = \(owner) AND key = \(key)",
            logger: logger
        )
        for try await (firstHash, status, body) in rows.decode((String, Int?, ByteBuffer?).self) {
            guard firstHash == hash else {
                throw Problem(.unprocessableContent, detail: "This Idempotency-Key was used for another request.", code: "idempotency_key_reused")
            }
            guard let status, let body else {
                throw Problem.conflict("A request with this Idempotency-Key is still running; retry shortly.", code: "idempotency_key_in_use")
            }
            return Self.response(status: HTTPResponse.Status(code: status), body: Data(buffer: body), replayed: true)
        }
        throw Problem.conflict("A request with this Idempotency-Key is still running; retry shortly.", code: "idempotency_key_in_use")
    }

    /// Method, path and the body's JSON with sorted keys: the same request hashes the same however it was spelled.
    static func hash(method: String, path: String, body: ByteBuffer) -> String {
        let data = Data(buffer: body)
        let canonical =
            (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]))
            .flatMap { try? JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys, .fragmentsAllowed]) } ?? data
        var hasher = SHA256()
        hasher.update(data: Data("\(method) \(path)\n".utf8))
        hasher.update(data: canonical)
        return hasher.finalize().hexString
    }

    static func response(status: HTTPResponse.Status, body: Data, replayed: Bool) -> Response {
        var headers: HTTPFields = [.contentType: status.code >= 400 ? ProblemDetails.mediaType : "application/json; charset=utf-8"]
        if replayed { headers[.idempotentReplayed] = "true" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(data: body)))
    }
}
