/// Where a lexeme stands in a document, in 8 bytes: its first four positions in 15 bits each (PostgreSQL's go to
/// 16 383), 0 for none; the last slot's top bit set when it stands in more places; or all bits set when no position is
/// known (a `tsvector` without them). Only what is kept here can be trusted to be missing: beyond it a phrase's check
/// reads the document's full list.
struct Stands: Equatable, Sendable {
    private var packed: UInt64 = 0

    init() {}

    init(_ positions: [UInt16]) {
        guard !positions.isEmpty else {
            packed = .max
            return
        }
        for (slot, position) in positions.prefix(4).enumerated() { packed |= UInt64(position & 0x7FFF) << (16 * slot) }
        if positions.count > 4 { packed |= 1 << 63 }
    }

    var isUnknown: Bool { packed == .max }

    /// Whether it stands in places beyond the four kept.
    var hasMore: Bool { !isUnknown && packed >> 63 == 1 }

    /// The position in `slot` (0 to 3), ascending with the slot; 0 past the last one.
    func position(_ slot: Int) -> UInt16 {
        UInt16(truncatingIfNeeded: packed >> (16 * slot)) & 0x7FFF
    }

    /// Whether `position` is one of the four kept.
    func contains(_ position: UInt16) -> Bool {
        (0..<4).contains { self.position($0) == position }
    }
}
