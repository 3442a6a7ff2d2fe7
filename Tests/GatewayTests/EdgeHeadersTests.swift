import HTTPTypes
import HummingbirdTesting
import TestSupport
import Testing

@Suite struct EdgeHeadersTests {
    let origins = ["CORS_ALLOWED_ORIGINS": "https://app.mayago.example, https://admin.mayago.example"]

    @Test func preflightsAreAnsweredForAllowedOriginsOnly() async throws {
        try await GatewayHarness.withGateway(origins) { client in
            let preflight: HTTPFields = [.origin: "https://app.mayago.example", .accessControlRequestMethod: "POST"]
            try await client.execute(uri: "/api/v1/bookings", method: .options, headers: preflight) { response in
                #expect(response.status == .noContent)
                #expect(response.headers[.accessControlAllowOrigin] == "https://app.mayago.example")
                #expect(response.headers[.accessControlAllowCredentials] == "true")
                #expect(response.headers[.accessControlAllowMethods]?.contains("POST") == true)
                #expect(response.headers[.accessControlAllowHeaders]?.contains("Authorization") == true)
            }
            let foreign: HTTPFields = [.origin: "https://evil.example", .accessControlRequestMethod: "POST"]
            try await client.execute(uri: "/api/v1/bookings", method: .options, headers: foreign) { response in
                #expect(response.status == .forbidden)
                #expect(response.headers[.accessControlAllowOrigin] == nil)
            }
        }
    }

    @Test func simpleRequestsGetCORSHeadersOnlyForAllowedOrigins() async throws {
        try await GatewayHarness.withGateway(origins) { client in
            try await client.execute(uri: "/api/v1/experiences", method: .get, headers: [.origin: "https://admin.mayago.example"]) { response in
                #expect(response.headers[.accessControlAllowOrigin] == "https://admin.mayago.example")
                #expect(response.headers[.accessControlAllowCredentials] == "true")
                #expect(response.headers[.accessControlExposeHeaders]?.contains("RateLimit-Remaining") == true)
                #expect(response.headers[.vary]?.contains("Origin") == true)
            }
            try await client.execute(uri: "/api/v1/experiences", method: .get, headers: [.origin: "https://evil.example"]) { response in
                #expect(response.status == .accepted)
                #expect(response.headers[.accessControlAllowOrigin] == nil)
                #expect(response.headers[.accessControlAllowCredentials] == nil)
            }
        }
    }

    @Test func securityHeadersAreSetAndUpstreamBannersRemoved() async throws {
        try await GatewayHarness.withGateway { client in
            try await client.execute(uri: "/api/v1/experiences", method: .get) { response in
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
                #expect(response.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
                #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
                #expect(response.headers[.contentSecurityPolicy] == "default-src 'none'; frame-ancestors 'none'")
                #expect(response.headers[HTTPField.Name("X-Powered-By")!] == nil)
                #expect(response.headers[.strictTransportSecurity] == nil)
            }
            // Problems carry them too.
            try await client.execute(uri: "/api/v1/nowhere", method: .get) { response in
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
            }
        }
        try await GatewayHarness.withGateway(["BEHIND_TLS": "true"]) { client in
            try await client.execute(uri: "/api/v1/experiences", method: .get) { response in
                #expect(response.headers[.strictTransportSecurity] == "max-age=31536000; includeSubDomains")
            }
        }
    }
}
