import HTTPTypes

extension HTTPField.Name {
    /// The id that follows a request through every service and every log line.
    public static let requestID = HTTPField.Name("X-Request-Id")!
    /// The client's address, sealed by the gateway (``ClientAddressSeal``).
    public static let mayaGoClient = HTTPField.Name(ClientAddressSeal.header)!
    /// Set by the gateway from a verified token only.
    public static let userID = HTTPField.Name("X-User-Id")!
    public static let userRole = HTTPField.Name("X-User-Role")!
    /// Makes an unsafe POST safe to retry.
    public static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    /// On an answer given again for a repeated `Idempotency-Key`.
    public static let idempotentReplayed = HTTPField.Name("Idempotent-Replayed")!
    /// The outbox row a delivery comes from; receivers deduplicate on it.
    public static let outboxMessageID = HTTPField.Name("X-Outbox-Message-Id")!
}
