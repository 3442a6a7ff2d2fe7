import Contracts
import Foundation
import Synchronization
import TestSupport
import Testing

/// The seven real executables, started on free ports against the test stores, the gateway in front. `instances`
/// starts more than one of a service, each on its own port; every other service (the gateway among them) is given
/// all of their URLs and spreads its calls over them.
final class Stack: Sendable {
    /// The first instance's port and process of each service.
    let ports: [ServiceName: Int]
    let processes: [ServiceName: ChildProcess]
    /// Every instance's, in order.
    let instancePorts: [ServiceName: [Int]]
    let instances: [ServiceName: [ChildProcess]]
    /// Where Notify's mailbox providers write: the stack's mail, SMS and push.
    let mailbox: URL
    /// What the instances that did not answer were doing when the stack did not get ready.
    private let silent = Mutex("")

    /// `overrides` are variables every service gets.
    init(_ overrides: [String: String] = [:], instances counts: [ServiceName: Int] = [:]) throws {
        let mailbox = FileManager.default.temporaryDirectory.appendingPathComponent("mayago-e2e-mailbox-\(UUID().uuidString.prefix(8))")
        var instancePorts: [ServiceName: [Int]] = [:]
        for service in ServiceName.allCases {
            instancePorts[service] = try (0..<(counts[service] ?? 1)).map { _ in try TestEnvironment.freePort() }
        }
        var shared = TestEnvironment.variables([
            "LOG_LEVEL": "info", "RATE_LIMIT_SENSITIVE": "1000/1m", "MAILBOX_PATH": mailbox.path, "DEV_MAILBOX": "true",
            "MESSAGING_ATTACHMENTS_PATH": mailbox.appendingPathComponent("attachments").path,
        ])
        shared.merge(overrides) { $1 }
        for (service, ports) in instancePorts where service != .gateway {
            shared["\(service.rawValue.uppercased())_URL"] = ports.map { "http://127.0.0.1:\($0)" }.joined(separator: ",")
        }
        var instances: [ServiceName: [ChildProcess]] = [:]
        for service in ServiceName.allCases {
            instances[service] = try instancePorts[service]!.enumerated().map { index, port in
                try ChildProcess(
                    "\(TestEnvironment.binPath)/\(service.rawValue)",
                    environment: shared.merging(["HTTP_PORT": "\(port)"]) { $1 },
                    name: index == 0 ? service.rawValue : "\(service.rawValue)-\(index + 1)"
                )
            }
        }
        self.instancePorts = instancePorts
        self.instances = instances
        self.ports = instancePorts.mapValues { $0[0] }
        self.processes = instances.mapValues { $0[0] }
        self.mailbox = mailbox
    }

    func url(_ service: ServiceName, _ path: String, instance: Int = 0) -> URL {
        URL(string: "http://127.0.0.1:\(instancePorts[service]![instance])\(path)")!
    }

    /// Waits until every instance answers `/ready` with 200.
    /// If one never does, the threads of each that does not answer `/health` are added to ``output``.
    func waitUntilReady(timeout: Duration = .seconds(60)) async -> Bool {
        let ready = await eventually(timeout: timeout, every: .milliseconds(200)) {
            for (service, ports) in instancePorts {
                for instance in ports.indices {
                    guard await answers(service, "/ready", instance: instance) else { return false }
                }
            }
            return true
        }
        if !ready {
            var threads: [String] = []
            for (service, processes) in instances {
                for (instance, process) in processes.enumerated() where await !answers(service, "/health", instance: instance) {
                    threads.append(process.threads())
                }
            }
            silent.withLock { $0 = threads.joined(separator: "\n") }
        }
        return ready
    }

    private func answers(_ service: ServiceName, _ path: String, instance: Int) async -> Bool {
        (try? await HTTP.get(url(service, path, instance: instance)))?.1.statusCode == 200
    }

    func stop() async {
        for process in instances.values.joined() { await process.stop() }
        try? FileManager.default.removeItem(at: mailbox)
    }

    /// What each instance wrote, for failure messages.
    var output: String {
        let logs = instances.values.joined().map { "--- \($0.name)\n\($0.output(lastLines: 15))" }.joined(separator: "\n")
        let threads = silent.withLock { $0 }
        return threads.isEmpty ? logs : "\(logs)\n--- the threads of those that did not answer\n\(threads)"
    }

    /// A call through the gateway as `token`'s holder: the status and the JSON object answered.
    func call(
        _ method: String, _ path: String, token: String, body: [String: Any]? = nil, headers: [String: String] = [:]
    ) async throws -> (Int, [String: Any]) {
        try await call(method, at: url(.gateway, path), token: token, body: body, headers: headers)
    }

    /// The same, straight to `target` (one instance of a service).
    func call(
        _ method: String, at target: URL, token: String, body: [String: Any]? = nil, headers: [String: String] = [:]
    ) async throws -> (Int, [String: Any]) {
        var all = headers.merging(["Authorization": "Bearer \(token)"]) { $1 }
        if body != nil { all["Content-Type"] = "application/json" }
        let (data, answer) = try await HTTP.send(method, target, headers: all, body: try body.map { try JSONSerialization.data(withJSONObject: $0) })
        return (answer.statusCode, (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:])
    }

    /// `experience` listed and published by `provider` through the gateway, with one slot of `capacity` seats `days`
    /// days from now: the experience's id and the slot's.
    func listExperience(_ experience: [String: Any], by provider: String, slotIn days: Double, capacity: Int) async throws -> (String, String) {
        let (created, listed) = try await call("POST", "/api/v1/experiences", token: provider, body: experience)
        #expect(created == 201, "\(listed)")
        let experienceID = try #require(listed["id"] as? String)
        #expect(try await call("POST", "/api/v1/experiences/\(experienceID)/publish", token: provider).0 == 200)
        let startsAt = ISO8601Format.string(Date().addingTimeInterval(days * 86_400))
        let (_, slot) = try await call(
            "POST", "/api/v1/experiences/\(experienceID)/slots", token: provider, body: ["startsAt": startsAt, "capacity": capacity])
        return (experienceID, try #require(slot["id"] as? String, "\(slot)"))
    }

    /// A new account of `role`, signed up and in through the gateway: its access token and email.
    func signUp(_ role: String) async throws -> (token: String, email: String) {
        let email = "\(role)-\(UUID().uuidString.prefix(8).lowercased())@example.com"
        let body = try JSONSerialization.data(withJSONObject: ["email": email, "password": "a long enough passphrase", "name": "E2E", "role": role])
        let (_, registered) = try await HTTP.send("POST", url(.gateway, "/api/v1/auth/register"), headers: ["Content-Type": "application/json"], body: body)
        #expect(registered.statusCode == 202)
        let credentials = try JSONSerialization.data(withJSONObject: ["email": email, "password": "a long enough passphrase"])
        let (data, _) = try await HTTP.send("POST", url(.gateway, "/api/v1/auth/login"), headers: ["Content-Type": "application/json"], body: credentials)
        return (try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["accessToken"] as? String), email)
    }
}
