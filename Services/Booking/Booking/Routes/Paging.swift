import ServiceKit

/// Booking's pages hold 20 items unless `limit` (1 to 100) says otherwise.
enum Paging {
    static func limit(_ text: String?) throws -> Int {
        try PageLimit.parse(text, default: 20, maximum: 100)
    }
}
