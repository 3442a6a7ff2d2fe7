import Foundation
import Synchronization

/// An email as SMTP carries it (RFC 5322 with MIME): a text and an HTML alternative, both UTF-8 in base64, and
/// a subject in an RFC 2047 encoded word, so that any language goes through any server unharmed.
struct MIMEMessage {
    var from: String
    var fromName: String
    var to: String
    var message: RenderedMessage
    /// Becomes the Message-ID, so that a repeated delivery is recognisable as the same mail.
    var key: String
    var date: Date

    var bytes: [UInt8] {
        let boundary = "mayago-\(key)"
        let lines = [
            "From: \(Self.encodedWord(fromName)) <\(from)>",
            "To: <\(to)>",
            "Subject: \(Self.encodedWord(message.subject))",
            "Date: \(Self.dateText(date))",
            "Message-ID: <\(key)@mayago>",
            "MIME-Version: 1.0",
            "Content-Type: multipart/alternative; boundary=\"\(boundary)\"",
            "",
            "--\(boundary)",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: base64",
            "",
            Self.base64Lines(message.text),
            "--\(boundary)",
            "Content-Type: text/html; charset=utf-8",
            "Content-Transfer-Encoding: base64",
            "",
            Self.base64Lines(message.html),
            "--\(boundary)--",
            "",
        ]
        return Array(lines.joined(separator: "\r\n").utf8)
    }

    static func encodedWord(_ text: String) -> String {
        text.allSatisfy { $0.isASCII && !$0.isNewline } ? text : "=?UTF-8?B?\(Data(text.utf8).base64EncodedString())?="
    }

    private static func base64Lines(_ text: String) -> String {
        Data(text.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
    }

    /// `date` as the header writes it. A worker's mails share their second: formatting each (ICU) was 1.7 % of
    /// Notify's CPU under bench/notify, so the last second's text is kept.
    static func dateText(_ date: Date) -> String {
        let second = Int64(date.timeIntervalSince1970.rounded(.down))
        return lastDate.withLock { last in
            if last.second != second { last = (second, dateFormatter.string(from: Date(timeIntervalSince1970: Double(second)))) }
            return last.text
        }
    }

    private static let lastDate = Mutex<(second: Int64, text: String)>((.min, ""))

    private static let dateFormatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter
    }()
}
