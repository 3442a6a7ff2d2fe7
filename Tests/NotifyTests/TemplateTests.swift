import Contracts
import Foundation
import Testing

@testable import Notify

@Suite struct TemplateTests {
    static let templates: Templates = try! Templates.load(from: NotifyAPI.templates)

    static func render(_ type: NotificationType, _ language: String, data: [String: JSONValue]? = nil) -> RenderedMessage? {
        var preferences = Preferences()
        preferences.language = language
        preferences.timeZone = "America/Merida"
        var view = TemplateView.make(data ?? NotificationCatalog.entries[type]!.sample, recipientName: "Ana", preferences: preferences)
        if NotificationCatalog.entries[type]?.digests == true { view = TemplateView.digest([view]) }
        return templates.render(type, language: language, view: view)
    }

    @Test(arguments: Array(NotificationCatalog.entries.keys), ["en", "es"])
    func everyTypeRendersEveryPartInBothLanguages(_ type: NotificationType, _ language: String) throws {
        let message = try #require(Self.render(type, language))
        for part in [message.subject, message.text, message.html, message.short] {
            #expect(!part.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "\(type.rawValue).\(language)")
            #expect(!part.contains("{{"), "\(type.rawValue).\(language)")
        }
        #expect(message.html.hasPrefix("<!doctype html>"))
        #expect(message.html.contains("<title>\(message.subject.replacingOccurrences(of: "'", with: "&#39;"))</title>") || message.subject.contains("&"))
        // Every translation is one: the Spanish text is not the English one.
        if language == "es" { #expect(message.text != Self.render(type, "en")?.text) }
    }

    @Test func amountsAndTimesReadAsPeopleReadThemInTheReadersLanguage() throws {
        let english = try #require(Self.render(.bookingConfirmed, "en"))
        #expect(english.subject == "Booked: Cenote swim near Valladolid")
        #expect(english.text.contains("Total: 2550.00 MXN"))
        // 15:00 UTC is 9:00 in Mérida.
        #expect(english.text.contains("Saturday, December 5, 2026"))
        #expect(english.text.contains("9:00"))
        let spanish = try #require(Self.render(.bookingConfirmed, "es"))
        #expect(spanish.text.contains("sábado"))
        #expect(spanish.text.contains("diciembre"))
    }

    @Test func onlyTheHTMLPartEscapesWhatItShows() throws {
        var data = NotificationCatalog.entries[.bookingConfirmed]!.sample
        data["experienceTitle"] = "Tacos & <b>mezcal</b>"
        let message = try #require(Self.render(.bookingConfirmed, "en", data: data))
        #expect(message.html.contains("Tacos &amp; &lt;b&gt;mezcal&lt;/b&gt;"))
        #expect(!message.html.contains("<b>mezcal"))
        #expect(message.text.contains("Tacos & <b>mezcal</b>"))
        #expect(message.subject == "Booked: Tacos & <b>mezcal</b>")
    }

    @Test func aDigestListsEveryMessageAndCountsThem() throws {
        var preferences = Preferences()
        preferences.language = "en"
        let views = ["Hola", "¿Llegas a las nueve?", "Perfecto"].map { text in
            TemplateView.make(
                ["senderName": "Luis", "experienceTitle": "Cenote swim", "preview": .string(text)], recipientName: "Ana", preferences: preferences)
        }
        let message = try #require(Self.templates.render(.newMessage, language: "en", view: TemplateView.digest(views)))
        #expect(message.subject == "3 new messages")
        #expect(message.text.contains("Hola") && message.text.contains("¿Llegas a las nueve?") && message.text.contains("Perfecto"))
        let single = try #require(Self.templates.render(.newMessage, language: "en", view: TemplateView.digest([views[0]])))
        #expect(single.subject == "New message from Luis")
    }

    @Test func aMailIsMIMEWithBothPartsAndAnEncodedSubject() throws {
        var data = NotificationCatalog.entries[.bookingConfirmed]!.sample
        data["experienceTitle"] = "Nado en cenote, Mérida"
        let message = try #require(Self.render(.bookingConfirmed, "es", data: data))
        let mail = String(
            decoding: MIMEMessage(from: "no-reply@mayago.example", fromName: "MayaGo", to: "ana@mayago.test", message: message, key: "k1", date: Date()).bytes,
            as: UTF8.self)
        #expect(mail.contains("Subject: =?UTF-8?B?\(Data(message.subject.utf8).base64EncodedString())?=\r\n"))
        #expect(mail.contains("Message-ID: <k1@mayago>\r\n"))
        #expect(mail.contains("Content-Type: text/plain; charset=utf-8") && mail.contains("Content-Type: text/html; charset=utf-8"))
        #expect(mail.hasSuffix("--mayago-k1--\r\n"))
        #expect(mail.split(separator: "\r\n").allSatisfy { $0.utf8.count <= 998 })
    }

    @Test func partsAreTrimmedOfTheWhiteSpaceFoundationTrims() {
        let texts = [
            "", " ", "\t\n\r\u{0B}\u{0C}", "  Hi Ana,\n\n", "\u{00A0}Hola\u{3000}", "\u{2028}línea\u{2029}", "\u{85}x\u{1680}",
            "\u{2000}\u{200A}a b\u{202F}\u{205F}", "\u{200B}zero width stays\u{FEFF}", "🌮 ", " e\u{301}", "inside  stays",
        ]
        let everyScalarOfTheBMP = (0...0xFFFF).compactMap(Unicode.Scalar.init).map { "\($0)a\($0)" }
        for text in texts + everyScalarOfTheBMP {
            #expect(text.trimmedOfWhiteSpace == text.trimmingCharacters(in: .whitespacesAndNewlines), "\(text.unicodeScalars.map(\.value))")
        }
    }

    @Test func aMailsDateIsWrittenAsTheFormatterWritesItsSecond() {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        let start = Date(timeIntervalSince1970: 1_796_604_509.25)
        // The same second twice, the next ones, a day and a month on, and one before 1970.
        for offset in [0, 0.5, 0.75, 1, 1.01, 59.9, 86_400, 86_400 * 31.3, -1_796_604_509.25 - 3_600.5] {
            let date = start.addingTimeInterval(offset)
            #expect(MIMEMessage.dateText(date) == formatter.string(from: date), "\(date)")
        }
    }
}
