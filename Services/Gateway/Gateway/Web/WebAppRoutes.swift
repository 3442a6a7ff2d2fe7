import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceKit

/// `GET /` and every other path the API does not own: the web app, revalidated on each use (`no-cache` with its
/// `ETag`, so a new deployment is seen at once and an unchanged file costs a 304), under a Content-Security-Policy of
/// `'self'` only: no inline script, nothing from another origin; with `WEB_STRIPE_JS`, Stripe.js too (its script,
/// its frames and its API, as Stripe documents for the Payment Element), so that card numbers go to Stripe alone.
struct WebAppRoutes: Sendable {
    let app: WebApp
    let contentSecurityPolicy: String

    init(app: WebApp, allowingStripeJS: Bool) {
        self.app = app
        contentSecurityPolicy = Self.contentSecurityPolicy(allowingStripeJS: allowingStripeJS)
    }

    static func contentSecurityPolicy(allowingStripeJS: Bool) -> String {
        let stripe = (script: " https://js.stripe.com https://*.js.stripe.com", connect: " https://api.stripe.com")
        let frames = allowingStripeJS ? "frame-src https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com; " : ""
        return "default-src 'self'; script-src 'self'\(allowingStripeJS ? stripe.script : ""); style-src 'self'; img-src 'self' data: blob:; "
            + "connect-src 'self'\(allowingStripeJS ? stripe.connect : ""); \(frames)manifest-src 'self'; worker-src 'self'; object-src 'none'; "
            + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    }

    func addRoutes(to router: some RouterMethods<ServiceRequestContext>) {
        router.get("/", use: serve)
        router.get("**", use: serve)
    }

    @Sendable func serve(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        guard let file = app.file(for: request.uri.path) else { throw Problem.notFound() }
        var headers: HTTPFields = [
            .contentType: file.contentType, .eTag: file.eTag, .cacheControl: "no-cache", .contentSecurityPolicy: contentSecurityPolicy,
        ]
        guard request.headers[.ifNoneMatch] != file.eTag else { return Response(status: .notModified, headers: headers) }
        headers[.contentLength] = String(file.body.readableBytes)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: file.body))
    }
}
