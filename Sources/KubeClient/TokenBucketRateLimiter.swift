/// A ``RateLimiter`` allowing `burst` requests at once and `qps` a second after that.
///
/// The clock is injected so tests run without sleeping.
public actor TokenBucketRateLimiter<C: Clock>: RateLimiter where C.Duration == Duration {
    private let clock: C
    private var bucket: TokenBucket<C.Instant>

    public init(qps: Double, burst: Int, clock: C) {
        self.clock = clock
        self.bucket = TokenBucket(qps: qps, burst: burst, now: clock.now)
    }

    public func acquire() async throws {
        try Task.checkCancellation()
        let now = clock.now
        let wait = bucket.reserve(now: now)
        guard wait > .zero else { return }
        do {
            try await clock.sleep(until: now.advanced(by: wait), tolerance: nil)
        } catch {
            bucket.cancelReservation(now: clock.now)
            throw error
        }
    }
}

extension TokenBucketRateLimiter where C == ContinuousClock {
    public init(qps: Double, burst: Int) {
        self.init(qps: qps, burst: burst, clock: ContinuousClock())
    }
}
