import Contracts
import Foundation

/// The `cursor` of a list ordered by time, newest first: the time of the last item of the page before.
public enum TimeCursor {
    /// `text` as a cursor, `nil` when absent; a 422 naming `cursor` when it is not one.
    public static func parse(_ text: String?) throws -> Date? {
        guard let text else { return nil }
        guard let date = ISO8601Format.parse(text) else { throw Problem.refused("cursor", "must be a cursor from a previous page") }
        return date
    }

    /// The cursor of the page after one that ends at `last`, if the page was full.
    public static func next(after last: Date?, pageWasFull: Bool) -> String? {
        pageWasFull ? last.map { $0.formatted(ISO8601Format.withFractionalSeconds) } : nil
    }
}
