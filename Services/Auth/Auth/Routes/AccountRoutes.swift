import Contracts
import Foundation
import Hummingbird
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
        /// The refresh token goes into an HttpOnly cookie instead of the body (for browsers; see ``RefreshCookie``).
        var refreshTokenCookie: Bool?
    }

    struct Refresh: Decodable {
        /// Absent: the cookie's.
        var refreshToken: String?
    }

    struct Logout: Decodable {
        var refreshToken: String?
    }

    struct AccountChange: Decodable {
        var name: String?
        var password: String?
        var currentPassword: String?
    }

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
        case .admin:
            if context.identity?.role != .admin { validator.rule(false, "role", "only an admin can create an admin") }
            if context.identity?.role == .admin, context.claims?.hasSecondFactor != true { throw SecondFactorRequired() }
        case .service: validator.fail("role", "must be traveler, provider or admin")
        }
        try validator.validate()
        guard let email else { throw Problem.invalid("email", "must be an email address") }
        try await auth.register(email: email, name: name, password: body.password, role: body.role, client: ClientInfo(request, context: context))
        return try .json(Registered(), status: .accepted)
    }

    @Sendable func login(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let body = try await request.decode(as: Credentials.self, context: context)
        guard let email = EmailAddress(body.email) else { throw Problem.invalid("email", "must be an email address") }
        var validator = Validator()
        validator.check(!body.password.isEmpty, "password", "must not be empty")
        try validator.validate()
        let pair = try await auth.signIn(email: email, password: body.password, totpCode: body.totpCode, client: ClientInfo(request, context: context))
        return try RefreshCookie.answer(pair, inCookie: body.refreshTokenCookie == true, lifetime: auth.settings.refreshTokenLifetime)
    }

    /// With the token in the body, the answer carries the next one there; without, the cookie's is spent and the
    /// next one goes into the cookie.
    @Sendable func refresh(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let body = try await request.decodeIfPresent(as: Refresh.self, context: context) ?? Refresh()
        guard let token = body.refreshToken ?? RefreshCookie.token(in: request) else {
            throw Problem.unauthorized("No refresh token, in the body or the sign-in's cookie: sign in again.", code: "refresh_token_invalid")
        }
        guard (1...256).contains(token.unicodeScalars.count) else { throw Problem.invalid("refreshToken", "must be a refresh token") }
        let pair = try await auth.refresh(token, client: ClientInfo(request, context: context))
        return try RefreshCookie.answer(pair, inCookie: body.refreshToken == nil, lifetime: auth.settings.refreshTokenLifetime)
    }

    @Sendable func logout(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        guard let claims = context.claims else { throw Problem.unauthorized() }
        let body = try await request.decodeIfPresent(as: Logout.self, context: context) ?? Logout()
        let refreshToken = body.refreshToken ?? RefreshCookie.token(in: request)
        try await auth.signOut(identity.userID, claims: claims, refreshToken: refreshToken, client: ClientInfo(request, context: context))
        var response = Response(status: .noContent)
        if RefreshCookie.token(in: request) != nil { response.setCookie(RefreshCookie.cleared) }
        return response
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
        return try await auth.changeAccount(
            of: user, name: name, password: body.password.map { ($0, body.currentPassword ?? "") }, tokenID: context.claims?.tokenID,
            client: ClientInfo(request, context: context)
        )
    }
}
