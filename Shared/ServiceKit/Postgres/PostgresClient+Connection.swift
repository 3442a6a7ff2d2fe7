import Logging
import PostgresNIO

extension PostgresClient {
    /// Runs `query` on `connection` when the caller is inside a transaction, else on a connection of this pool.
    @discardableResult
    public func query(_ query: PostgresQuery, on connection: PostgresConnection?, logger: Logger) async throws -> PostgresRowSequence {
        if let connection { try await connection.query(query, logger: logger) } else { try await self.query(query, logger: logger) }
    }

    /// Runs the prepared `statement` on `connection` when the caller is inside a transaction, else on a connection of
    /// this pool.
    public func execute<Statement: PostgresPreparedStatement>(
        _ statement: Statement, on connection: PostgresConnection?, logger: Logger
    ) async throws -> AsyncThrowingMapSequence<PostgresRowSequence, Statement.Row> {
        if let connection { try await connection.execute(statement, logger: logger) } else { try await execute(statement, logger: logger) }
    }
}
