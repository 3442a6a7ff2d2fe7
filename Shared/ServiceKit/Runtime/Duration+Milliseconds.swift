extension Duration {
    /// The duration in (fractional) milliseconds, as logs and metrics report it.
    public var milliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }

    /// The duration in whole nanoseconds, as swift-metrics' timers record it.
    public var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
