import Foundation
import Hummingbird
import ServiceKit

/// The refresh token as a browser keeps it, where no script can read it: a `__Host-` cookie (Secure, `Path=/`, no
/// `Domain`), HttpOnly, SameSite=Strict (so another site's page cannot make the browser send it). Asked for with
/// `refreshTokenCookie: true` at sign-in; a refresh or sign-out without a token in the body then uses it.
enum RefreshCookie {
    static let name = "__Host-mayago_refresh"

    static func carrying(_ token: String, for lifetime: TimeInterval) -> Cookie {
        Cookie(name: name, value: token, maxAge: Int(lifetime), path: "/", secure: true, httpOnly: true, sameSite: .strict)
    }

    static let cleared = Cookie(name: name, value: "", maxAge: 0, path: "/", secure: true, httpOnly: true, sameSite: .strict)

    static func token(in request: Request) -> String? {
        request.cookies[name].map(\.value).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A sign-in's answer when the refresh token went into the cookie: the body without it.
    struct Session: ResponseEncodable {
        var user: User
        var accessToken: String
        var tokenType: String
        var expiresIn: Int

        init(_ pair: TokenPair) {
            user = pair.user
            accessToken = pair.accessToken
            tokenType = pair.tokenType
            expiresIn = pair.expiresIn
        }
    }

    /// `pair` as the answer: in the body, or with its refresh token in the cookie.
    static func answer(_ pair: TokenPair, inCookie: Bool, lifetime: TimeInterval) throws -> Response {
        guard inCookie else { return try .json(pair) }
        var response = try Response.json(Session(pair))
        response.setCookie(carrying(pair.refreshToken, for: lifetime))
        return response
    }
}
