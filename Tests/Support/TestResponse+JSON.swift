import Contracts
import Foundation
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat

extension TestResponse {
    /// The body decoded the MayaGo way.
    public func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        try JSONDecoder.mayaGo.decode(T.self, from: Data(buffer: body))
    }

    /// The body as problem details, or `nil` if it is not.
    public var problem: ProblemDetails? {
        try? decode(ProblemDetails.self)
    }

    public var text: String { String(buffer: body) }

    /// The body as a JSON object, for answers a test reads a few fields of.
    public var json: [String: Any] {
        get throws {
            guard let object = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] else {
                throw DecodingError.typeMismatch(
                    [String: Any].self, .init(codingPath: [], debugDescription: "The body is not a JSON object: \(text.prefix(200))"))
            }
            return object
        }
    }
}
