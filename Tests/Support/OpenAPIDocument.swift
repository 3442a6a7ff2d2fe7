import Contracts

/// Checks of a service's OpenAPI document.
public enum OpenAPIDocument {
    /// The `$ref`s of `document` that name nothing in it.
    public static func unresolvedReferences(in document: JSONValue) -> [String] {
        var references: Set<String> = []
        func collect(_ value: JSONValue) {
            switch value {
            case .object(let object):
                if case .string(let target)? = object["$ref"] { references.insert(target) }
                object.values.forEach(collect)
            case .array(let array): array.forEach(collect)
            default: break
            }
        }
        collect(document)
        return references.filter { reference in
            reference.dropFirst(2).split(separator: "/").reduce(Optional(document)) { $0?[String($1)] } == nil
        }.sorted()
    }

    public static func paths(of document: JSONValue) -> Set<String> {
        Set(document["paths"]?.objectValue?.keys.map { $0 } ?? [])
    }

    /// The optional fields of JSON request bodies whose schema refuses `null`, as `METHOD path: field`. The services
    /// decode `null` as an absent field (Swift's optionals do), so the document must say that `null` is accepted.
    public static func optionalFieldsRefusingNull(in document: JSONValue) -> [String] {
        let schemas = document["components"]?["schemas"]?.objectValue ?? [:]
        func resolved(_ schema: JSONValue) -> JSONValue {
            guard case .string(let reference)? = schema["$ref"], let name = reference.split(separator: "/").last else { return schema }
            return schemas[String(name)].map(resolved) ?? schema
        }
        func admitsNull(_ schema: JSONValue) -> Bool {
            let schema = resolved(schema)
            if case .string("null")? = schema["type"] { return true }
            if case .array(let types)? = schema["type"] { return types.contains(.string("null")) }
            return schema["type"] == nil && (schema["anyOf"]?.arrayValue ?? []).contains(where: admitsNull)
        }
        var found: [String] = []
        func visit(_ schema: JSONValue, at path: String, seen: Set<String>) {
            var seen = seen
            if case .string(let reference)? = schema["$ref"] {
                guard seen.insert(reference).inserted else { return }
            }
            let schema = resolved(schema)
            let required = Set((schema["required"]?.arrayValue ?? []).compactMap { if case .string(let name) = $0 { name } else { nil } })
            for (name, property) in schema["properties"]?.objectValue ?? [:] {
                if !required.contains(name), !admitsNull(property) { found.append("\(path): \(name)") }
                visit(property, at: "\(path).\(name)", seen: seen)
            }
            if let items = schema["items"] { visit(items, at: path + "[]", seen: seen) }
        }
        for (path, item) in document["paths"]?.objectValue ?? [:] {
            for (method, operation) in item.objectValue ?? [:] {
                guard let body = operation["requestBody"]?["content"]?["application/json"]?["schema"] else { continue }
                visit(body, at: "\(method.uppercased()) \(path)", seen: [])
            }
        }
        return found.sorted()
    }
}
