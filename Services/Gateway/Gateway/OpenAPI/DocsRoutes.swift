import Contracts
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceKit

/// `/api/v1/openapi.json`, the assembled document, and `/docs`, an interactive page for it: Swagger UI from this
/// repository's own copy (`Resources/swagger-ui`), under a Content-Security-Policy of `'self'` only, so that the
/// page loads and runs nothing from another origin.
struct DocsRoutes: Sendable {
    let aggregator: OpenAPIAggregator

    /// A file of the page, kept in memory with its validator.
    struct Asset: Sendable {
        let body: ByteBuffer
        let contentType: String
        let eTag: String

        init(_ text: String, contentType: String) {
            body = ByteBuffer(string: text)
            self.contentType = contentType
            eTag = "\"" + Data(SHA256.hash(data: Data(text.utf8))).prefix(12).base64EncodedString() + "\""
        }
    }

    static let page = Asset(
        """
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <title>MayaGo API</title>
          <link rel="stylesheet" href="/docs/swagger-ui.css">
        </head>
        <body>
          <div id="api"></div>
          <script src="/docs/swagger-ui-bundle.js"></script>
          <script src="/docs/start.js"></script>
        </body>
        </html>
        """,
        contentType: "text/html; charset=utf-8"
    )

    /// Swagger UI sets style attributes on its elements, which `style-src 'self'` refuses: they only size and hide
    /// things, and the page stays usable; no inline script or style sheet is allowed anywhere.
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

    static let assets: [String: Asset] = [
        "swagger-ui-bundle.js": Asset(Bundle.module.resourceText("swagger-ui/swagger-ui-bundle", "js"), contentType: "text/javascript; charset=utf-8"),
        "swagger-ui.css": Asset(Bundle.module.resourceText("swagger-ui/swagger-ui", "css"), contentType: "text/css; charset=utf-8"),
        "start.js": Asset(Bundle.module.resourceText("swagger-ui/start", "js"), contentType: "text/javascript; charset=utf-8"),
    ]

    func addRoutes(to router: some RouterMethods<ServiceRequestContext>) {
        router.get("api/v1/openapi.json") { _, _ in
            try Response.json(await aggregator.document())
        }
        router.get("docs") { request, _ in
            Self.answer(Self.page, to: request, cacheControl: "no-cache")
        }
        router.get("docs/:file") { request, context in
            guard let asset = Self.assets[try context.parameters.require("file")] else { throw Problem.notFound() }
            return Self.answer(asset, to: request, cacheControl: "public, max-age=86400")
        }
    }

    private static func answer(_ asset: Asset, to request: Request, cacheControl: String) -> Response {
        var headers: HTTPFields = [
            .contentType: asset.contentType, .eTag: asset.eTag, .cacheControl: cacheControl, .contentSecurityPolicy: contentSecurityPolicy,
        ]
        guard request.headers[.ifNoneMatch] != asset.eTag else { return Response(status: .notModified, headers: headers) }
        headers[.contentLength] = String(asset.body.readableBytes)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: asset.body))
    }
}
