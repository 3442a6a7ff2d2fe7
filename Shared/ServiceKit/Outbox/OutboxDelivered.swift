import Foundation
import PostgresNIO

/// ``OutboxRelay``'s end of a batch: the rows delivered, deleted (a delivered row is owed nothing more). Prepared once
/// per connection, as ``OutboxClaim`` is: every claim that delivered something runs it.
struct OutboxDelivered: PostgresPreparedStatement {
    typealias Row = Void
    /// Named here: postgres-nio's default name, `String(reflecting:)`, is computed at every execution.
    static let name = "outbox.delivered"

    static let sql = "DELETE FROM outbox WHERE id = ANY($1)"

    let ids: [UUID]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(ids)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws {}
}
