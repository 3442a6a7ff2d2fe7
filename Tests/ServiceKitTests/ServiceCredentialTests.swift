import Contracts
import Foundation
import ServiceKit
import Testing

@Suite struct ServiceCredentialTests {
    static let secret = "a-service-secret-of-at-least-32-characters"

    @Test func aCredentialIsCheckedOnceAndHeldOnlyUntilItExpires() async throws {
        let booking = await ServiceCredential(service: .booking, secret: Self.secret)
        let search = await ServiceCredential(service: .search, secret: Self.secret)
        let token = try await booking.token(for: .search)
        #expect(await search.verify(token) == .booking)
        // Again, from what was remembered; and not after it expired, remembered or not.
        #expect(await search.verify(token) == .booking)
        #expect(await search.verify(token, now: .now.addingTimeInterval(301)) == nil)
        let other = try await booking.token(for: .search)
        #expect(other == token)
        let fresh = await ServiceCredential(service: .search, secret: Self.secret)
        #expect(await fresh.verify(token, now: .now.addingTimeInterval(301)) == nil)
    }

    @Test func whatIsRememberedIsTheExactCredential() async throws {
        let booking = await ServiceCredential(service: .booking, secret: Self.secret)
        let search = await ServiceCredential(service: .search, secret: Self.secret)
        let token = try await booking.token(for: .search)
        #expect(await search.verify(token) == .booking)
        var tampered = Array(token.utf8)
        tampered[tampered.count - 2] = tampered[tampered.count - 2] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(await search.verify(String(decoding: tampered, as: UTF8.self)) == nil)
        // Made for another service, or signed with another secret.
        #expect(await search.verify(try await booking.token(for: .payment)) == nil)
        let stranger = await ServiceCredential(service: .booking, secret: String(Self.secret.reversed()))
        #expect(await search.verify(try await stranger.token(for: .search)) == nil)
    }
}
