import Foundation

/// The Payment service's part of the public API as an OpenAPI 3.1 document (`Resources/openapi.json`), served at
/// `/openapi.json`; the gateway merges every service's into `/api/v1/openapi.json`.
enum PaymentAPI {
    static let document = resource("openapi", "json")

    /// A text file of `Resources/`, shipped with the service.
    static func resource(_ name: String, _ ext: String) -> String {
        guard let url = Bundle.module.url(forResource: name, withExtension: ext), let text = try? String(contentsOf: url, encoding: .utf8) else {
            fatalError("Resources/\(name).\(ext) is missing from the Payment bundle")
        }
        return text
    }
}
