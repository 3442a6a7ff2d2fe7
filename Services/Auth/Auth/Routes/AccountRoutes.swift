import Contracts
import Foundation
import Hummingbird
import JWTKit
import ServiceKit

/// Registration, sign-in, refresh, sign-out and the caller's own account.
struct AccountRoutes {
    let auth: AuthService

    struct Registration: Decodable {
        var email: String
        var password: String
        var name: String
        var role: Role
    }

    struct Credentials: Decodable {
        var email: String
        var password: String
        var totpCode: String?
    }

    struct Refresh: Decodable {
        var refreshToken: String
    }

    struct Logout: Decodable {
        var refreshToken: String?
    }

    struct AccountChange: Decodable {
        var name: String?
        var password: String?
        var currentPassword: String?
    }

    static let failedSignIn = "The email or password is incorrect."

    /// The answer to every registration, whether the address was free or not: who owns an address is told by mail,
    /// never to whoever asks.
    struct Registered: ResponseEncodable {
        var status = "verification_sent"
        var detail = "Check your mailbox to confirm the address, then sign in."
    }

    func addRoutes(to router: ServiceRouter) {
        let group = router.group("api/v1/auth")
        group.post("register", use: register)
        group.post("login", use: login)
        group.post("refresh", use: refresh)
        group.post("logout", use: logout)
        group.get("me", use: me)
        group.patch("me", use: changeAccount)
    }

    @Sendable func register(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let body = try await request.decode(as: Registration.self, context: context)
        let name = body.name.trimmingCharacters(in: .whitespacesAndNewlines)
        let email = EmailAddress(body.email)
        var validator = Validator()
        validator.check(email != nil, "email", "must be an email address")
        validator.check((1...100).contains(name.unicodeScalars.count), "name", "must be 1 to 100 characters")
        validator.note(auth.passwords.policy.problem(with: body.password, email: email?.value, name: name), "password")
        switch body.role {
        case .traveler, .provider: break
        case .admin: if context.identity?.role != .admin { validator.rule(false, "role", "only an admin can create an admin") }
        case .service: validator.fail("role", "must be traveler, provider or admin")
        }
        try validator.validate()

        let hash = try await auth.passwords.hash(body.password)
        let now = auth.clock.now()
        let user = UserRecord(
            id: UUID(), email: email!.value, name: name, role: body.role, passwordHash: hash, emailVerified: false,
            disabled: false, totpSecret: nil, totpEnabled: false, totpLastStep: nil, createdAt: now
        )
        let client = ClientInfo(request, context: context)
        try await auth.transaction { connection in
            if try await auth.users.insert(user, at: now, on: connection) {
                try await auth.audit.record(.registered, userID: user.id, email: user.email, client: client, on: connection)
                try await auth.sendVerification(to: user, on: connection)
            } else if let owner = try await auth.users.find(email: email!, on: connection) {
                // At most one such mail a day per account, so that the form cannot be used to flood someone.
                let day = Int(now.timeIntervalSince1970 / 86_400)
                try await auth.notify(
                    .registrationAttempt, owner, data: ["link": .string(auth.settings.publicURL.appendingPathComponent("reset-password").absoluteString)],
                    key: "registration-attempt:\(owner.id):\(day)", on: connection
                )
            }
        }
        return try .json(Registered(), status: .accepted)
    }

    @Sendable func login(_ request: Request, context: ServiceRequestContext) async throws -> TokenPair {
        let body = try await request.decode(as: Credentials.self, context: context)
        guard let email = EmailAddress(body.email) else { throw Problem.invalid("email", "must be an email address") }
        var validator = Validator()
        validator.check(!body.password.isEmpty, "password", "must not be empty")
        try validator.validate()
        let client = ClientInfo(request, context: context)
        let now = auth.clock.now()
        let keys = auth.throttleKeys(email.value, client: client)
        try await auth.requireNotLockedOut(keys, at: now)
        let user = try await auth.users.find(email: email)
        guard try await auth.passwords.verify(body.password, against: user?.passwordHash), let user else {
            try await auth.recordFailedSignIn(keys, userID: user?.id, email: email.value, client: client, reason: "password", now: now)
            throw Problem.unauthorized(Self.failedSignIn, code: "invalid_credentials")
        }
        if user.disabled {
            throw Problem(.forbidden, detail: "This account is disabled.", code: "account_disabled")
        }
        try await auth.requireSecondFactor(body.totpCode, of: user, keys: keys, client: client, now: now)
        try await auth.attempts.resetFailures(keys.pair)
        return try await auth.transaction { connection in
            try await auth.audit.record(.loginSucceeded, userID: user.id, email: user.email, client: client, on: connection)
            return try await auth.sessions.start(for: user, on: connection)
        }
    }

