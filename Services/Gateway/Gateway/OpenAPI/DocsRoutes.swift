import Contracts
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceKit

/// `/api/v1/openapi.json`, the assembled document, and `/docs`, an interactive page for it (Swagger UI) under a
/// Content-Security-Policy that allows only its own pinned script and style, the inline start-up script by its
/// hash, and calls to this origin.
struct DocsRoutes: Sendable {
    let aggregator: OpenAPIAggregator

    static let swaggerUI = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5.17.14"
    static let startScript = "window.ui = SwaggerUIBundle({url: '/api/v1/openapi.json', dom_id: '#api'});"

    static var page: String {
        """
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <title>MayaGo API</title>
          <link rel="stylesheet" href="\(swaggerUI)/swagger-ui.css">
        </head>
        <body>
          <div id="api"></div>
          <script src="\(swaggerUI)/swagger-ui-bundle.js"></script>
          <script>\(startScript)</script>
        </body>
        </html>
        """
    }

    static var contentSecurityPolicy: String {
        let hash = Data(SHA256.hash(data: Data(startScript.utf8))).base64EncodedString()
        return "default-src 'none'; script-src https://cdn.jsdelivr.net 'sha256-\(hash)'; style-src https://cdn.jsdelivr.net 'unsafe-inline'; "
            + "img-src 'self' data: https://cdn.jsdelivr.net; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    }

    func addRoutes(to router: some RouterMethods<ServiceRequestContext>) {
        router.get("api/v1/openapi.json") { _, _ in
            try Response.json(await aggregator.document())
        }
        router.get("docs") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/html; charset=utf-8", .contentSecurityPolicy: Self.contentSecurityPolicy],
                body: .init(byteBuffer: ByteBuffer(string: Self.page))
            )
        }
    }
}
