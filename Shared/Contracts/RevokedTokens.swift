/// The deny-list of access tokens revoked before they expire (logout, a disabled account): Auth sets
/// `key(jti)` in Redis with the token's remaining lifetime; the gateway (and any service) refuses a token whose
/// key exists. Auth then appends the `jti` to `stream` (field `jti`), so that a service holding many sessions open
/// (Messaging's sockets) reads what was revoked since it last looked rather than asking about every one.
public enum RevokedTokens {
    public static func key(jti: String) -> String {
        "auth:revoked:\(jti)"
    }

    public static let stream = "auth:revocations"
    /// Entries `stream` keeps, about: far more than are revoked between two reads.
    public static let streamLength = 100_000
}
