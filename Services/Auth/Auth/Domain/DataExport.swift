import Foundation
import Hummingbird

/// A person's request for everything MayaGo holds about them: assembled by a job into one JSON archive, mailed as a
/// link that downloads it once.
struct DataExport: ResponseCodable, Sendable, Equatable {
    enum Status: String, Codable, Sendable {
        case pending, ready, downloaded, expired, failed
    }

    var id: UUID
    var status: Status
    var requestedAt: Date
    var readyAt: Date?
    /// Until when the mailed link works.
    var expiresAt: Date?
    /// The archive's size in bytes, once made.
    var size: Int64?
}
