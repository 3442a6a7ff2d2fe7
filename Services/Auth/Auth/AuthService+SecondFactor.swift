import Foundation
import ServiceKit

extension AuthService {
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
