/// The platform's commission and the provider's share of an amount in minor units. The commission rounds half
/// up to the minor unit and the provider gets the rest, so the two always add up to the whole.
struct Split: Codable, Sendable, Equatable {
    var provider: Int64
    var platform: Int64

    /// `basisPoints` of `amount` to the platform (1500 is 15 %).
    init(_ amount: Int64, commissionBasisPoints basisPoints: Int) {
        platform = (amount * Int64(basisPoints) + 5000) / 10_000
        provider = amount - platform
    }

    init(provider: Int64, platform: Int64) {
        self.provider = provider
        self.platform = platform
    }
}
