import Foundation

/// A service's internal route, declared once, here, by the type that travels on it: the sender asks for
/// ``path`` (or ``InternalLookup/path(_:)``), the receiver registers ``route`` (`routes.post(NotificationRequest.self, …)`),
/// so the two cannot disagree on where a call goes.
public protocol InternalRoute: Sendable {
    /// The service that answers.
    static var destination: ServiceName { get }
    /// The route below `/internal/v1/`; a lookup's holds `:id`.
    static var route: String { get }
}

/// Where every service's internal routes live (the gateway forwards nothing there).
public let internalRoot = "internal/v1"

extension InternalRoute {
    /// The whole path, as the sender asks for it.
    public static var path: String { "/\(internalRoot)/\(route)" }
}

/// A `POST` whose JSON body is the value: sent through the sender's outbox (`Outbox.enqueue(call, …)`), or
/// directly where an answer is needed at once.
public protocol InternalCall: InternalRoute, Codable {}

/// A `GET` of one record by id whose answer is the value.
public protocol InternalLookup: InternalRoute, Codable {}

extension InternalLookup {
    /// The path of record `id`.
    public static func path(_ id: UUID) -> String {
        fill(path, with: id)
    }
}

/// `template` with its `:id` replaced by `id`. (Foundation's `replacingOccurrences` goes through `NSString`: it was
/// 2 % of Notify's CPU, which looks up a contact for each mail.)
func fill(_ template: String, with id: UUID) -> String {
    guard let hole = template.utf8.firstRange(of: ":id".utf8) else { return template }
    return template[..<hole.lowerBound] + id.lowercasedString + template[hole.upperBound...]
}

/// Booking asks Search to rebuild its index from Booking's feed pages (``SearchFeedPage``).
public struct SearchReindex: InternalCall, Equatable {
    public static let destination = ServiceName.search
    public static let route = "reindex"

    public init() {}
}
