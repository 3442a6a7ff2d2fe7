import Contracts
import Foundation
import Hummingbird
import NIOFoundationCompat

/// Decodes JSON request bodies; a body that is not JSON, or lacks or mistypes a field, is a 400 problem whose
/// `errors` name the field; one whose text cannot be kept (``UnstorableText``) is a 422.
public struct ProblemJSONDecoder: RequestDecoder {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
        if let contentType = request.headers[.contentType], !contentType.lowercased().contains("json") {
            throw Problem(.unsupportedMediaType, detail: "Send the body as application/json.")
        }
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        if let problem = UnstorableText.problem(inJSON: buffer) { throw problem }
        do {
            return try JSONDecoder.mayaGo.decode(T.self, from: buffer)
        } catch let error as DecodingError {
            throw Problem.validation([FieldError(error)])
        }
    }
}

extension FieldError {
    /// The field a decoding error is about, as a path (`location.latitude`, `items[2]`), and what is wrong.
    init(_ error: DecodingError) {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.reduce(into: "") { path, key in
                if let index = key.intValue {
                    path += "[\(index)]"
                } else {
                    path += path.isEmpty ? key.stringValue : ".\(key.stringValue)"
                }
            }
        }
        switch error {
        case .keyNotFound(let key, let context):
            self.init(field: path(context.codingPath + [key]), message: "is required")
        case .valueNotFound(_, let context):
            self.init(field: path(context.codingPath), message: "must not be null")
        case .typeMismatch(let type, let context):
            self.init(field: path(context.codingPath), message: "must be \(Self.describe(type))")
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            self.init(field: "body", message: "is not valid JSON")
        case .dataCorrupted(let context):
            let message =
                context.debugDescription.hasPrefix("Cannot initialize")
                ? "has a value that is not allowed" : context.debugDescription
            self.init(field: path(context.codingPath), message: message)
        @unknown default:
            self.init(field: "body", message: "is not valid")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is Int.Type, is Int64.Type, is Int32.Type, is UInt.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        case is [Any].Type: "an array"
        default: "an object"
        }
    }
}

extension Request {
    /// The body decoded as `T`, or `nil` when the request has none (routes whose body is optional).
    public func decodeIfPresent<T: Decodable>(as type: T.Type, context: ServiceRequestContext) async throws -> T? {
        var request = self
        guard try await request.collectBody(upTo: context.maxUploadSize).readableBytes > 0 else { return nil }
        return try await request.decode(as: type, context: context)
    }
}
