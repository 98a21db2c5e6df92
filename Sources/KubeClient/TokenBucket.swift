/// The arithmetic of a token bucket, kept apart from any clock so it can be
/// checked step by step.
///
/// The bucket holds up to `burst` tokens and refills at `qps` tokens a second.
/// Taking a token from an empty bucket reserves a future one: the balance goes
/// negative and the caller is told how long to wait, so waiters are served in
/// order without polling (as Go's `x/time/rate` does for client-go).
public struct TokenBucket<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    public let qps: Double
    public let burst: Int
    private var tokens: Double
    private var last: Instant

    /// A full bucket at `now`.
    public init(qps: Double, burst: Int, now: Instant) {
        precondition(qps > 0, "a token bucket needs a positive rate")
        self.qps = qps
        self.burst = max(1, burst)
        self.tokens = Double(self.burst)
        self.last = now
    }

    /// Takes one token at `now` and returns how long to wait before using it (zero if available now).
    public mutating func reserve(now: Instant) -> Duration {
        refill(now: now)
        tokens -= 1
        guard tokens < 0 else { return .zero }
        return Self.duration(seconds: -tokens / qps)
    }

    /// Gives back a reserved token that was not used (the waiter was cancelled).
    public mutating func cancelReservation(now: Instant) {
        refill(now: now)
        tokens = min(Double(burst), tokens + 1)
    }

    /// The whole tokens available at `now`.
    public mutating func available(now: Instant) -> Int {
        refill(now: now)
        return max(0, Int(tokens.rounded(.down)))
    }

    private mutating func refill(now: Instant) {
        guard last < now else { return }
        let elapsed = last.duration(to: now)
        tokens = min(Double(burst), tokens + Self.seconds(elapsed) * qps)
        last = now
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    private static func duration(seconds: Double) -> Duration {
        // Round up to the nanosecond so the waiter never wakes a hair too early.
        .nanoseconds(Int64((seconds * 1e9).rounded(.up)))
    }
}
