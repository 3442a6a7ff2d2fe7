import Foundation

/// What filters, facets and orders read of a document, packed apart from its texts in 48 bytes: a search reads them
/// for tens of thousands of documents, one memory fetch each, its largest cost.
/// (Places live apart: only a search near a point reads them.)
struct DocumentFacts: Sendable {
    var price: Int64
    var rating: Double
    /// When its last open slot with a seat starts (seconds since 2001), or -infinity.
    var lastStart: Double
    /// Bit n: the index's language number n, for the first 64 languages; `hasOtherLanguages` for any after them.
    var languages: UInt64
    var category: UInt32
    var bookings: Int32
    /// ISO 4217 codes are fewer than 65 536; durations end at 10 080 minutes and groups at 100 guests (Booking's
    /// rules), so that clamping never changes what a filter or facet decides.
    var currency: UInt16
    var durationMinutes: UInt16
    var maxGuests: UInt16
    var isPublished: Bool
    var hasOtherLanguages: Bool
}

/// Where a document is, for searches near a point.
struct DocumentPlace: Sendable {
    var latitude: Double
    var longitude: Double
}

/// The values a field takes (categories, currencies, languages), numbered in the order first met, so that documents
/// hold small numbers and facets count in arrays.
struct Names: Sendable {
    private(set) var all: [String] = []
    private var numbers: [String: UInt32] = [:]

    subscript(number: UInt32) -> String { all[Int(number)] }

    func number(of name: String) -> UInt32? { numbers[name] }

    mutating func numbering(_ name: String) -> UInt32 {
        if let number = numbers[name] { return number }
        let number = UInt32(all.count)
        numbers[name] = number
        all.append(name)
        return number
    }
}
