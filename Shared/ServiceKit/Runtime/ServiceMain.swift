import Contracts
import Foundation
import Hummingbird
import Logging

/// The body of every service's `main`: read the configuration (exiting with a message naming the bad variable
/// if it is wrong), log JSON, build the application and run it until SIGTERM or SIGINT.
public enum ServiceMain {
    public static func run<App: ApplicationProtocol>(
        _ service: ServiceName,
        build: (ServiceConfiguration) async throws -> App
    ) async {
        let configuration: ServiceConfiguration
        do {
            configuration = try ServiceConfiguration.fromEnvironment(service)
        } catch {
            FileHandle.standardError.write(Data("\(service.rawValue): configuration error: \(error)\n".utf8))
            exit(78)  // EX_CONFIG
        }
        LoggingSystem.bootstrapJSON(service: service.rawValue, level: configuration.logLevel)
        let logger = Logger(label: service.rawValue)
        do {
            let app = try await build(configuration)
            try await app.runService()
        } catch {
            logger.critical("Service stopped", metadata: ["error": "\(String(reflecting: error))"])
            exit(1)
        }
    }

    /// The body of a one-off administrative command (`auth rotate-signing-key`): read the configuration, run
    /// `body`, print what it returns, and exit non-zero with the error if it fails.
    public static func command(_ service: ServiceName, _ body: (ServiceConfiguration) async throws -> String) async {
        do {
            let configuration = try ServiceConfiguration.fromEnvironment(service)
            print(try await body(configuration))
        } catch {
            FileHandle.standardError.write(Data("\(service.rawValue): \(error)\n".utf8))
            exit(1)
        }
    }
}
