import Foundation
import Hummingbird
import ServiceKit

/// `GET /.well-known/jwks.json`: the public keys that verify access tokens, cached by clients for a minute.
struct KeyRoutes {
    let keys: KeyRing

    func addRoutes(to router: ServiceRouter) {
        router.get(".well-known/jwks.json") { _, _ in
            var response = try Response.json(try await keys.publicKeys())
            response.headers[.cacheControl] = "public, max-age=60"
            return response
        }
    }
}
