import Foundation

/// What one service holds about a person, for the archive Auth assembles when they ask for their data: the same
/// route on each of ``services``, asked by Auth's export job.
public struct AccountExport: Codable, Sendable, Equatable {
    /// The route below `/internal/v1/` on every one of ``services``.
    public static let route = "accounts/:id/export"
    public static let services: [ServiceName] = [.booking, .payment, .messaging, .notify, .search]

    public static func path(_ id: UUID) -> String {
        fill("/\(internalRoot)/\(route)", with: id)
    }

    public var service: ServiceName
    /// Each kind of record the service holds about the person, as rows.
    public var records: [String: JSONValue]

    public init(service: ServiceName, records: [String: JSONValue]) {
        self.service = service
        self.records = records
    }
}
