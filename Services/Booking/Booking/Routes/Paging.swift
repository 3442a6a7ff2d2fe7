import Foundation
import ServiceKit

/// Keyset paging on (created time, id), newest first; the cursor is opaque to clients. Pages hold 20 items unless
/// `limit` (1 to 100) says otherwise.
enum Paging {
    static func limit(_ text: String?) throws -> Int {
        try PageLimit.parse(text, default: 20, maximum: 100)
    }

    static func cursor(_ text: String?) throws -> (Date, UUID)? {
        guard let text else { return nil }
        guard let data = Data(base64Encoded: text), let decoded = String(data: data, encoding: .utf8) else {
            throw Problem.refused("cursor", "must be a cursor from a previous page")
        }
        let parts = decoded.split(separator: "|")
        guard parts.count == 2, let millis = Int64(parts[0]), let id = UUID(uuidString: String(parts[1])) else {
            throw Problem.refused("cursor", "must be a cursor from a previous page")
        }
        return (Date(timeIntervalSince1970: Double(millis) / 1000), id)
    }

    /// The cursor after the last item of a full page; `nil` when the page was not full.
    static func next(after last: (Date, UUID)?, count: Int, limit: Int) -> String? {
        guard count == limit, let (date, id) = last else { return nil }
        return Data("\(Int64((date.timeIntervalSince1970 * 1000).rounded(.down)))|\(id.uuidString)".utf8).base64EncodedString()
    }
}
