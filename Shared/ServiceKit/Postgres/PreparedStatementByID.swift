import Foundation
import PostgresNIO

/// A prepared statement whose one parameter, `$1`, is the id of what it looks up.
public protocol PreparedStatementByID: PostgresPreparedStatement {
    var id: UUID { get }
}

extension PreparedStatementByID {
    public func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(id)
        return bindings
    }
}
