import Contracts
import Foundation

/// What a template sees: the notification's data as Mustache reads it, with every amount (`{amount, currency}`)
/// given a `text` as people read it and every time (a key ending in `At`) a `…Text` twin in the reader's language
/// and the event's time zone (the experience's when the data names one, else the reader's).
enum TemplateView {
    static func make(_ data: [String: JSONValue], recipientName: String, preferences: Preferences) -> [String: Any] {
        let zone =
            data["timeZone"].flatMap { if case .string(let id) = $0 { TimeZone(identifier: id) } else { nil } }
            ?? TimeZone(identifier: preferences.timeZone) ?? .gmt
        var view = convert(.object(data), language: preferences.language, zone: zone) as? [String: Any] ?? [:]
        view["recipientName"] = recipientName
        return view
    }

    /// Several notices of one type as one: `messages` lists each one's view, `count` says how many.
    static func digest(_ views: [[String: Any]]) -> [String: Any] {
        var view = views.first ?? [:]
        view["messages"] = views
        view["count"] = views.count
        view["isDigest"] = views.count > 1
        return view
    }

    private static func convert(_ value: JSONValue, language: String, zone: TimeZone) -> Any {
        switch value {
        case .object(let object):
            if case .number(let amount)? = object["amount"], case .string(let currency)? = object["currency"] {
                return ["amount": Int64(amount), "currency": currency, "text": Money(amount: Int64(amount), currency: currency).formatted]
            }
            var converted: [String: Any] = [:]
            for (key, item) in object {
                converted[key] = convert(item, language: language, zone: zone)
                if key.hasSuffix("At"), case .string(let text) = item, let date = ISO8601Format.parse(text) {
                    converted[key + "Text"] = format(date, language: language, zone: zone)
                }
            }
            return converted
        case .array(let items): return items.map { convert($0, language: language, zone: zone) }
        case .string(let text): return text
        case .number(let number): return number.rounded() == number && abs(number) < 1e15 ? Int64(number) as Any : number
        case .bool(let flag): return flag
        case .null: return ""
        }
    }

    static func format(_ date: Date, language: String, zone: TimeZone) -> String {
        let locale = Locale(identifier: language == "es" ? "es_MX" : "en_US")
        return date.formatted(Date.FormatStyle(date: .complete, time: .shortened, locale: locale, timeZone: zone))
    }
}
