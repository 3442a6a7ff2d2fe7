import Foundation
import HTTPTypes
import Hummingbird

extension Request {
    /// The request's `Content-Type` without its parameters, lowercased (`image/png`); empty when there is none.
    public var mediaType: String {
        (headers[.contentType] ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
    }
}
