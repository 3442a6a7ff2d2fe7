import Booking
import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import ServiceKit
import TestSupport
import Testing

@Suite struct BookingServiceTests {
    @Test func answersHealthReadyAndMetrics() async throws {
        let readiness = try await ServiceProbes.checkHealthReadyAndMetrics(.booking) { try await buildApplication(configuration: $0) }
        #expect(readiness == Readiness(status: .ok, checks: ["postgres": "ok", "signing keys": "ok"]))
    }

    @Test func isNotReadyWhileItsDatabaseIsUnreachable() async throws {
        let readiness = try await ServiceProbes.checkNotReadyWithoutDatabase(.booking) { try await buildApplication(configuration: $0) }
        #expect(readiness?.status == .unavailable)
        #expect(readiness?.checks["postgres"]?.hasPrefix("ok") == false)
    }
}

@Suite struct BookingDocumentTests {
    @Test func theOpenAPIDocumentNamesTheContractAndEveryReferenceResolves() async throws {
        try await BookingHarness.run { booking in
            let document = try await booking.send(.get, "/openapi.json").decode(JSONValue.self)
            let paths = OpenAPIDocument.paths(of: document)
            for path in [
                "/api/v1/experiences", "/api/v1/experiences/{id}/availability", "/api/v1/bookings", "/api/v1/bookings/{id}/cancel",
                "/api/v1/experiences/{id}/reviews",
            ] {
                #expect(paths.contains(path), "\(path)")
            }
            #expect(OpenAPIDocument.unresolvedReferences(in: document) == [])
            #expect(OpenAPIDocument.optionalFieldsRefusingNull(in: document) == [])
        }
    }

    /// A method the document does not declare on one of its paths is a 405 naming the ones it does.
    @Test func undeclaredMethodsAreNotAllowed() async throws {
        try await BookingHarness.run { booking in
            let traveler = try await BookingHarness.user(.traveler)
            for (method, path, allow) in [
                (HTTPRequest.Method.put, "/api/v1/bookings", "GET, HEAD, POST"), (.trace, "/api/v1/experiences/\(UUID())", "GET, HEAD, PATCH"),
                (HTTPRequest.Method("QUERY")!, "/api/v1/bookings", "GET, HEAD, POST"),
            ] {
                let answer = try await booking.send(method, path, as: traveler)
                #expect(answer.status == .methodNotAllowed, "\(method) \(path)")
                #expect(answer.headers[.allow] == allow)
            }
            #expect(try await booking.send(.get, "/api/v1/bookings", as: traveler).status == .ok)
        }
    }
}