    @Sendable func refresh(_ request: Request, context: ServiceRequestContext) async throws -> TokenPair {
        let body = try await request.decode(as: Refresh.self, context: context)
        guard (1...256).contains(body.refreshToken.unicodeScalars.count) else {
            throw Problem.invalid("refreshToken", "must be a refresh token")
        }
        let client = ClientInfo(request, context: context)
        let result = try await auth.transaction { connection in
            let result = try await auth.sessions.rotate(body.refreshToken, users: auth.users, on: connection)
            if case .failure(.reused(let userID)) = result {
                try await auth.audit.record(.refreshTokenReused, userID: userID, client: client, on: connection)
            }
            return result
        }
        switch result {
        case .success(let pair): return pair
        case .failure(.reused): throw Problem.unauthorized("This refresh token was used already; every session of its sign-in has ended.", code: "refresh_token_reused")
        case .failure(.expired): throw Problem.unauthorized("The refresh token has expired.", code: "refresh_token_expired")
        case .failure(.unknown), .failure(.disabled): throw Problem.unauthorized("The refresh token is not valid.", code: "refresh_token_invalid")
        }
    }

    @Sendable func logout(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        guard let claims = context.claims else { throw Problem.unauthorized() }
        let body = try await request.decodeIfPresent(as: Logout.self, context: context) ?? Logout()
        let client = ClientInfo(request, context: context)
        try await auth.transaction { connection in
            try await auth.revocations.revoke(jti: claims.tokenID, expiresAt: claims.exp.value, on: connection)
            if let family = try await auth.sessions.family(ofAccessToken: claims.tokenID, on: connection) {
                try await auth.sessions.revokeFamily(family, on: connection)
            }
            if let refreshToken = body.refreshToken,
               let family = try await auth.sessions.family(ofRefreshToken: refreshToken, userID: identity.userID, on: connection) {
                try await auth.sessions.revokeFamily(family, on: connection)
            }
            try await auth.audit.record(.loggedOut, userID: identity.userID, client: client, on: connection)
        }
        return Response(status: .noContent)
    }

    @Sendable func me(_ request: Request, context: ServiceRequestContext) async throws -> User {
        try await auth.currentUser(context).user
    }

    @Sendable func changeAccount(_ request: Request, context: ServiceRequestContext) async throws -> User {
        let user = try await auth.currentUser(context)
        let body = try await request.decode(as: AccountChange.self, context: context)
        let name = body.name?.trimmingCharacters(in: .whitespacesAndNewlines)
        var validator = Validator()
        if let name { validator.check((1...100).contains(name.unicodeScalars.count), "name", "must be 1 to 100 characters") }
        if let password = body.password {
            validator.note(auth.passwords.policy.problem(with: password, email: user.email, name: name ?? user.name), "password")
            validator.check(body.currentPassword != nil, "currentPassword", "is required to change the password")
        }
        if let current = body.currentPassword { validator.check(!current.isEmpty, "currentPassword", "must not be empty") }
        validator.check(name != nil || body.password != nil, "name", "give a name or a password to change")
        try validator.validate()

        var newHash: String?
        if let password = body.password {
            guard try await auth.passwords.verify(body.currentPassword ?? "", against: user.passwordHash) else {
                throw Problem.refused("currentPassword", "is incorrect")
            }
            newHash = try await auth.passwords.hash(password)
        }
        let client = ClientInfo(request, context: context)
        let now = auth.clock.now()
        return try await auth.transaction { connection in
            if let name { try await auth.users.setName(name, of: user.id, at: now, on: connection) }
            if let newHash {
                try await auth.users.setPasswordHash(newHash, of: user.id, at: now, on: connection)
                // Other sessions end; this one goes on.
                var current: UUID?
                if let claims = context.claims {
                    current = try await auth.sessions.family(ofAccessToken: claims.tokenID, on: connection)
                }
                try await auth.sessions.revokeAll(of: user.id, keeping: current, on: connection)
                try await auth.audit.record(.passwordChanged, userID: user.id, client: client, on: connection)
                try await auth.notify(.passwordChanged, user, key: "password-changed:\(user.id):\(now.timeIntervalSince1970)", on: connection)
            }
            guard let updated = try await auth.users.find(id: user.id, on: connection) else { throw Problem.unauthorized() }
            return updated.user
        }
    }
}
