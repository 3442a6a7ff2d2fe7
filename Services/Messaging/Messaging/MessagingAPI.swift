import Foundation
import ServiceKit

/// The Messaging service's part of the public API as an OpenAPI 3.1 document (`Resources/openapi.json`), served at
/// `/openapi.json`; the gateway merges every service's into `/api/v1/openapi.json`.
enum MessagingAPI {
    static let document = Bundle.module.resourceText("openapi", "json")
}
