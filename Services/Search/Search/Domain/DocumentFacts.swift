import Foundation

/// What filters, facets and orders read of a document, packed apart from its texts: a search visits tens of thousands
/// of documents, and fetching each whole document (and its languages' array) from memory cost more than all the rest.
struct DocumentFacts: Sendable {
    var price: Int64
    var latitude: Double
    var longitude: Double
    var rating: Double
    var bookings: Int
    /// When its last open slot with a seat starts (seconds since 2001), or -infinity.
    var lastStart: Double
    /// Bit n: the index's language number n, for the first 64 languages; `hasOtherLanguages` for any after them.
    var languages: UInt64
    var category: UInt32
    var currency: UInt32
    var durationMinutes: Int32
    var maxGuests: Int32
    var isPublished: Bool
    var hasOtherLanguages: Bool
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
