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
}
