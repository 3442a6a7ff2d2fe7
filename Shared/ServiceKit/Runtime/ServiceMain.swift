import Contracts
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization
import UnixSignals

/// The body of every service's `main`: read the configuration (exiting with a message naming the bad variable
/// if it is wrong), log JSON, trace if a collector is named, build the application and run it until SIGTERM or SIGINT.
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
            // Before the application is built: the gateway and the routers ask whether requests are traced.
            let tracing = try ServiceTracing.bootstrap(configuration, logger: logger)
            let app = try await build(configuration)
            // The witness first, then the exporter: a group stops its parts in reverse, so the witness hears of the stop
            // last and the spans of the last requests still leave.
            let witness = StopWitness()
            let services: [any Service] = [witness] + (tracing.map { [$0] } ?? []) + [app]
            try await group(services, shutdownTimeout: configuration.shutdownTimeout, logger: logger).run()
            if witness.cutShort {
                logger.error(
                    "The graceful stop outlasted SHUTDOWN_TIMEOUT_MS: what was still running was cancelled",
                    metadata: ["timeoutMs": "\(Int(configuration.shutdownTimeout.milliseconds))"])
                exit(1)
            }
        } catch {
            logger.critical("Service stopped", metadata: ["error": "\(String(reflecting: error))"])
            exit(1)
        }
        // Stopped gracefully: end the process now. With NIO's loops as the global executor, returning from an async
        // main could leave the main thread exiting alone while the loops and thread pools kept the process alive
        // (seen once: a Booking that answered SIGTERM, shut down, and never ended).
        exit(0)
    }

    /// The group that runs a service's parts until one of `signals`, stopping them in reverse order. A graceful stop
    /// that outlasts `shutdownTimeout` is cancelled, and if cancelling does not end it within five seconds more, the
    /// process stops (ServiceLifecycle's `fatalError`): a task that waits for something that never comes cannot keep a
    /// stopping service alive (Search was seen once still waiting, idle, eight minutes after SIGTERM).
    static func group(
        _ services: [any Service], shutdownTimeout: Duration, signals: [UnixSignal] = [.sigterm, .sigint], logger: Logger
    ) -> ServiceGroup {
        var configuration = ServiceGroupConfiguration(
            services: services.map { .init(service: $0) }, gracefulShutdownSignals: signals, logger: logger)
        configuration.maximumGracefulShutdownDuration = shutdownTimeout
        configuration.maximumCancellationDuration = .seconds(5)
        return ServiceGroup(configuration: configuration)
    }

    /// Makes NIO's event loops Swift's global executor, so that a task resumes on the loop whose I/O woke it instead
    /// of switching to the concurrency pool's threads and back at every await. For services whose requests wait on
    /// sockets or compute for about a millisecond (the gateway, Booking, Search, Messaging); a computation longer than
    /// that goes to a thread pool (Search's recommendations, Booking's images), as it would hold up its loop's I/O
    /// meanwhile.
    /// Call it first thing in `main`, on the main thread, before any task starts.
    public static func runTasksOnEventLoops() {
        onLoops.store(NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor(), ordering: .relaxed)
    }

    /// Whether ``runTasksOnEventLoops()`` made NIO's loops Swift's executor (clients that can keep a caller's work on
    /// its loop are then given the loops).
    public static var tasksRunOnLoops: Bool { onLoops.load(ordering: .relaxed) }
    private static let onLoops = Atomic(false)

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
