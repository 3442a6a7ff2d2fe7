import Contracts
import HTTPTypes
import HummingbirdTesting
import Testing
import TestSupport

@Suite struct DocsTests {
    @Test func theDocumentMergesTheServicesParts() async throws {
        try await GatewayHarness.withGateway { client in
            try await client.execute(uri: "/api/v1/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                let document = try response.decode(JSONValue.self)
                #expect(document["openapi"] == .string("3.1.0"))
                #expect(document["paths"]?["/api/v1/things"]?["get"]?["summary"] == .string("List things"))
                #expect(document["components"]?["schemas"]?["Thing"] != nil)
                #expect(document["components"]?["schemas"]?["ProblemDetails"] != nil)
                #expect(document["components"]?["securitySchemes"]?["bearer"]?["scheme"] == .string("bearer"))
            }
        }
    }

    @Test func theDocsPageHasAStrictPolicyOfItsOwn() async throws {
        try await GatewayHarness.withGateway { client in
            try await client.execute(uri: "/docs", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                let policy = try #require(response.headers[.contentSecurityPolicy])
                #expect(policy.hasPrefix("default-src 'none'; script-src https://cdn.jsdelivr.net 'sha256-"))
                #expect(policy.contains("frame-ancestors 'none'"))
                #expect(response.text.contains("/api/v1/openapi.json"))
            }
        }
    }
}
