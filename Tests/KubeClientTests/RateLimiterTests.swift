import Testing

@testable import KubeClient

@Suite("rate limiter")
struct RateLimiterTests {
    @Test("a full bucket lets a burst through at once, then paces requests at the QPS")
    func burstThenQPS() {
        let clock = ManualClock()
        var bucket = TokenBucket(qps: 10, burst: 3, now: clock.now)
        let start = clock.now
        #expect((0..<3).map { _ in bucket.reserve(now: start) } == [.zero, .zero, .zero])
        // Each further request reserves the next token: 100 ms apart at 10 QPS.
        #expect(bucket.reserve(now: start) == .milliseconds(100))
        #expect(bucket.reserve(now: start) == .milliseconds(200))
    }

    @Test("idle time refills the bucket, but never beyond the burst")
    func refillCapsAtBurst() {
        let clock = ManualClock()
        var bucket = TokenBucket(qps: 2, burst: 4, now: clock.now)
        for _ in 0..<4 { _ = bucket.reserve(now: clock.now) }
        #expect(bucket.available(now: clock.now) == 0)
        clock.advance(by: .seconds(1))
        #expect(bucket.available(now: clock.now) == 2)
        clock.advance(by: .seconds(60))
        #expect(bucket.available(now: clock.now) == 4)
    }

    @Test("the limiter sleeps on its clock only once the burst is used up")
    func limiterSleepsOnInjectedClock() async throws {
        let clock = ManualClock()
        let limiter = TokenBucketRateLimiter(qps: 50, burst: 100, clock: clock)
        for _ in 0..<100 { try await limiter.acquire() }
        #expect(clock.recordedSleeps.isEmpty)
        for _ in 0..<5 { try await limiter.acquire() }
        // The fake sleep advances the clock, so each later request waits one 20 ms interval.
        #expect(clock.recordedSleeps == Array(repeating: .milliseconds(20), count: 5))
    }

    @Test("a cancelled waiter does not wait and gives no token away")
    func cancelledWaiter() async throws {
        let clock = ManualClock()
        let limiter = TokenBucketRateLimiter(qps: 1, burst: 1, clock: clock)
        try await limiter.acquire()
        let waiter = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await limiter.acquire()
        }
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(clock.recordedSleeps.isEmpty)
    }
}
