import Foundation

/// The Search service's part of the public API as an OpenAPI 3.1 document (`Resources/openapi.json`), served at
/// `/openapi.json`; the gateway merges every service's into `/api/v1/openapi.json`.
enum SearchAPI {
    static let document: String = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"), let text = try? String(contentsOf: url, encoding: .utf8) else {
            fatalError("Resources/openapi.json is missing from the Search bundle")
        }
        return text
    }()
}
