import Foundation
import ServiceKit

/// TOTP two-factor authentication: enrol, confirm with a first code (ten recovery codes come back), disable with a
/// code, and the check at sign-in.
extension AuthService {
    /// A new pending secret for the user: its base32 text and its `otpauth://` URI.
    func enrollSecondFactor(for user: UserRecord) async throws -> (secret: String, uri: String) {
        guard !user.totpEnabled else { throw Problem.conflict("Two-factor authentication is on already.", code: "totp_enabled") }
        let secret = TOTPCode.makeSecret()
        try await users.setPendingTOTPSecret(secret, of: user.id, at: clock.now())
        let uri = TOTPCode.uri(secret: secret, account: user.email)
        return (URLComponents(string: uri)?.queryItems?.first { $0.name == "secret" }?.value ?? "", uri)
    }

    /// Turns two-factor on with a first code of the pending secret; returns the recovery codes.
    func confirmSecondFactor(of user: UserRecord, code: String, client: ClientInfo) async throws -> [String] {
        guard !user.totpEnabled else { throw Problem.conflict("Two-factor authentication is on already.", code: "totp_enabled") }
        guard let secret = user.totpSecret else { throw Problem.conflict("Enrol first.", code: "totp_not_enrolled") }
        let now = clock.now()
        guard let step = TOTPCode.matchingStep(code, secret: secret, at: now) else { throw Problem.refused("code", "is incorrect") }
        return try await transaction { connection in
            try await users.setTOTPEnabled(true, of: user.id, lastStep: step, at: now, on: connection)
            try await audit.record(.twoFactorEnabled, userID: user.id, client: client, on: connection)
            return try await recoveryCodes.regenerate(for: user.id, on: connection)
        }
    }

    /// Turns two-factor off, proved with a current code or a recovery code.
    func disableSecondFactor(of user: UserRecord, code: String, client: ClientInfo) async throws {
        guard user.totpEnabled else { throw Problem.conflict("Two-factor authentication is off.", code: "totp_disabled") }
        guard try await acceptSecondFactor(code, of: user, client: client) else { throw Problem.refused("code", "is incorrect") }
        try await transaction { connection in
            try await users.setTOTPEnabled(false, of: user.id, lastStep: nil, at: clock.now(), on: connection)
            try await recoveryCodes.removeAll(of: user.id, on: connection)
            try await audit.record(.twoFactorDisabled, userID: user.id, client: client, on: connection)
        }
    }

    /// Whether `code` is the user's current TOTP code (each code works once) or one of their unused recovery codes.
    func acceptSecondFactor(_ code: String, of user: UserRecord, client: ClientInfo) async throws -> Bool {
        guard let secret = user.totpSecret else { return false }
        let now = clock.now()
        if let step = TOTPCode.matchingStep(code, secret: secret, at: now) {
            return try await users.acceptTOTPStep(step, of: user.id)
        }
        return try await transaction { connection in
            guard try await recoveryCodes.redeem(code, of: user.id, at: now, on: connection) else { return false }
            try await audit.record(.recoveryCodeUsed, userID: user.id, client: client, on: connection)
            return true
        }
    }
}
