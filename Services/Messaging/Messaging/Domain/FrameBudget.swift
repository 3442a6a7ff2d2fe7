import Foundation

/// How many frames a socket may send: a bucket of `burst` frames that refills at `perMinute`, so that a person
/// typing and sending in bursts is never stopped and a script flooding the socket is.
struct FrameBudget: Sendable, Equatable {
    let perMinute: Int
    let burst: Int
    private var tokens: Double
    private var updatedAt: Date?

    init(perMinute: Int, burst: Int) {
        self.perMinute = perMinute
        self.burst = burst
        tokens = Double(burst)
    }

    /// Takes one frame from the budget at `now`; `false` when it is spent.
    mutating func take(at now: Date) -> Bool {
        if let updatedAt {
            tokens = min(Double(burst), tokens + now.timeIntervalSince(updatedAt) * Double(perMinute) / 60)
        }
        updatedAt = now
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
