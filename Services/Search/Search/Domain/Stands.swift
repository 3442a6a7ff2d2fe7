/// Where a lexeme stands in a document, in 8 bytes: up to four positions of 16 bits (PostgreSQL's go to 16 383), 0
/// for none, or all bits set when it stands in more places or in none known (a `tsvector` without positions), which
/// sends a phrase's check to the document's full list.
struct Stands: Equatable, Sendable {
    private var packed: UInt64 = 0

    init() {}

    init(_ positions: [UInt16]) {
        guard (1...4).contains(positions.count) else {
            packed = .max
            return
        }
        for (slot, position) in positions.enumerated() { packed |= UInt64(position) << (16 * slot) }
    }

    var isUnknown: Bool { packed == .max }

    /// The position in `slot` (0 to 3), ascending with the slot; 0 past the last one.
    func position(_ slot: Int) -> UInt16 {
        UInt16(truncatingIfNeeded: packed >> (16 * slot))
    }

    func contains(_ position: UInt16) -> Bool {
        (0..<4).contains { self.position($0) == position }
    }
}
