import Contracts
import Foundation
import HTTPTypes
import Hummingbird

/// Answers 405 with `Allow` for a method the service's OpenAPI document does not declare on a path it does
/// (Hummingbird's router would say 404, and any method at all may come, `QUERY` or `TRACE`): the document is what
/// the service promises, so it also says what is not there.
struct UndeclaredMethods: RouterMiddleware {
    typealias Context = ServiceRequestContext

    /// One path of the document: its segments (`nil` for a `{parameter}`) and the methods it declares.
    struct Path: Sendable {
        let segments: [Substring?]
        let methods: Set<HTTPRequest.Method>
        let allow: String
    }

    let paths: [Path]

    /// The paths of `document`, an OpenAPI document's text; `nil` when it has none.
    init?(document: String) {
        guard let parsed = try? JSONDecoder().decode(JSONValue.self, from: Data(document.utf8)), let paths = parsed["paths"]?.objectValue else {
            return nil
        }
        self.paths = paths.compactMap { path, item in
            var methods = Set((item.objectValue ?? [:]).keys.compactMap { HTTPRequest.Method($0.uppercased()) })
            guard !methods.isEmpty else { return nil }
            if methods.contains(.get) { methods.insert(.head) }
            let order: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete]
            let segments = path.split(separator: "/").map { $0.hasPrefix("{") && $0.hasSuffix("}") ? nil : $0 }
            return Path(segments: segments, methods: methods, allow: order.filter(methods.contains).map(\.rawValue).joined(separator: ", "))
        }
        // A literal segment wins over a parameter (`/bookings/mine` before `/bookings/{id}`), as in the router.
        .sorted { $0.segments.filter { $0 == nil }.count < $1.segments.filter { $0 == nil }.count }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let segments = request.uri.path.split(separator: "/")
        if let path = paths.first(where: { $0.matches(segments) }), !path.methods.contains(request.method) {
            throw Problem(.methodNotAllowed, detail: "This path answers \(path.allow).", headers: [.allow: path.allow])
        }
        return try await next(request, context)
    }
}

extension UndeclaredMethods.Path {
    func matches(_ given: [Substring]) -> Bool {
        given.count == segments.count && zip(segments, given).allSatisfy { $0 == nil || $0 == $1 }
    }
}
