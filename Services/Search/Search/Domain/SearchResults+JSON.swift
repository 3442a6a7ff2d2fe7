import Contracts
import Foundation

extension SearchResults {
    /// These results as `JSONEncoder.mayaGo` writes them, byte for byte (keys sorted, slashes unescaped, ISO 8601
    /// dates, UUIDs in capitals, a nil left out), written straight into bytes: through `Codable`'s encoder they were
    /// an eighth of Search's work under load, more than counting the facets. `SearchResultsJSONTests` holds the two
    /// to the same bytes. Only a number JSON cannot hold differs: `null` here, a thrown error there.
    var json: Data {
        var out = JSONOutput(capacity: 16_384)
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
        out.field("nextCursor", nextCursor)
        out.key("total")
        out.number(total)
        out.close("}")
        return Data(out.bytes)
    }
}

extension JSONOutput {
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
            field("currency", bucket.currency)
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
        field("category", hit.category)
        field("city", hit.city)
        field("country", hit.country)
        if let photo = hit.coverPhoto {
            key("coverPhoto")
            open("{")
            field("id", photo.id)
            field("jpegSrcset", photo.jpegSrcset)
            field("url", photo.url)
            field("webpSrcset", photo.webpSrcset)
            close("}")
        }
        if let distance = hit.distanceKm {
            key("distanceKm")
            number(distance)
        }
        key("durationMinutes")
        number(hit.durationMinutes)
        field("id", hit.id)
        field("nextAvailable", hit.nextAvailable.map(ISO8601Format.string))
        field("price", hit.price)
        key("rating")
        open("{")
        key("average")
        number(hit.rating.average)
        key("count")
        number(hit.rating.count)
        close("}")
        key("score")
        number(hit.score)
        field("snippet", hit.snippet)
        field("title", hit.title)
        close("}")
    }
}
