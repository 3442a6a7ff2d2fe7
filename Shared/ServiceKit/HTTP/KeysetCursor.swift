import Foundation

/// The `cursor` of a list ordered newest first by (time, id): the last item of the page before, so that items with
/// equal times are neither repeated nor skipped. Opaque to clients: base64 of microseconds and the id.
public struct KeysetCursor: Sendable, Equatable {
    public let time: Date
    public let id: UUID

    public init(time: Date, id: UUID) {
        self.time = time
        self.id = id
    }

    /// `text` as a cursor, `nil` when absent; a 422 naming `cursor` when it is not one.
    public static func parse(_ text: String?) throws -> KeysetCursor? {
        guard let text else { return nil }
        guard let data = Data(base64Encoded: text), let decoded = String(data: data, encoding: .utf8) else { throw notOne }
        let parts = decoded.split(separator: "|")
        guard parts.count == 2, let micros = Int64(parts[0]), let id = UUID(uuidString: String(parts[1])) else { throw notOne }
        return KeysetCursor(time: Date(timeIntervalSince1970: Double(micros) / 1_000_000), id: id)
    }

    /// The cursor of the page after one of `count` items that ends at `last`, if the page was full (`limit` items).
    public static func next(after last: (time: Date, id: UUID)?, count: Int, limit: Int) -> String? {
        guard count == limit, let last else { return nil }
        // PostgreSQL keeps microseconds: the cursor keeps them all, so that it names the last row exactly.
        let micros = Int64((last.time.timeIntervalSince1970 * 1_000_000).rounded())
        return Data("\(micros)|\(last.id.uuidString)".utf8).base64EncodedString()
    }

    private static let notOne = Problem.refused("cursor", "must be a cursor from a previous page")
}
