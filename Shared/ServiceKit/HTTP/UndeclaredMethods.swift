import Contracts
import Foundation
import HTTPTypes
import Hummingbird

/// Answers 405 with `Allow` for a method the service's OpenAPI document does not declare on a path it does
/// (Hummingbird's router says 404 for those): the document is what the service promises, so it also says what is
/// not there.
enum UndeclaredMethods {
    static let methods: [HTTPRequest.Method] = [.get, .put, .post, .patch, .delete, .options, .trace]

    /// Adds the 405 routes for `document`'s paths to `router`.
    static func addRoutes(for document: String, to router: ServiceRouter) {
        guard let parsed = try? JSONDecoder().decode(JSONValue.self, from: Data(document.utf8)), let paths = parsed["paths"]?.objectValue else { return }
        for (path, item) in paths {
            let declared = Set((item.objectValue ?? [:]).keys.compactMap { HTTPRequest.Method($0.uppercased()) })
            guard !declared.isEmpty else { continue }
            let allow = methods.filter(declared.contains).map(\.rawValue).joined(separator: ", ")
            let route = RouterPath(routerPath(path))
            for method in methods where !declared.contains(method) {
                router.on(route, method: method) { _, _ -> Response in
                    throw Problem(.methodNotAllowed, detail: "This path answers \(allow).", headers: [.allow: allow])
                }
            }
        }
    }

    /// `/api/v1/experiences/{id}` as Hummingbird spells it: `/api/v1/experiences/:id`.
    static func routerPath(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            segment.hasPrefix("{") && segment.hasSuffix("}") ? ":" + segment.dropFirst().dropLast() : segment
        }.joined(separator: "/")
    }
}
