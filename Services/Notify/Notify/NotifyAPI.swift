import Foundation
import ServiceKit

/// The Notify service's part of the public API as an OpenAPI 3.1 document (`Resources/openapi.json`), served at
/// `/openapi.json`; the gateway merges every service's into `/api/v1/openapi.json`.
enum NotifyAPI {
    static let document = Bundle.module.resourceText("openapi", "json")

    /// The folder of the message templates.
    static var templates: URL {
        guard let url = Bundle.module.url(forResource: "templates", withExtension: nil) else {
            fatalError("Resources/templates is missing from the Notify bundle")
        }
        return url
    }
}
