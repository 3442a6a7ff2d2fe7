import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import ServiceKit
import TestSupport
import Testing

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
        let runtime = try await ServiceRuntime<NoStores>(configuration: try TestEnvironment.configuration(.booking))
        let router = runtime.makeRouter()
        router.post("things") { request, context -> Response in
            let thing = try await request.decode(as: NewThing.self, context: context)
            return try Response.json(["title": thing.title], status: .created)
        }
        router.get("things/checked") { request, _ -> Response in
            let query = request.uri.queryParameters
            var validator = Validator()
            validator.check(query.get("size") != "huge", "size", "must be small or large")
            validator.rule(query.get("from") != "tomorrow", "from", "must be before to")
            try validator.validate()
            return Response(status: .noContent)
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

    /// A field that breaks the document makes the answer a 400 naming every bad field; rules alone make it a 422.
    @Test func malformedFieldsAre400sAndRefusedOnesAre422s() async throws {
        try await makeApp().test(.router) { client in
            for (query, status, fields) in [
                ("size=huge&from=tomorrow", HTTPResponse.Status.badRequest, ["size", "from"]), ("from=tomorrow", .unprocessableContent, ["from"]),
                ("size=huge", .badRequest, ["size"]), ("size=small", .noContent, []),
            ] {
                try await client.execute(uri: "/things/checked?\(query)", method: .get) { response in
                    #expect(response.status == status, "\(query)")
                    #expect((response.problem?.errors ?? []).map(\.field) == fields, "\(query)")
                }
            }
        }
    }

    /// U+0000 (which PostgreSQL cannot store) and lone surrogates (which are no characters) are 422s wherever they
    /// come, before any handler sees them; an escaped backslash before `u0000` is text, and a pair is one character.
    @Test func textNoServiceCanKeepIsRefused() async throws {
        try await makeApp().test(.router) { client in
            for title in [#"a\u0000b"#, #"\ud800"#, #"\udc00x"#, #"\ud800\u0041"#] {
                try await post(client, #"{"title": "\#(title)", "guests": 2, "location": {"latitude": 1}}"#) { response in
                    #expect(response.status == .unprocessableContent, "\(title)")
                    #expect(response.problem?.errors?.map(\.field) == ["body"])
                }
            }
            for title in [#"a\\u0000b"#, #"\ud83d\ude00"#] {
                try await post(client, #"{"title": "\#(title)", "guests": 2, "location": {"latitude": 1}}"#) { response in
                    #expect(response.status == .created, "\(title)")
                }
            }
            try await client.execute(uri: "/things/checked?size=a%00b", method: .get) { response in
                #expect(response.status == .unprocessableContent)
                #expect(response.problem?.errors?.map(\.field) == ["query"])
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
