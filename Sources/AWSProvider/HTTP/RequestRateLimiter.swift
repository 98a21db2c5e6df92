/// A token bucket: at most `rate` requests a second on average, bursts up to `burst`.
/// Callers reserve a slot and wait outside the actor, in arrival order.
actor RequestRateLimiter {
    private let rate: Double
    private let burst: Double
    private var tokens: Double
    private var last: ContinuousClock.Instant

    init(ratePerSecond: Double, burst: Int) {
        self.rate = max(0.001, ratePerSecond)
        self.burst = Double(max(1, burst))
        self.tokens = Double(max(1, burst))
        self.last = .now
    }

    /// How long the caller must wait before its request (a slot is taken either way).
    func reserve() -> Duration {
        let now = ContinuousClock.now
        let elapsed = now - last
        last = now
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        tokens = min(burst, tokens + seconds * rate)
        tokens -= 1
        if tokens >= 0 { return .zero }
        return .nanoseconds(Int64(-tokens / rate * 1e9))
    }

    /// Holds every caller back for about `delay` (AWS throttled the store): the bucket is
    /// emptied so that the next slots come only after it.
    func pause(for delay: Duration) {
        let seconds = Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18
        tokens = min(tokens, -seconds * rate)
    }

    /// Waits for a slot.
    nonisolated func acquire() async throws {
        let delay = await reserve()
        if delay > .zero { try await Task.sleep(for: delay) }
    }
}
