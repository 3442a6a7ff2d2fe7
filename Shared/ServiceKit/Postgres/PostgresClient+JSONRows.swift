import Contracts
import Foundation
import Logging
import PostgresNIO

extension PostgresClient {
    /// The rows `query` selects as a JSON array of objects (column names as keys), made by PostgreSQL in one round
    /// trip: how a service hands a person their records (``AccountExport``) without a type per table.
    public func jsonRows(_ query: PostgresQuery, logger: Logger) async throws -> JSONValue {
        let wrapped = PostgresQuery(unsafeSQL: "SELECT coalesce(json_agg(t), '[]')::text FROM (\(query.sql)) t", binds: query.binds)
        for try await text in try await self.query(wrapped, logger: logger).decode(String.self) {
            return try JSONDecoder.mayaGo.decode(JSONValue.self, from: Data(text.utf8))
        }
        return .array([])
    }
}
