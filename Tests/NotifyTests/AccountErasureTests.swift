import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import ServiceKit
import TestSupport
import Testing

@testable import Notify

@Suite struct AccountErasureTests {
    @Test func everythingOfAnErasedPersonGoesAndNothingOfOthers() async throws {
        try await NotifyHarness.run { notify in
            let ana = try await notify.user(name: "Ana")
            let luis = try await notify.user(name: "Luis")
            for user in [ana, luis] {
                #expect(
                    try await notify.notify(.bookingConfirmed, to: user.id, data: NotificationCatalog.entries[.bookingConfirmed]!.sample).status == .accepted)
                #expect(
                    try await notify.send(.post, "/api/v1/notifications/devices", ["token": "fcm-\(user.id)", "platform": "android"], as: user).status
                        == .created)
            }
            // Both delivered before the erasure: what is checked of Luis afterwards must have been there to keep.
            #expect(
                try await eventually {
                    try await notify.count("SELECT count(*)::int FROM inbox_entries WHERE user_id IN ('\(ana.id)', '\(luis.id)')") == 2
                })
            let erase = { (caller: ServiceName) in
                try await notify.client.executeRequest(
                    uri: AccountErasure.path, method: .post,
                    headers: [
                        .authorization:
                            "Bearer \(try await ServiceCredential(service: caller, secret: notify.configuration.serviceSecret).token(for: .notify))",
                        .contentType: "application/json",
                    ],
                    body: ByteBuffer(bytes: try JSONEncoder.mayaGo.encode(AccountErasure(userId: ana.id, role: .traveler))))
            }
            let exported = try await notify.client.executeRequest(
                uri: AccountExport.path(ana.id), method: .get,
                headers: [
                    .authorization: "Bearer \(try await ServiceCredential(service: .auth, secret: notify.configuration.serviceSecret).token(for: .notify))"
                ],
                body: ByteBuffer()
            ).decode(AccountExport.self)
            guard case .array(let notifications) = exported.records["notifications"], case .array(let devices) = exported.records["devices"] else {
                Issue.record("\(exported)")
                return
            }
            #expect(notifications.count == 1 && devices.count == 1)

            #expect(try await erase(.booking).status == .forbidden)
            #expect(try await erase(.auth).status == .noContent)
            #expect(try await erase(.auth).status == .noContent)
            for table in ["notifications WHERE recipient_id", "jobs WHERE recipient_id", "inbox_entries WHERE user_id", "devices WHERE user_id"] {
                #expect(try await notify.count("SELECT count(*)::int FROM \(table) = '\(ana.id)'") == 0, "\(table)")
                #expect(try await notify.count("SELECT count(*)::int FROM \(table) = '\(luis.id)'") > 0, "\(table)")
            }
            #expect((try await notify.send(.get, "/api/v1/notifications", as: ana).json["items"] as? [Any])?.isEmpty == true)
        }
    }
}
