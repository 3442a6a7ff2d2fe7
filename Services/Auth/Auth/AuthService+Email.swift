import Contracts
import Foundation
import ServiceKit

/// The use case of changing one's email address: the new address proves it is theirs with a link, the old one is
/// told once it is done.
extension AuthService {
    /// Mails a confirmation link to `newEmail` after the password proves the caller. An address another account has
    /// gets nothing, and the caller is answered the same, so that the form does not tell who has an account.
    func requestEmailChange(of user: UserRecord, to newEmail: EmailAddress, password: String, client: ClientInfo) async throws {
        guard try await passwords.verify(password, against: user.passwordHash) else { throw Problem.refused("password", "is incorrect") }
        guard newEmail.value != user.email else { throw Problem.refused("email", "is the account's address already") }
        let now = clock.now()
        try await transaction { connection in
            try await audit.record(.emailChangeRequested, userID: user.id, client: client, detail: newEmail.value, on: connection)
            guard try await users.find(email: newEmail, on: connection) == nil else { return }
            let expiresAt = now.addingTimeInterval(settings.emailTokenLifetime)
            let token = try await oneTimeTokens.issue(.changeEmail, for: user.id, at: now, expiresAt: expiresAt, payload: newEmail.value, on: connection)
            try await notify(
                .emailChange, user,
                data: [
                    "link": .string(link("confirm-email", token: token)), "expiresAt": .string(ISO8601Format.string(expiresAt)),
                    "email": .string(newEmail.value),
                ],
                key: "email-change:\(SecretToken.hash(token))", emailTo: newEmail.value, on: connection)
        }
    }

    /// Spends the link's `token`: the account's address becomes the new one (verified, as the link proves), every
    /// session is signed out, and the old address is told.
    func confirmEmailChange(token: String, client: ClientInfo) async throws -> User {
        let now = clock.now()
        return try await transaction { connection in
            guard let (userID, newEmail) = try await oneTimeTokens.redeemPayload(token, purpose: .changeEmail, at: now, on: connection),
                let user = try await users.find(id: userID, on: connection, forUpdate: true), !user.disabled
            else { throw Self.invalidToken }
            guard try await users.setEmail(newEmail, of: userID, at: now, on: connection) else {
                throw Problem.conflict("Another account has this address now.", code: "email_taken")
            }
            try await sessions.revokeAll(of: userID, on: connection)
            try await audit.record(.emailChanged, userID: userID, email: newEmail, client: client, detail: "\(user.email) -> \(newEmail)", on: connection)
            try await notify(
                .emailChanged, user, data: ["email": .string(newEmail)], key: "email-changed:\(SecretToken.hash(token))", emailTo: user.email,
                on: connection)
            guard let changed = try await users.find(id: userID, on: connection) else { throw Self.invalidToken }
            return changed.user
        }
    }
}
