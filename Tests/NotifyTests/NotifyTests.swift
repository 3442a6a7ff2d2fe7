import Contracts
import HTTPTypes
import HummingbirdTesting
import ServiceKit
import TestSupport
import Testing

@testable import Notify

@Suite struct NotifyServiceTests {
    @Test func answersHealthReadyAndMetrics() async throws {
        let readiness = try await ServiceProbes.checkHealthReadyAndMetrics(.notify, build: { try await buildApplication(configuration: $0) })
        #expect(readiness == Readiness(status: .ok, checks: ["postgres": "ok", "signing keys": "ok"]))
    }

    @Test func isNotReadyWhileItsDatabaseIsUnreachable() async throws {
        let readiness = try await ServiceProbes.checkNotReadyWithoutDatabase(.notify, build: { try await buildApplication(configuration: $0) })
        #expect(readiness?.status == .unavailable)
        #expect(readiness?.checks["postgres"]?.hasPrefix("ok") == false)
    }
}

@Suite struct NotifyDocumentTests {
    @Test func theOpenAPIDocumentNamesTheRoutesAndEveryReferenceResolves() async throws {
        try await NotifyHarness.run { notify in
            let document = try await notify.send(.get, "/openapi.json").decode(JSONValue.self)
            #expect(
                OpenAPIDocument.paths(of: document).isSuperset(of: [
                    "/api/v1/notifications", "/api/v1/notifications/{id}/read", "/api/v1/notifications/preferences", "/api/v1/notifications/devices",
                    "/api/v1/dev/mailbox",
                ]))
            #expect(OpenAPIDocument.unresolvedReferences(in: document) == [])
            #expect(OpenAPIDocument.optionalFieldsRefusingNull(in: document) == [])
        }
    }
}

@Suite struct DevelopmentMailboxTests {
    /// The mailbox lists everyone's mail: without `DEV_MAILBOX=true` it is not served, whatever `MAYAGO_ENV` says.
    @Test(arguments: ["development", "test"])
    func theMailboxIsServedOnlyWhenAskedFor(environment: String) async throws {
        let hidden = try await NotifyHarness.run(["DEV_MAILBOX": "false", "MAYAGO_ENV": environment]) { notify in
            try await notify.send(.get, "/api/v1/dev/mailbox").status
        }
        #expect(hidden == .notFound)
        let shown = try await NotifyHarness.run(["DEV_MAILBOX": "true", "MAYAGO_ENV": environment]) { notify in
            try await notify.send(.get, "/api/v1/dev/mailbox").status
        }
        #expect(shown == .ok)
    }

    @Test func productionRefusesTheMailbox() async throws {
        let configuration = try TestEnvironment.configuration(
            .notify, ["MAYAGO_ENV": "production", "SERVICE_SECRET": String(repeating: "k9", count: 24), "DEV_MAILBOX": "true"]
        )
        await #expect {
            _ = try await buildApplication(configuration: configuration)
        } throws: { error in
            (error as? ConfigurationError)?.variable == "DEV_MAILBOX"
        }
    }
}
