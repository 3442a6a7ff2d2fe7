import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import ServiceKit
import TestSupport
import Testing

@testable import Auth

@Suite struct ContactTests {
    @Test func notifyAsksForSeveralContactsAtOnceAndGetsThoseAuthKnows() async throws {
        try await AuthHarness.run { auth in
            let ana = try await auth.register(name: "Ana Pérez", role: .traveler)
            let luis = try await auth.register(name: "Luis Canul", role: .provider)
            let unknown = UUID()
            let asked = try await auth.sendInternal(
                .post, UserContacts.Request.path, ["ids": [ana.user.id, unknown, luis.user.id, ana.user.id].map(\.uuidString)], as: .notify)
            #expect(asked.status == .ok, "\(asked.text)")
            let contacts = try asked.decode(UserContacts.self).contacts.sorted { $0.name < $1.name }
            #expect(contacts.map(\.id) == [ana.user.id, luis.user.id])
            #expect(contacts.map(\.role) == [.traveler, .provider])
            // Each as the single lookup answers it.
            for contact in contacts {
                #expect(try await auth.sendInternal(.get, UserContact.path(contact.id), as: .notify).decode(UserContact.self) == contact)
            }
            #expect(try await auth.sendInternal(.post, UserContacts.Request.path, ["ids": [String]()], as: .notify).decode(UserContacts.self).contacts == [])

            let tooMany = try await auth.sendInternal(
                .post, UserContacts.Request.path, ["ids": (0...UserContacts.Request.maximumIDs).map { _ in UUID().uuidString }], as: .notify)
            #expect(tooMany.status == .badRequest)
            #expect(tooMany.problem?.errors?.map(\.field) == ["ids"])
            let notAnID = try await auth.sendInternal(.post, UserContacts.Request.path, ["ids": ["ana"]], as: .notify)
            #expect(notAnID.status == .badRequest)
            // Only the services that write to people may ask.
            let booking = try await auth.sendInternal(.post, UserContacts.Request.path, ["ids": [ana.user.id.uuidString]], as: .booking)
            #expect(booking.status == .forbidden)
        }
    }
}
