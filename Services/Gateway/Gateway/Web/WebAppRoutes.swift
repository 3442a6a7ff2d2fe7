import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceKit

/// `GET /` and every other path the API does not own: the web app, revalidated on each use (`no-cache` with its
/// `ETag`, so a new deployment is seen at once and an unchanged file costs a 304), under a Content-Security-Policy of
/// `'self'` only: no inline script, nothing from another origin.
struct WebAppRoutes: Sendable {
    let app: WebApp

    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
        + "manifest-src 'self'; worker-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

    func addRoutes(to router: some RouterMethods<ServiceRequestContext>) {
        router.get("/", use: serve)
        router.get("**", use: serve)
    }

    @Sendable func serve(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        guard let file = app.file(for: request.uri.path) else { throw Problem.notFound() }
        var headers: HTTPFields = [
            .contentType: file.contentType, .eTag: file.eTag, .cacheControl: "no-cache", .contentSecurityPolicy: Self.contentSecurityPolicy,
        ]
        guard request.headers[.ifNoneMatch] != file.eTag else { return Response(status: .notModified, headers: headers) }
        headers[.contentLength] = String(file.body.readableBytes)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: file.body))
    }
}
