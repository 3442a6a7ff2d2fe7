import Foundation
import ServiceKit

/// The Auth service's part of the public API as an OpenAPI 3.1 document (`Resources/openapi.json`), served at
/// `/openapi.json`; the gateway merges every service's into `/api/v1/openapi.json`.
enum AuthAPI {
    static let document = Bundle.module.resourceText("openapi", "json")
}
