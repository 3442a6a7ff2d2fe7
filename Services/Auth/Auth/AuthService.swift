import Contracts
import Foundation
import Imaging
import Logging
import PostgresNIO
import ServiceKit

/// Auth's use cases (in the `AuthService+…` files) and what they share: the stores, the clock and the rules,
/// assembled once by `buildApplication`.
struct AuthService: Sendable {
    let postgres: PostgresClient
    let logger: Logger
    let clock: WallClock
    let settings: AuthSettings
    let passwords: Passwords
    let users: Users
    let profiles: Profiles
    let sessions: Sessions
    let keys: KeyRing
    let revocations: Revocations
    let attempts: LoginAttempts
    let oneTimeTokens: OneTimeTokens
    let apiKeys: APIKeys
    let recoveryCodes: RecoveryCodes
    let audit: AuditLog
    let oauthStates: OAuthStates
    let identityLinks: IdentityLinks
    let outbox: OutboxRelay
    let deletions: AccountDeletions
    let exports: DataExports
    let avatars: Avatars
    let images: ImageProcessor
    let internalClient: InternalClient
    var objects: any ObjectStore { settings.objects }

    /// Runs `body` in a transaction and afterwards publishes any revocation and nudges the outbox, so that the
    /// deny-list and the mails follow the commit at once instead of at the next poll.
    func transaction<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        let result = try await outbox.transaction(body)
        await revocations.publish()
        return result
    }

    /// The user behind the request's verified token; 401 if there is none or the account is gone or disabled.
    func currentUser(_ context: ServiceRequestContext) async throws -> UserRecord {
        let identity = try context.requireIdentity()
        guard let user = try await users.find(id: identity.userID), !user.disabled else { throw Problem.unauthorized() }
        return user
    }

    /// Queues `type` for `user` with Notify, in the caller's transaction.
    /// `emailTo` sends a security mail to that address instead of the account's.
    func notify(
        _ type: NotificationType, _ user: UserRecord, data: [String: JSONValue] = [:], key: String, emailTo: String? = nil,
        on connection: PostgresConnection
    ) async throws {
        var data = data
        data["name"] = .string(user.name)
        let request = NotificationRequest(type: type, recipientId: user.id, data: data, idempotencyKey: key, emailTo: emailTo)
        try await Outbox.enqueue(request, on: connection, logger: logger)
    }

    /// A link to the web app's page `path` carrying `token`.
    func link(_ path: String, token: String) -> String {
        var components = URLComponents(url: settings.publicURL.appendingPathComponent(path), resolvingAgainstBaseURL: false)!
        components.queryItems = [URLQueryItem(name: "token", value: token)]
        return components.string!
    }
}
