import Foundation
import TestSupport

/// Python's aiosmtpd on a free port, keeping what it receives in a fresh Maildir, while `body` runs; stopped after
/// it whether it throws or not, and returned so that what it logged can be read once it has all been written.
/// `arguments`: Python's, given the port and the Maildir (aiosmtpd's command line, or a script of one's own).
@discardableResult
func withSMTPServer(
    arguments: (_ port: Int, _ maildir: URL) -> [String], during body: (_ port: Int, _ maildir: URL, _ server: ChildProcess) async throws -> Void
) async throws -> ChildProcess {
    let port = try TestEnvironment.freePort()
    let maildir = FileManager.default.temporaryDirectory.appendingPathComponent("mayago-maildir-\(UUID().uuidString.prefix(8))")
    defer { try? FileManager.default.removeItem(at: maildir) }
    let server = try ChildProcess("/usr/bin/python3", arguments: arguments(port, maildir), name: "aiosmtpd")
    do {
        try await body(port, maildir, server)
        await server.stop()
    } catch {
        await server.stop()
        throw error
    }
    return server
}
