import Contracts
import Foundation
import NIOPosix

/// The development provider of every channel: each message becomes a JSON file in a folder, which
/// `GET /api/v1/dev/mailbox` lists, so that a new user of the demo can open their verification link.
struct MailboxSender: Sender {
    struct Letter: Codable, Sendable {
        var id: String
        var channel: String
        var to: String
        var subject: String
        var text: String
        var html: String
        var short: String
        var sentAt: Date
    }

    let folder: URL
    let channel: Channel
    var name: String { "mailbox" }

    func send(_ message: RenderedMessage, to address: String, key: String) async throws -> String {
        let letter = Letter(
            id: key, channel: channel.rawValue, to: address, subject: message.subject, text: message.text, html: message.html, short: message.short,
            sentAt: Date()
        )
        let data = try JSONEncoder.mayaGo.encode(letter)
        let file = folder.appendingPathComponent("\(key)-\(channel.rawValue).json")
        try await NIOThreadPool.singleton.runIfActive {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try data.write(to: file, options: .atomic)
        }
        return file.lastPathComponent
    }

    /// The newest `limit` letters of `folder`.
    static func letters(in folder: URL, limit: Int) async throws -> [Letter] {
        try await NIOThreadPool.singleton.runIfActive {
            let files = (try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? []
            let letters = files.filter { $0.pathExtension == "json" }.compactMap { file in
                (try? Data(contentsOf: file)).flatMap { try? JSONDecoder.mayaGo.decode(Letter.self, from: $0) }
            }
            return Array(letters.sorted { $0.sentAt > $1.sentAt }.prefix(limit))
        }
    }
}
