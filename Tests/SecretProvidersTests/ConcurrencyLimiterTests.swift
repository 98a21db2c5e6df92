import SecretProviders
import Testing

@Suite("ConcurrencyLimiter")
struct ConcurrencyLimiterTests {
    @Test("never more than the limit run at once; the rest wait their turn")
    func capRespected() async throws {
        let limiter = ConcurrencyLimiter(limit: 3)
        let gate = Gate()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<10 {
                group.addTask { try await limiter.withPermit { await gate.wait() } }
            }
            #expect(await eventually {
                let inUse = await limiter.inUse
                let waiting = await limiter.waiting
                return inUse == 3 && waiting == 7
            })
            #expect(await gate.waiting == 3)
            await gate.open()
            try await group.waitForAll()
        }
        #expect(await limiter.peakInUse == 3)
        #expect(await limiter.inUse == 0)
    }

    @Test("a waiter cancelled before its turn gives up without running")
    func cancelledWaiter() async throws {
        let limiter = ConcurrencyLimiter(limit: 1)
        let gate = Gate()
        let counter = CallCounter()
        let holder = Task { try await limiter.withPermit { await gate.wait() } }
        #expect(await eventually { await limiter.inUse == 1 })
        let waiter = Task { try await limiter.withPermit { _ = await counter.increment() } }
        #expect(await eventually { await limiter.waiting == 1 })
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        await gate.open()
        try await holder.value
        #expect(await counter.count == 0)
        #expect(await limiter.inUse == 0)
    }
}
