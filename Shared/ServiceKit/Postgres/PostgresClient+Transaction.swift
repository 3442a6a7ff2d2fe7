import Logging
import PostgresNIO

extension PostgresClient {
    /// `withTransaction` that throws what `body` threw (a ``Problem``, say) rather than postgres-nio's wrapper,
    /// so that callers and ``ProblemMiddleware`` see the error that was meant.
    public func transaction<Result: Sendable>(logger: Logger, _ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        do {
            return try await withTransaction(logger: logger) { connection in try await body(connection) }
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error
        }
    }
}
