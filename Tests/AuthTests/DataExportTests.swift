import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOFoundationCompat
import PostgresNIO
import ServiceKit
import TestSupport
import Testing

@testable import Auth

@Suite struct DataExportTests {
    @Test func anExportGathersEveryServicesRecordsAndItsLinkDownloadsItOnce() async throws {
        try await AuthHarness.run { auth in
            let email = AuthHarness.uniqueEmail("ana")
            let ana = try await auth.register(email: email)
            let luis = try await auth.register()
            // While the services do not answer, the export waits for them rather than leaving their part out.
            await auth.mailbox.setExportsDown(true)
            let asked = try await auth.send(.post, "/api/v1/auth/me/exports", token: ana.accessToken)
            #expect(asked.status == .accepted)
            let export = try asked.decode(DataExport.self)
            #expect(export.status == .pending)
            #expect(try await auth.send(.post, "/api/v1/auth/me/exports", token: ana.accessToken).decode(DataExport.self).id == export.id)
            #expect(try await auth.send(.post, "/api/v1/auth/me/exports").status == .unauthorized)
            #expect(try await eventually { try await auth.count("SELECT attempts FROM data_exports WHERE id = \(export.id)") >= 1 })
            let path = "/api/v1/auth/me/exports/\(export.id)"
            #expect(try await auth.send(.get, path, token: ana.accessToken).decode(DataExport.self).status == .pending)
            #expect(try await auth.send(.get, path, token: luis.accessToken).status == .notFound)

            await auth.mailbox.setExportsDown(false)
            auth.clock.advance(by: 3600)
            #expect(try await eventually { try await auth.send(.get, path, token: ana.accessToken).decode(DataExport.self).status == .ready })
            let mail = try #require(await auth.mailbox.latest(.dataExportReady, for: ana.user.id))
            let token = try #require(mail.linkToken)
            guard case .string(let link) = mail.data["link"] else { throw DataExportLinkMissing() }
            #expect(link.hasPrefix("https://mayago.test/api/v1/auth/exports/download?token="))

            let download = "/api/v1/auth/exports/download?token=\(token)"
            let archive = try await auth.send(.get, download)
            #expect(archive.status == .ok)
            #expect(archive.headers[.contentDisposition] == "attachment; filename=\"mayago-data.json\"")
            let json = try archive.json
            let account = try #require(((json["auth"] as? [String: Any])?["account"] as? [[String: Any]])?.first)
            #expect(account["email"] as? String == email)
            #expect(account["password_hash"] == nil)
            for service in AccountExport.services {
                let bookings = (json[service.rawValue] as? [String: Any])?["bookings"] as? [[String: Any]]
                #expect(bookings?.first?["travelerId"] as? String == ana.user.id.uuidString.lowercased(), "\(service)")
            }
            // Once.
            #expect(try await auth.send(.get, download).status == .notFound)
            #expect(try await auth.send(.get, path, token: ana.accessToken).decode(DataExport.self).status == .downloaded)
            #expect(try await auth.send(.get, "/api/v1/auth/exports/download?token=guess").status == .notFound)
            // A day later the archive itself is gone from the store.
            auth.clock.advance(by: 2 * 86_400)
            #expect(try await eventually { try await auth.count("SELECT count(*)::int FROM data_exports WHERE object_key IS NOT NULL") == 0 })
        }
    }
}

struct DataExportLinkMissing: Error {}
