import Foundation
@testable import KubeRuntime
import Testing

extension WorkQueueTests {
    // MARK: shutdown

    @Test("shutdown returns nil to waiting consumers and to later calls")
    func shutdownReleasesWaiters() async {
        let clock = ManualClock()
        let queue = WorkQueue<String>(clock: clock)
        let consumers = (0..<3).map { _ in Task { await queue.next() } }
        #expect(await Self.eventually { await queue.waitingConsumerCount == 3 })
        await queue.add("later", after: .seconds(1))
        await queue.shutDown()
        for consumer in consumers { #expect(await consumer.value == nil) }
        await queue.add("a")
        #expect(await queue.next() == nil)
        #expect(await queue.delayedCount == 0)
        #expect(await queue.isShuttingDown)
        #expect(await Self.eventually { clock.sleeperCount == 0 }, "the timer is stopped")
    }

    @Test("shutdown stops handing out queued keys")
    func shutdownDropsQueued() async {
        let queue = WorkQueue<String>(clock: ManualClock())
        await queue.add("a")
        await queue.add("b")
        _ = await queue.next()
        await queue.shutDown()
        #expect(await queue.next() == nil)
        #expect(await queue.depth == 0)
        await queue.done("a")
        #expect(await queue.processingCount == 0)
    }

    @Test("shutdown with drain hands out queued and held keys, then waits for in-flight ones")
    func shutdownWithDrain() async {
        let queue = WorkQueue<String>(clock: ManualClock())
        await queue.add("a")
        await queue.add("b")
        _ = await queue.next()  // a is processing
        await queue.add("a")  // held
        let drained = Task { await queue.shutDownWithDrain(); return true }
        #expect(await Self.eventually { await queue.isShuttingDown })
        await queue.add("c")  // ignored
        #expect(await queue.next()?.key == "b")
        await queue.done("b")
        await queue.done("a")
        #expect(await queue.next()?.key == "a")
        await queue.done("a")
        #expect(await queue.next() == nil)
        #expect(await drained.value)
    }

    @Test("a cancelled waiting consumer gets nil and takes no key")
    func cancelledConsumer() async {
        let queue = WorkQueue<String>(clock: ManualClock())
        let cancelled = Task { await queue.next() }
        #expect(await Self.eventually { await queue.waitingConsumerCount == 1 })
        cancelled.cancel()
        #expect(await cancelled.value == nil)
        #expect(await Self.eventually { await queue.waitingConsumerCount == 0 })
        await queue.add("a")
        #expect(await queue.next()?.key == "a")
    }

    // MARK: concurrency

    /// Records which keys are in a reconcile and every overlap.
    actor Tracker {
        var running: Set<Int> = []
        var overlaps = 0
        var runs = 0
        /// For each key, whether it has run since it was last added.
        var pending: Set<Int> = []

        func added(_ key: Int) { pending.insert(key) }
        func begin(_ key: Int) {
            if !running.insert(key).inserted { overlaps += 1 }
            pending.remove(key)
            runs += 1
        }
        func end(_ key: Int) { running.remove(key) }
    }

    @Test("concurrent consumers never process the same key at once, and every add is served")
    func concurrentConsumers() async {
        let queue = WorkQueue<Int>(clock: ManualClock())
        let tracker = Tracker()
        let workers = (0..<8).map { _ in
            Task {
                while let item = await queue.next() {
                    await tracker.begin(item.key)
                    await Task.yield()
                    await tracker.end(item.key)
                    await queue.done(item.key)
                }
            }
        }
        await withTaskGroup(of: Void.self) { group in
            for producer in 0..<4 {
                group.addTask {
                    var generator = SystemRandomNumberGenerator()
                    for step in 0..<2_000 {
                        let key = Int.random(in: 0..<50, using: &generator)
                        await tracker.added(key)
                        await queue.add(key, priority: (step + producer) % 3 == 0 ? .high : .low)
                        if step % 16 == 0 { await Task.yield() }
                    }
                }
            }
        }
        await queue.shutDownWithDrain()
        for worker in workers { await worker.value }
        #expect(await tracker.overlaps == 0)
        #expect(await tracker.pending.isEmpty, "a key added last was not reconciled afterwards")
        #expect(await tracker.runs <= 8_000)
        #expect(await queue.processingCount == 0)
    }

    // MARK: jitter

    @Test("jitter moves a duration by at most ±10%")
    func jitter() {
        #expect(Jitter.apply(.seconds(100), random: { 0 }) == .seconds(90))
        #expect(Jitter.apply(.seconds(100), random: { 0.5 }) == .seconds(100))
        #expect(Jitter.apply(.seconds(100), random: { 1 }) == .seconds(110))
        #expect(Jitter.apply(.seconds(100), fraction: 0.5, random: { 0 }) == .seconds(50))
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<1_000 {
            let value = Jitter.apply(.seconds(60), using: &generator)
            #expect(value >= .seconds(54) && value <= .seconds(66))
        }
    }
}
