import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import ServiceKit
import Testing
import TestSupport

@Suite struct ProblemDetailsTests {
    struct NewThing: Decodable {
        struct Location: Decodable {
            var latitude: Double
        }
        var title: String
        var guests: Int
        var location: Location
    }

    struct Broken: Error {}

    /// An application with ServiceKit's middleware and a few routes that fail in each way.
    func makeApp() async throws -> some ApplicationProtocol {
        let runtime = try await ServiceRuntime(configuration: try TestEnvironment.configuration(.booking), database: nil, usesRedis: false)
        let router = runtime.makeRouter()
        router.post("things") { request, context -> Response in
            let thing = try await request.decode(as: NewThing.self, context: context)
            return try Response.json(["title": thing.title], status: .created)
        }
        router.get("things/broken") { _, _ -> Response in throw Broken() }
        router.get("things/gone") { _, _ -> Response in throw Problem.notFound("No such thing.") }
        return runtime.makeApplication(router: router)
    }

    func post(_ client: some TestClientProtocol, _ json: String, check: @escaping @Sendable (TestResponse) throws -> Void) async throws {
        try await client.execute(uri: "/things", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: json)) {
            try check($0)
        }
    }

    @Test func undecodableBodiesNameTheField() async throws {
        try await makeApp().test(.router) { client in
            let cases: [(String, FieldError)] = [
                (#"{"guests": 2, "location": {"latitude": 1}}"#, FieldError(field: "title", message: "is required")),
                (#"{"title": "x", "guests": "two", "location": {"latitude": 1}}"#, FieldError(field: "guests", message: "must be an integer")),
                (#"{"title": "x", "guests": 2, "location": {"latitude": "north"}}"#, FieldError(field: "location.latitude", message: "must be a number")),
                (#"{"title": "x", "guests": null, "location": {"latitude": 1}}"#, FieldError(field: "guests", message: "must not be null")),
                (#"{"title": "#, FieldError(field: "body", message: "is not valid JSON")),
            ]
            for (json, expected) in cases {
                try await post(client, json) { response in
                    #expect(response.status == .badRequest)
                    #expect(response.headers[.contentType] == "application/problem+json")
                    let problem = try #require(response.problem)
                    #expect(problem.status == 400)
                    #expect(problem.errors == [expected])
                    #expect(problem.requestId == response.headers[.requestID])
                }
            }
            try await post(client, #"{"title": "ok", "guests": 2, "location": {"latitude": 1.5}}"#) { response in
                #expect(response.status == .created)
            }
        }
    }

    @Test func unknownPathsAndMethodsAreProblems() async throws {
        try await makeApp().test(.router) { client in
            try await client.execute(uri: "/nothing/here", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.problem?.title == "Not Found")
            }
            try await client.execute(uri: "/things", method: .delete) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "POST")
                #expect(response.problem?.status == 405)
            }
            try await client.execute(uri: "/things/gone", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.problem?.detail == "No such thing.")
            }
            try await client.execute(uri: "/things", method: .post, headers: [.contentType: "text/plain"], body: ByteBuffer(string: "hi")) { response in
                #expect(response.status == .unsupportedMediaType)
            }
        }
    }

    @Test func unexpectedErrorsShowNothingOfTheirCause() async throws {
        try await makeApp().test(.router) { client in
            try await client.execute(uri: "/things/broken", method: .get) { response in
                #expect(response.status == .internalServerError)
                let problem = try #require(response.problem)
                #expect(problem.detail == "Something went wrong on our side.")
                #expect(!response.text.contains("Broken"))
            }
        }
    }

    @Test func requestIDsAreKeptWhenPlainAndReplacedOtherwise() async throws {
        try await makeApp().test(.router) { client in
            try await client.execute(uri: "/health", method: .get, headers: [.requestID: "abc-123"]) { response in
                #expect(response.headers[.requestID] == "abc-123")
            }
            try await client.execute(uri: "/health", method: .get, headers: [.requestID: "bad id <script>"]) { response in
                let id = try #require(response.headers[.requestID])
                #expect(id != "bad id <script>")
                #expect(UUID(uuidString: id) != nil)
            }
        }
    }
}
