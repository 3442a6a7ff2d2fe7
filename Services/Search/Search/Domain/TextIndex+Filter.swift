import Foundation

extension TextIndex {
    /// A request's filters with its names turned into the index's numbers, once per search, tested on documents'
    /// facts; only a slot with more than one seat or within dates needs the document's slots.
    struct Filter {
        private let request: SearchRequest
        private let now: Date
        /// By category number, whether it is asked; nil when any is.
        private let categories: [Bool]?
        private let currency: UInt32?
        private let language: (bit: UInt64, name: String)?
        /// A name asked that no document has.
        private let isUnknown: Bool

        init(_ request: SearchRequest, in index: TextIndex, now: Date) {
            self.request = request
            self.now = now
            let categoryNumbers = request.categories.compactMap { index.categories.number(of: $0) }
            categories = request.categories.isEmpty ? nil : index.categories.all.indices.map { categoryNumbers.contains(UInt32($0)) }
            currency = request.currency.flatMap { index.currencies.number(of: $0) }
            language = request.language.flatMap { name in
                index.languages.number(of: name).map { number in (number < 64 ? UInt64(1) << number : 0, name) }
            }
            isUnknown =
                (!request.categories.isEmpty && categoryNumbers.isEmpty)
                || (request.currency != nil && currency == nil) || (request.language != nil && language == nil)
        }

        /// Whether document `number`, of `facts`, is published and passes every filter, a slot to book included.
        func passes(_ number: Int, _ facts: DocumentFacts, in index: TextIndex) -> Bool {
            guard !isUnknown, facts.isPublished, request.guests <= Int(facts.maxGuests),
                categories.map({ $0[Int(facts.category)] }) ?? true,
                currency.map({ $0 == UInt32(facts.currency) }) ?? true,
                request.minPrice.map({ facts.price >= $0 }) ?? true,
                request.maxPrice.map({ facts.price <= $0 }) ?? true,
                request.minDuration.map({ Int(facts.durationMinutes) >= $0 }) ?? true,
                request.maxDuration.map({ Int(facts.durationMinutes) <= $0 }) ?? true,
                request.minRating.map({ facts.rating >= $0 }) ?? true
            else { return false }
            if let language {
                let has =
                    language.bit != 0
                    ? facts.languages & language.bit != 0
                    : facts.hasOtherLanguages && index.documents[number].languages.contains(language.name)
                guard has else { return false }
            }
            if request.includeUnavailable { return true }
            guard facts.lastStart > now.timeIntervalSinceReferenceDate else { return false }
            // Every slot in the index has a seat: with one guest and no dates, one starting later is enough.
            return request.guests <= 1 && request.from == nil && request.to == nil
                || index.documents[number].nextSlot(for: request, after: now) != nil
        }
    }
}
