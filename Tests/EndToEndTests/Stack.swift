import Contracts
import Foundation
import TestSupport

/// The seven real executables, started on free ports against the test stores, the gateway in front.
final class Stack: Sendable {
    let ports: [ServiceName: Int]
    let processes: [ServiceName: ChildProcess]
    /// Where Notify's mailbox providers write: the stack's mail, SMS and push.
    let mailbox: URL

    /// `overrides` are variables every service gets.
    init(_ overrides: [String: String] = [:]) throws {
        let mailbox = FileManager.default.temporaryDirectory.appendingPathComponent("mayago-e2e-mailbox-\(UUID().uuidString.prefix(8))")
        var ports: [ServiceName: Int] = [:]
        for service in ServiceName.allCases { ports[service] = try TestEnvironment.freePort() }
        var shared = TestEnvironment.variables([
            "LOG_LEVEL": "info", "RATE_LIMIT_SENSITIVE": "1000/1m", "MAILBOX_PATH": mailbox.path, "DEV_MAILBOX": "true",
            "MESSAGING_ATTACHMENTS_PATH": mailbox.appendingPathComponent("attachments").path,
        ])
        shared.merge(overrides) { $1 }
        for (service, port) in ports where service != .gateway {
            shared["\(service.rawValue.uppercased())_URL"] = "http://127.0.0.1:\(port)"
        }
        var processes: [ServiceName: ChildProcess] = [:]
        for service in ServiceName.allCases {
            processes[service] = try ChildProcess(
                "\(TestEnvironment.binPath)/\(service.rawValue)",
                environment: shared.merging(["HTTP_PORT": "\(ports[service]!)"]) { $1 },
                name: service.rawValue
            )
        }
        self.ports = ports
        self.processes = processes
        self.mailbox = mailbox
    }

    func url(_ service: ServiceName, _ path: String) -> URL {
        URL(string: "http://127.0.0.1:\(ports[service]!)\(path)")!
    }

    /// Waits until every service answers `/ready` with 200.
    func waitUntilReady(timeout: Duration = .seconds(60)) async -> Bool {
        await eventually(timeout: timeout, every: .milliseconds(200)) {
            for service in ServiceName.allCases {
                guard let (_, response) = try? await HTTP.get(url(service, "/ready")), response.statusCode == 200 else { return false }
            }
            return true
        }
    }

    func stop() async {
        for process in processes.values { await process.stop() }
        try? FileManager.default.removeItem(at: mailbox)
    }

    /// What each service wrote, for failure messages.
    var output: String {
        processes.map { "--- \($0.key.rawValue)\n\($0.value.output(lastLines: 15))" }.joined(separator: "\n")
    }
}
