/// The deny-list of access tokens revoked before they expire (logout, a disabled account): Auth sets
/// `key(jti)` in Redis with the token's remaining lifetime; the gateway (and any service) refuses a token whose
/// key exists.
public enum RevokedTokens {
    public static func key(jti: String) -> String {
        "auth:revoked:\(jti)"
    }
}
