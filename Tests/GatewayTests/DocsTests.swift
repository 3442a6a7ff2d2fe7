import Contracts
import HTTPTypes
import HummingbirdTesting
import TestSupport
import Testing

@testable import Gateway

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
                #expect(policy.hasPrefix("default-src 'none'; script-src 'self'; style-src 'self';"))
                #expect(policy.contains("frame-ancestors 'none'"))
                #expect(!policy.contains("http"))
                // Everything the page loads is the gateway's own, and nothing runs inline.
                #expect(!response.text.contains("http"))
                #expect(!response.text.contains("<script>"))
            }
            for (file, type) in [("swagger-ui-bundle.js", "text/javascript"), ("swagger-ui.css", "text/css"), ("start.js", "text/javascript")] {
                let eTag = try await client.execute(uri: "/docs/\(file)", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType]?.hasPrefix(type) == true)
                    return response.headers[.eTag]
                }
                try await client.execute(uri: "/docs/\(file)", method: .get, headers: [.ifNoneMatch: eTag ?? ""]) { #expect($0.status == .notModified) }
            }
            try await client.execute(uri: "/docs/start.js", method: .get) { #expect($0.text.contains("/api/v1/openapi.json")) }
            try await client.execute(uri: "/docs/../Package.swift", method: .get) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/docs/LICENSE", method: .get) { #expect($0.status == .notFound) }
        }
    }
}

@Suite struct EdgeResponsesTests {
    /// Every operation says what the gateway may answer on it, and public ones need no token.
    @Test func everyOperationListsTheGatewaysAnswers() {
        let part: JSONValue = [
            "paths": [
                "/api/v1/experiences/{id}": ["get": ["responses": ["200": ["description": "The experience"]]]],
                "/api/v1/bookings": [
                    "post": ["requestBody": ["content": [:]], "responses": ["201": ["description": "Booked"], "400": ["description": "Own"]]]
                ],
            ],
            "components": ["responses": ["400": ["description": "Booking's own 400"]]],
        ]
        let document = OpenAPIAggregator.merge([part])
        let experience = document["paths"]?["/api/v1/experiences/{id}"]?["get"]
        #expect(experience?["security"] == .array([]))
        #expect(Set(experience?["responses"]?.objectValue.map { Array($0.keys) } ?? []) == ["200", "401", "404", "429", "502", "503", "504"])
        let booking = document["paths"]?["/api/v1/bookings"]?["post"]
        #expect(booking?["security"] == nil)
        #expect(Set(booking?["responses"]?.objectValue.map { Array($0.keys) } ?? []) == ["201", "400", "401", "422", "429", "502", "503", "504"])
        #expect(booking?["responses"]?["400"]?["description"] == "Own")
        #expect(document["components"]?["responses"]?["400"]?["description"] == "Booking's own 400")
        #expect(document["components"]?["responses"]?["429"]?["headers"]?["Retry-After"] != nil)
    }
}
