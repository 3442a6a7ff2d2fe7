import Logging

extension LoggingSystem {
    /// Makes every logger of the process write JSON lines for `service` at `level`. Call once, from `main`.
    public static func bootstrapJSON(service: String, level: Logger.Level) {
        bootstrap { _ in JSONLogHandler(service: service, level: level) }
    }
}
