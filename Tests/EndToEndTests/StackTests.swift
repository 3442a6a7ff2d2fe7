import Contracts
import Foundation
import Testing
import TestSupport

/// The real executables behind the real gateway.
@Suite(.serialized) struct StackTests {
    @Test func allSevenStartAndAnswerOnTheirPortsAndThroughTheGateway() async throws {
        let stack = try Stack()
        let ready = await stack.waitUntilReady()
        #expect(ready, "\(stack.output)")
        guard ready else { return await stack.stop() }

        for service in ServiceName.allCases {
            let (data, answer) = try await HTTP.get(stack.url(service, "/health"))
            #expect(answer.statusCode == 200)
            #expect(try JSONDecoder.mayaGo.decode(Readiness.self, from: data).status == .ok)
        }

        // A public path reaches its owner, which answers (nothing is there yet) with a problem that keeps the
        // request id the client sent.
        let (data, answer) = try await HTTP.get(stack.url(.gateway, "/api/v1/experiences/unknown"), headers: ["X-Request-Id": "e2e-1"])
        #expect(answer.statusCode == 404)
        #expect(answer.headers["content-type"] == ProblemDetails.mediaType)
        #expect(answer.headers["x-request-id"] == "e2e-1")
        #expect(try JSONDecoder.mayaGo.decode(ProblemDetails.self, from: data).requestId == "e2e-1")

        // The owner's access log saw that same request, and the gateway's line names the upstream that answered.
        let sawRequest = await eventually(timeout: .seconds(5)) {
            stack.processes[.booking]!.output(lastLines: 200).contains("\"requestId\":\"e2e-1\"")
        }
        #expect(sawRequest, "\(stack.output)")
        let gatewayLine = stack.processes[.gateway]!.output(lastLines: 200).split(separator: "\n").first { $0.contains("\"requestId\":\"e2e-1\"") }
        #expect(gatewayLine?.contains("\"upstream\":\"booking@127.0.0.1:\(stack.ports[.booking]!)\"") == true, "\(stack.output)")
        #expect(gatewayLine?.contains("\"path\":\"/api/v1/experiences/unknown\"") == true)

        // Internal routes stay inside.
        let (_, internalAnswer) = try await HTTP.get(stack.url(.gateway, "/internal/v1/notifications"))
        #expect(internalAnswer.statusCode == 404)

        // SIGTERM stops every service gracefully.
        await stack.stop()
        for process in stack.processes.values {
            #expect(!process.isRunning)
        }
    }

    @Test func aBadSettingStopsAServiceWithAMessageNamingIt() async throws {
        let process = try ChildProcess("\(TestEnvironment.binPath)/booking", environment: ["HTTP_PORT": "eighty"], name: "booking-bad-port")
        let stopped = await eventually(timeout: .seconds(10)) { !process.isRunning }
        #expect(stopped)
        #expect(process.output().contains("HTTP_PORT=\"eighty\" is invalid"))
    }
}
