import Contracts
import Foundation
import Hummingbird
import HummingbirdCore
import ServiceKit

/// `GET /api/v1/search`'s parameters, checked: a 400 names every parameter that is wrong.
struct SearchRequest: Sendable, Equatable {
    enum Sort: String, CaseIterable, Sendable {
        case relevance, price, rating, distance, popularity
        case priceDescending = "-price"
    }

    var text: QueryText
    var latitude: Double?
    var longitude: Double?
    var radiusKm: Double?
    var categories: [String]
    var minPrice: Int64?
    var maxPrice: Int64?
    var currency: String?
    var minDuration: Int?
    var maxDuration: Int?
    /// Slots starting in [from, to) with `guests` seats.
    var from: Date?
    var to: Date?
    var guests: Int
    var language: String?
    var minRating: Double?
    var sort: Sort
    var limit: Int
    var offset: Int
    /// Also experiences with no slot to book (`available=any`).
    var includeUnavailable: Bool

    init(_ query: FlatDictionary<Substring, Substring>) throws {
        var validator = Validator()
        func number<Value: LosslessStringConvertible & Comparable>(_ name: String, _ range: ClosedRange<Value>) -> Value? {
            guard let text = query.get(name) else { return nil }
            guard let value = Value(text), range.contains(value) else {
                validator.check(false, name, "must be a number from \(range.lowerBound) to \(range.upperBound)")
                return nil
            }
            return value
        }
        text = QueryText(query.get("q") ?? "")
        validator.check((query.get("q") ?? "").unicodeScalars.count <= 200, "q", "must be at most 200 characters")
        latitude = number("lat", -90.0...90.0)
        longitude = number("lng", -180.0...180.0)
        radiusKm = number("radiusKm", 0.1...20_000.0)
        validator.rule((latitude == nil) == (longitude == nil), latitude == nil ? "lat" : "lng", "needs both lat and lng")
        if radiusKm != nil { validator.rule(latitude != nil && longitude != nil, "radiusKm", "needs a point: lat and lng") }
        categories = query.getAll("category").map { $0.lowercased() }
        minPrice = number("minPrice", Int64(0)...Int64(1_000_000_000_000))
        maxPrice = number("maxPrice", Int64(0)...Int64(1_000_000_000_000))
        currency = query.get("currency")
        if let currency { validator.check(Money.isCurrencyCode(currency), "currency", "must be an ISO 4217 code such as MXN") }
        if minPrice != nil || maxPrice != nil { validator.rule(currency != nil, "currency", "is needed with minPrice or maxPrice") }
        if let minPrice, let maxPrice { validator.rule(minPrice <= maxPrice, "minPrice", "must not be above maxPrice") }
        minDuration = number("minDuration", 0...10_080)
        maxDuration = number("maxDuration", 0...10_080)
        if let minDuration, let maxDuration { validator.rule(minDuration <= maxDuration, "minDuration", "must not be above maxDuration") }
        from = nil
        to = nil
        if let day = query.get("date") {
            validator.rule(query.get("from") == nil && query.get("to") == nil, "date", "cannot be combined with from and to")
            if let start = Self.day(day) {
                (from, to) = (start, start.addingTimeInterval(86_400))
            } else {
                validator.check(false, "date", "must be a date YYYY-MM-DD")
            }
        }
        for name in ["from", "to"] {
            guard let text = query.get(name) else { continue }
            guard let date = Self.day(text) ?? ISO8601Format.parse(text) else {
                validator.check(false, name, "must be a date YYYY-MM-DD or a date-time")
                continue
            }
            if name == "from" { from = date } else { to = date }
        }
        if let from, let to { validator.rule(from < to, "from", "must be before to") }
        guests = number("guests", 1...1000) ?? 1
        language = query.get("language")?.lowercased()
        minRating = number("minRating", 0.0...5.0)
        let sortText = query.get("sort") ?? (text.isEmpty ? "popularity" : "relevance")
        sort = Sort(rawValue: sortText) ?? .relevance
        validator.check(Sort(rawValue: sortText) != nil, "sort", "must be one of relevance, price, -price, rating, distance, popularity")
        if sort == .distance { validator.rule(latitude != nil, "sort", "distance needs a point: lat and lng") }
        limit = number("limit", 1...100) ?? 20
        offset = 0
        if let cursor = query.get("cursor") {
            let decoded = Data(base64Encoded: cursor).flatMap { String(data: $0, encoding: .utf8) }
            if let decoded, decoded.hasPrefix("o:"), let value = Int(decoded.dropFirst(2)), value >= 0 {
                offset = value
            } else {
                validator.rule(false, "cursor", "must be a cursor from a previous page")
            }
        }
        let available = query.get("available") ?? "only"
        validator.check(["only", "any"].contains(available), "available", "must be only or any")
        includeUnavailable = available == "any"
        try validator.validate()
    }

    /// The cursor of the page after this one.
    var nextCursor: String {
        Data("o:\(offset + limit)".utf8).base64EncodedString()
    }

    /// `YYYY-MM-DD` as the start of that day in UTC.
    static func day(_ text: String) -> Date? {
        guard text.count == 10 else { return nil }
        return ISO8601Format.parse(text + "T00:00:00Z")
    }
}
