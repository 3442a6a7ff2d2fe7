import Contracts
import Foundation

extension SearchResults {
    /// These results as `JSONEncoder.mayaGo` writes them, byte for byte (keys sorted, slashes unescaped, ISO 8601
    /// dates, UUIDs in capitals, a nil left out), written straight into bytes: through `Codable`'s encoder they were
    /// an eighth of Search's work under load, more than counting the facets. `SearchResultsJSONTests` holds the two
    /// to the same bytes. Only a number JSON cannot hold differs: `null` here, a thrown error there.
    var json: Data {
        var out = JSONOutput()
        out.open("{")
        out.key("facets")
        out.facets(facets)
        out.key("items")
        out.open("[")
        for hit in items {
            out.element()
            out.hit(hit)
        }
        out.close("]")
        if let nextCursor {
            out.key("nextCursor")
            out.string(nextCursor)
        }
        out.key("total")
        out.number(total)
        out.close("}")
        return Data(out.bytes)
    }
}

/// JSON written in order into bytes; the writer gives each object's keys sorted.
private struct JSONOutput {
    private(set) var bytes: [UInt8] = []
    /// For each open object or array, whether its next key or element is its first (no comma before it).
    private var first: [Bool] = []

    init() {
        bytes.reserveCapacity(16_384)
    }

    mutating func open(_ bracket: Unicode.Scalar) {
        bytes.append(UInt8(ascii: bracket))
        first.append(true)
    }

    mutating func close(_ bracket: Unicode.Scalar) {
        first.removeLast()
        bytes.append(UInt8(ascii: bracket))
    }

    /// Before each element of the innermost open array.
    mutating func element() {
        if first[first.count - 1] { first[first.count - 1] = false } else { bytes.append(UInt8(ascii: ",")) }
    }

    /// A key of the innermost open object.
    mutating func key(_ name: String) {
        element()
        string(name)
        bytes.append(UInt8(ascii: ":"))
    }

    /// Escaped as Foundation escapes: the quote, the backslash and control characters; the rest as UTF-8, copied a
    /// run at a time between the bytes to escape.
    mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var run = 0
            for (index, byte) in utf8.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                bytes += utf8[run..<index]
                switch byte {
                case 0x08: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "b")]
                case 0x0C: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "f")]
                case 0x0A: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
                case 0x0D: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
                case 0x09: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
                case 0..<0x20: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "u"), 0x30, 0x30, Self.hex[Int(byte >> 4)], Self.hex[Int(byte & 0xF)]]
                default: bytes += [UInt8(ascii: "\\"), byte]
                }
                run = index + 1
            }
            bytes += utf8[run...]
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static let hex = Array("0123456789abcdef".utf8)

    mutating func number(_ value: some BinaryInteger) {
        bytes += String(value).utf8
    }

    /// A whole number without its `.0`, as Foundation writes it; `null` for what JSON has no number for (NaN, an
    /// infinity), where the encoder would have failed the whole answer.
    mutating func number(_ value: Double) {
        if !value.isFinite {
            bytes += "null".utf8
        } else if value.rounded() == value, abs(value) < 1e15 {
            number(Int64(value))
        } else {
            bytes += value.description.utf8
        }
    }

    /// Keys in the order `JSONEncoder`'s `.sortedKeys` gives them: the strings' own.
    mutating func counts(_ counts: [String: Int]) {
        open("{")
        for (name, count) in counts.sorted(by: { $0.key < $1.key }) {
            key(name)
            number(count)
        }
        close("}")
    }

    mutating func facets(_ facets: Facets) {
        open("{")
        key("category")
        counts(facets.category)
        key("duration")
        open("[")
        for bucket in facets.duration {
            element()
            open("{")
            key("count")
            number(bucket.count)
            key("from")
            number(bucket.from)
            if let to = bucket.to {
                key("to")
                number(to)
            }
            close("}")
        }
        close("]")
        key("language")
        counts(facets.language)
        key("priceRange")
        open("[")
        for bucket in facets.priceRange {
            element()
            open("{")
            key("count")
            number(bucket.count)
            key("currency")
            string(bucket.currency)
            key("from")
            number(bucket.from)
            key("to")
            number(bucket.to)
            close("}")
        }
        close("]")
        close("}")
    }

    mutating func hit(_ hit: SearchHit) {
        open("{")
        key("category")
        string(hit.category)
        key("city")
        string(hit.city)
        key("country")
        string(hit.country)
        if let photo = hit.coverPhoto {
            key("coverPhoto")
            open("{")
            key("id")
            string(photo.id.uuidString)
            key("jpegSrcset")
            string(photo.jpegSrcset)
            key("url")
            string(photo.url)
            key("webpSrcset")
            string(photo.webpSrcset)
            close("}")
        }
        if let distance = hit.distanceKm {
            key("distanceKm")
            number(distance)
        }
        key("durationMinutes")
        number(hit.durationMinutes)
        key("id")
        string(hit.id.uuidString)
        if let next = hit.nextAvailable {
            key("nextAvailable")
            string(ISO8601Format.string(next))
        }
        key("price")
        open("{")
        key("amount")
        number(hit.price.amount)
        key("currency")
        string(hit.price.currency)
        close("}")
        key("rating")
        open("{")
        key("average")
        number(hit.rating.average)
        key("count")
        number(hit.rating.count)
        close("}")
        key("score")
        number(hit.score)
        key("snippet")
        string(hit.snippet)
        key("title")
        string(hit.title)
        close("}")
    }
}
