import Foundation
import ServiceKit

/// The Search service's part of the public API as an OpenAPI 3.1 document (`Resources/openapi.json`), served at
/// `/openapi.json`; the gateway merges every service's into `/api/v1/openapi.json`.
enum SearchAPI {
    static let document = Bundle.module.resourceText("openapi", "json")
}
