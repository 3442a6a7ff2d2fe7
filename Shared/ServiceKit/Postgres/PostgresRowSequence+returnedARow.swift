import PostgresNIO

extension PostgresRowSequence {
    /// Whether the statement returned a row: for an `INSERT … ON CONFLICT DO NOTHING RETURNING` or an
    /// `UPDATE … RETURNING`, whether it wrote anything. Reads the first row only; postgres-nio reads and drops the rest.
    public func returnedARow() async throws -> Bool {
        for try await _ in self { return true }
        return false
    }
}
