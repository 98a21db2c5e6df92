/// Spreads refresh times so that objects created together are not refreshed together.
public enum Jitter {
    /// `duration` moved by up to `±fraction` of itself (default ±10%).
    ///
    /// `random` returns a value in `0...1`: 0 gives `duration * (1 - fraction)`, 0.5 gives
    /// `duration`, 1 gives `duration * (1 + fraction)`. Inject a fixed source in tests.
    /// Never returns a negative duration.
    public static func apply(
        _ duration: Duration,
        fraction: Double = 0.1,
        random: () -> Double = { Double.random(in: 0...1) }
    ) -> Duration {
        let unit = min(max(random(), 0), 1)
        let factor = 1 + fraction * (2 * unit - 1)
        guard factor > 0, duration > .zero else { return factor > 0 ? duration : .zero }
        // Rounded to whole nanoseconds (Double seconds carry float noise such as 110.00000000000001 s).
        let nanoseconds = (duration.timeInterval * factor * 1e9).rounded()
        guard nanoseconds < 9.2e18 else { return .seconds(duration.timeInterval * factor) }
        return .nanoseconds(Int64(nanoseconds))
    }

    /// As `apply(_:fraction:random:)`, drawing from `generator`.
    public static func apply(
        _ duration: Duration,
        fraction: Double = 0.1,
        using generator: inout some RandomNumberGenerator
    ) -> Duration {
        let unit = Double.random(in: 0...1, using: &generator)
        return apply(duration, fraction: fraction, random: { unit })
    }
}
