import Testing

@testable import Notify

/// The SMTP dialogue's rules, with no server: what is said after each reply, and which reply decides.
@Suite struct SMTPExchangeTests {
    @Test func aMailSaysItsEnvelopeThenItsTextAndEndsOnTheLastReply() {
        var mail = SMTPExchange.mail(from: "no-reply@mayago.example", to: "ana@mayago.test", message: Array("Subject: Hi\r\n\r\nHello.\r\n".utf8))
        #expect(mail.opening.map(Self.text) == "MAIL FROM:<no-reply@mayago.example>\r\n")
        #expect(mail.next(after: Self.reply(250)) == .send(Array("RCPT TO:<ana@mayago.test>\r\n".utf8)))
        #expect(mail.next(after: Self.reply(251)) == .send(Array("DATA\r\n".utf8)))
        #expect(mail.next(after: Self.reply(354)) == .send(Array("Subject: Hi\r\n\r\nHello.\r\n.\r\n".utf8)))
        #expect(mail.next(after: Self.reply(250)) == .finish(.success(Self.reply(250))))
    }

    /// A refused step is undone with `RSET` before the mail fails with the refusal, so that the connection's
    /// next mail starts clean.
    @Test(arguments: [(1, 550), (2, 451), (3, 554)])
    func aRefusedStepIsResetAndDecidesTheMail(step: Int, code: Int) {
        var mail = SMTPExchange.mail(from: "a@mayago.example", to: "b@mayago.test", message: [])
        let accepted = [250, 250, 354]
        for number in 1..<step { _ = mail.next(after: Self.reply(accepted[number - 1])) }
        #expect(mail.next(after: Self.reply(code)) == .send(Array("RSET\r\n".utf8)))
        #expect(mail.next(after: Self.reply(250)) == .finish(.failure(.init(reply: Self.reply(code)))))
    }

    @Test func aMailRefusedAfterItsTextIsDoneWithoutAReset() {
        var mail = SMTPExchange.mail(from: "a@mayago.example", to: "b@mayago.test", message: [])
        for code in [250, 250, 354] { _ = mail.next(after: Self.reply(code)) }
        #expect(mail.next(after: Self.reply(552)) == .finish(.failure(.init(reply: Self.reply(552)))))
    }

    @Test func anyReplyEndsACommand() {
        var command = SMTPExchange.command("EHLO mayago")
        #expect(command.opening.map(Self.text) == "EHLO mayago\r\n")
        #expect(command.next(after: Self.reply(502)) == .finish(.success(Self.reply(502))))
        var greeting = SMTPExchange.greeting
        #expect(greeting.opening == nil)
        #expect(greeting.next(after: Self.reply(220)) == .finish(.success(Self.reply(220))))
    }

    /// A line that starts with a dot gets another, so that none ends the text early; the text gets its last CRLF.
    @Test func theTextsLeadingDotsAreDoubledAndItEndsWithALoneDot() {
        #expect(Self.text(SMTPExchange.dataText(Array(".\r\nA line\r\n..two\r\nend".utf8))) == "..\r\nA line\r\n...two\r\nend\r\n.\r\n")
        #expect(Self.text(SMTPExchange.dataText([])) == ".\r\n")
        #expect(Self.text(SMTPExchange.dataText(Array("a.b\r\n".utf8))) == "a.b\r\n.\r\n")
    }

    @Test func replyLinesAreReadAndAnEHLOsExtensionsListed() throws {
        let first = try #require(SMTPReply.line(Array("250-mail.example greets you".utf8)))
        #expect(first.code == 250 && first.more && first.text == "mail.example greets you")
        let last = try #require(SMTPReply.line(Array("250 AUTH PLAIN login".utf8)))
        #expect(last.code == 250 && !last.more && last.text == "AUTH PLAIN login")
        #expect(SMTPReply.line(Array("354".utf8))?.code == 354)
        for wrong in ["25", "2x0 no", "250_text", "HTTP/1.1 200 OK"] { #expect(SMTPReply.line(Array(wrong.utf8)) == nil, "\(wrong)") }
        let hello = SMTPReply(code: 250, lines: ["mail.example", "STARTTLS", "AUTH PLAIN login", "SIZE 1000"])
        #expect(hello.extensions == ["STARTTLS": [], "AUTH": ["PLAIN", "LOGIN"], "SIZE": ["1000"]])
    }

    static func reply(_ code: Int) -> SMTPReply { SMTPReply(code: code, lines: ["ok"]) }

    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
}
