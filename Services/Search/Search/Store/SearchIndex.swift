import Contracts
import Foundation

/// Searches this instance's index: the query's words made ready by PostgreSQL's dictionaries and lexicon (what was
/// asked before is remembered), matched, filtered, counted and ordered in memory, and the page's descriptions cut
/// around the matched words.
struct SearchIndex: Sendable {
    let follower: IndexFollower
    let words: Words

    func search(_ request: SearchRequest, now: Date) async throws -> SearchResults {
        let text = try await words.query(for: request.text)
        let (found, documents) = try await follower.read { index in
            let found = index.search(request, text: text, now: now)
            return (found, found.page.map { index.documents[$0.document] })
        }
        // The descriptions cut around the words the query matched, which their stems say.
        let snippets = text.isEmpty ? [] : try await words.highlighting(documents.map { Snippet($0.description) }, with: TextQuery.Marks(text))
        let items = found.page.indices.map { number in
            let hit = found.page[number]
            let document = documents[number]
            return SearchHit(
                id: document.id, title: document.title,
                snippet: text.isEmpty
                    ? Snippet.opening(document.description) : snippets[number],
                category: document.category, city: document.city, country: document.country, price: document.price,
                durationMinutes: document.durationMinutes, rating: document.rating,
                distanceKm: hit.distanceKm.map { ($0 * 100).rounded() / 100 }, nextAvailable: document.nextSlot(for: request, after: now),
                score: (Double(hit.score) * 10_000).rounded() / 10_000, coverPhoto: document.coverPhotoId.map { PhotoLinks(experienceID: document.id, id: $0) }
            )
        }
        let more = request.offset + items.count < found.total
        return SearchResults(items: items, facets: found.facets, total: found.total, nextCursor: more ? request.nextCursor : nil)
    }
}
