/// What a connection says to the server and how it reads each reply, one step at a time, with no I/O: waiting for
/// the greeting, one command answered by one reply, or a mail's whole transaction (RFC 5321 §3.3), which the
/// connection runs on its event loop from the first command to the last reply.
struct SMTPExchange: Sendable {
    /// What to do after a reply: send the next command, or end with the reply that decides it.
    enum Next: Equatable {
        case send([UInt8])
        case finish(Result<SMTPReply, Refusal>)
    }

    /// A reply that ended a mail: the mail was not accepted.
    struct Refusal: Error, Equatable {
        var reply: SMTPReply
    }

    private enum Step {
        case greeting, command
        case mailFrom, recipient, data, text
        /// Undoing what the server kept of a mail it refused part of, so that the next mail starts clean.
        case reset(SMTPReply)
    }

    private var step: Step
    private var later: [[UInt8]] = []
    /// What is sent first: nothing for the greeting.
    let opening: [UInt8]?

    private init(step: Step, opening: [UInt8]?, later: [[UInt8]] = []) {
        self.step = step
        self.opening = opening
        self.later = later
    }

    /// The server's first words on a new connection.
    static let greeting = SMTPExchange(step: .greeting, opening: nil)

    /// One command (a line without its CRLF); any reply ends it, to be read by the caller.
    static func command(_ line: String) -> SMTPExchange {
        SMTPExchange(step: .command, opening: Array("\(line)\r\n".utf8))
    }

    /// A mail from `sender` to `recipient`: the envelope, then `message` (RFC 5322, lines ending in CRLF) with its
    /// lines that start with a dot doubled and the closing dot after it.
    static func mail(from sender: String, to recipient: String, message: [UInt8]) -> SMTPExchange {
        SMTPExchange(
            step: .mailFrom, opening: Array("MAIL FROM:<\(sender)>\r\n".utf8),
            later: [Array("RCPT TO:<\(recipient)>\r\n".utf8), Array("DATA\r\n".utf8), dataText(message)])
    }

    mutating func next(after reply: SMTPReply) -> Next {
        switch step {
        case .greeting, .command:
            return .finish(.success(reply))
        case .mailFrom, .recipient, .data:
            let expected = if case .data = step { 354 } else { 250 }
            // 251: "not local, will forward", as good as 250 for a recipient.
            guard reply.code == expected || (reply.code == 251 && isRecipient) else {
                step = .reset(reply)
                return .send(Array("RSET\r\n".utf8))
            }
            step =
                switch step {
                case .mailFrom: .recipient
                case .recipient: .data
                default: .text
                }
            return .send(later.removeFirst())
        case .text:
            return .finish(reply.code == 250 ? .success(reply) : .failure(Refusal(reply: reply)))
        case .reset(let refused):
            return .finish(.failure(Refusal(reply: refused)))
        }
    }

    private var isRecipient: Bool {
        if case .recipient = step { true } else { false }
    }

    /// `message` as `DATA` carries it: a line's leading dot doubled (RFC 5321 §4.5.2), a CRLF at the end if it
    /// lacks one, then the line with only a dot.
    static func dataText(_ message: [UInt8]) -> [UInt8] {
        let dot = UInt8(ascii: ".")
        var text: [UInt8] = []
        text.reserveCapacity(message.count + 5)
        var atLineStart = true
        for byte in message {
            if atLineStart && byte == dot { text.append(dot) }
            text.append(byte)
            atLineStart = byte == UInt8(ascii: "\n")
        }
        if !atLineStart { text += Array("\r\n".utf8) }
        text += Array(".\r\n".utf8)
        return text
    }
}
