/// The `limit` query parameter of a paginated list.
public enum PageLimit {
    /// `text` as a page size from 1 to `maximum`, `defaultValue` when absent; a 400 naming `limit` otherwise.
    public static func parse(_ text: String?, default defaultValue: Int, maximum: Int) throws -> Int {
        guard let text else { return defaultValue }
        guard let limit = Int(text), (1...maximum).contains(limit) else {
            throw Problem.invalid("limit", "must be an integer from 1 to \(maximum)")
        }
        return limit
    }
}
