/// pg_trgm's trigrams, for matching in memory as PostgreSQL would: each word of the text (runs of letters and
/// digits), padded with two blanks before and one after, cut into every run of three characters.
enum Trigrams {
    /// A trigram packed into one number: three Unicode scalars of 21 bits each.
    typealias Trigram = UInt64

    static func of(_ text: String) -> Set<Trigram> {
        var trigrams: Set<Trigram> = []
        for word in text.lowercased().unicodeScalars.split(whereSeparator: { !$0.properties.isAlphabetic && !$0.properties.numericType.isPresent }) {
            let padded = [" ", " "] + Array(word) + [" "] as [Unicode.Scalar]
            for start in 0..<(padded.count - 2) {
                trigrams.insert(UInt64(padded[start].value) << 42 | UInt64(padded[start + 1].value) << 21 | UInt64(padded[start + 2].value))
            }
        }
        return trigrams
    }

    /// pg_trgm's `similarity`: the trigrams two texts share over all they have.
    static func similarity(shared: Int, _ a: Int, _ b: Int) -> Double {
        a + b - shared == 0 ? 0 : Double(shared) / Double(a + b - shared)
    }
}

extension Optional where Wrapped == Unicode.NumericType {
    fileprivate var isPresent: Bool { self != nil }
}
