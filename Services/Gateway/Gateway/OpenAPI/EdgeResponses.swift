import Contracts
import HTTPTypes

/// What the gateway itself may answer on any operation, written into the assembled document so that it says
/// everything a client can get: 429 from the rate limit, 502, 503 and 504 from the proxy, 401 for a missing token
/// or one that is not (or no longer) valid, also on public operations, where a token that is sent must hold
/// (`security: []` marks those, by the gateway's access rules), 400 and 422 where there is input to refuse (400: it
/// breaks the document; 422: it is well formed, but a rule refuses it) and 404 where a path names a resource. A
/// service's own, more specific answers are kept.
enum EdgeResponses {
    static let methods: [String: HTTPRequest.Method] = ["get": .get, "put": .put, "post": .post, "patch": .patch, "delete": .delete]

    /// `paths` with every operation completed as above.
    static func complete(_ paths: [String: JSONValue], rules: AccessRules) -> [String: JSONValue] {
        var completed = paths
        for (path, item) in paths {
            guard var operations = item.objectValue else { continue }
            for (name, operation) in operations {
                guard let method = methods[name], var fields = operation.objectValue else { continue }
                var responses = fields["responses"]?.objectValue ?? [:]
                func add(_ status: String) {
                    if responses[status] == nil { responses[status] = .object(["$ref": .string("#/components/responses/\(status)")]) }
                }
                if rules.isPublic(method, path) { fields["security"] = .array([]) }
                for status in ["401", "429", "502", "503", "504"] { add(status) }
                let parameters = (fields["parameters"]?.arrayValue ?? []) + (item["parameters"]?.arrayValue ?? [])
                if !parameters.isEmpty || fields["requestBody"] != nil {
                    add("400")
                    add("422")
                }
                if path.contains("{") { add("404") }
                fields["responses"] = .object(responses)
                operations[name] = .object(fields)
            }
            completed[path] = .object(operations)
        }
        return completed
    }

    /// The shared answers the completed operations point to; a service's own definition of a status wins.
    static let definitions: [String: JSONValue] = [
        "400": problem("Invalid input, naming the fields"),
        "401": problem("No valid access token, or one that was revoked"),
        "404": problem("No such resource, or not one the caller may see"),
        "422": problem(
            "Well formed, but a rule the document cannot state refuses it (named in `errors`), or text that cannot be kept (U+0000, a lone surrogate)"),
        "429": problem("Rate limited: wait as `Retry-After` says", headers: ["Retry-After": "Seconds to wait"]),
        "502": problem("The owning service answered badly"),
        "503": problem("No instance of the owning service is available"),
        "504": problem("The owning service did not answer in time"),
    ]

    private static func problem(_ description: String, headers: [String: String] = [:]) -> JSONValue {
        var response: [String: JSONValue] = [
            "description": .string(description),
            "content": .object(["application/problem+json": .object(["schema": .object(["$ref": .string("#/components/schemas/ProblemDetails")])])]),
        ]
        if !headers.isEmpty {
            response["headers"] = .object(headers.mapValues { .object(["description": .string($0), "schema": .object(["type": .string("integer")])]) })
        }
        return .object(response)
    }
}
