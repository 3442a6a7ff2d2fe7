import Foundation
import ServiceKit

/// The Payment service's part of the public API as an OpenAPI 3.1 document (`Resources/openapi.json`), served at
/// `/openapi.json`; the gateway merges every service's into `/api/v1/openapi.json`.
enum PaymentAPI {
    static let document = Bundle.module.resourceText("openapi", "json")
    static let webhookPath = "/api/v1/webhooks/stripe"

    /// The document of this deployment: without a webhook secret there is no webhook route, so none is published.
    static func document(withWebhook: Bool) throws -> String {
        guard !withWebhook else { return document }
        guard var parsed = try JSONSerialization.jsonObject(with: Data(document.utf8)) as? [String: Any],
            var paths = parsed["paths"] as? [String: Any]
        else { return document }
        paths[webhookPath] = nil
        parsed["paths"] = paths
        return String(decoding: try JSONSerialization.data(withJSONObject: parsed, options: [.sortedKeys]), as: UTF8.self)
    }
}
