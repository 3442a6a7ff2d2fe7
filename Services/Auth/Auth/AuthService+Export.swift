import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import ServiceKit

/// Exporting one's data: a job gathers Auth's records and every other service's (``AccountExport``) into one JSON
/// archive in the object store, and mails a link that downloads it once within a week.
extension AuthService {
    static let exportLinkLifetime: TimeInterval = 7 * 86_400

    func requestExport(for user: UserRecord) async throws -> DataExport {
        try await exports.request(for: user.id, at: clock.now())
    }

    func export(_ id: UUID, of user: UserRecord) async throws -> DataExport {
        guard let export = try await exports.find(id, of: user.id) else { throw Problem.notFound("No such export.") }
        return export
    }

    /// Makes the next export due, if any; returns whether there was one. A service that does not answer puts the
    /// export off (later each time) rather than leaving its part out.
    func makeNextExport() async throws -> Bool {
        let now = clock.now()
        guard let (id, userID, attempts) = try await exports.claim(at: now, lease: 600) else { return false }
        do {
            guard let user = try await users.find(id: userID) else { throw Problem.notFound() }
            var archive: [String: JSONValue] = [
                "exportedAt": .string(ISO8601Format.string(now)), "userId": .string(userID.lowercasedString),
                "auth": .object(try await exports.records(of: userID)),
            ]
            for service in AccountExport.services {
                let part = try await internalClient.call(
                    .GET, to: service, path: AccountExport.path(userID), requestID: nil, logger: logger, as: AccountExport.self)
                archive[service.rawValue] = .object(part.records)
            }
            let encoder = JSONEncoder.mayaGo
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let bytes = ByteBuffer(bytes: try encoder.encode(JSONValue.object(archive)))
            let key = "exports/\(userID.lowercasedString)/\(id.lowercasedString).json"
            try await objects.put(key, bytes, contentType: "application/json")
            let expiresAt = now.addingTimeInterval(Self.exportLinkLifetime)
            try await transaction { connection in
                try await exports.markReady(id, key: key, size: bytes.readableBytes, at: clock.now(), expiresAt: expiresAt, on: connection)
                let token = try await oneTimeTokens.issue(
                    .downloadExport, for: userID, at: now, expiresAt: expiresAt, payload: id.lowercasedString, on: connection)
                try await notify(
                    .dataExportReady, user,
                    data: [
                        "link": .string(link("api/v1/auth/exports/download", token: token)),
                        "expiresAt": .string(ISO8601Format.string(expiresAt)),
                    ],
                    key: "data-export:\(id)", on: connection)
            }
            logger.info(
                "Data export ready",
                metadata: ["export": "\(id)", "bytes": "\(bytes.readableBytes)", "ms": "\(Int(clock.now().timeIntervalSince(now) * 1000))"])
        } catch {
            logger.warning("Data export failed", metadata: ["export": "\(id)", "attempt": "\(attempts)", "error": "\(error)"])
            try await exports.retry(id, at: attempts >= 10 ? nil : now.addingTimeInterval(min(pow(2, Double(attempts)) * 5, 3600)), error: "\(error)")
        }
        return true
    }

    /// Spends the mailed link's `token` and gives the archive: its bytes, or where the object store serves them for
    /// five minutes.
    func downloadExport(token: String) async throws -> Response {
        let invalid = Problem.notFound("This link was used already, or has expired.")
        let key = try await transaction { connection -> String in
            guard let (_, payload) = try await oneTimeTokens.redeemPayload(token, purpose: .downloadExport, at: clock.now(), on: connection),
                let id = UUID(uuidString: payload), let key = try await exports.download(id, on: connection)
            else { throw invalid }
            return key
        }
        let headers: HTTPFields = [
            .contentType: "application/json", .contentDisposition: "attachment; filename=\"mayago-data.json\"", .cacheControl: "no-store",
            .xContentTypeOptions: "nosniff",
        ]
        guard let answer = try await objects.answer(key, headers: headers, signedFor: .seconds(300), redirectCaching: "no-store") else { throw invalid }
        return answer
    }

    /// Deletes the archives whose link expired, and those downloaded more than a day ago.
    func sweepExports() async throws {
        let now = clock.now()
        for key in try await exports.sweep(at: now, downloadedBefore: now.addingTimeInterval(-86_400)) { try await objects.delete(key) }
    }
}
