import Foundation
@testable import KubeRuntime
import Testing

@Suite("WorkQueue")
struct WorkQueueTests {
    /// Yields until `condition` holds (no wall-clock sleeping); false if it never does.
    static func eventually(_ condition: () async -> Bool) async -> Bool {
        for _ in 0..<200_000 {
            if await condition() { return true }
            await Task.yield()
        }
        return await condition()
    }

    /// Waits until the queue's timer is asleep on the clock, so an `advance` reaches it.
    static func timerAsleep(_ clock: ManualClock, count: Int = 1) async -> Bool {
        await eventually { clock.sleeperCount == count }
    }

    // MARK: dedup and one-at-a-time

    @Test("a key added several times is queued once")
    func dedup() async {
        let queue = WorkQueue<String>(clock: ManualClock())
        await queue.add("a")
        await queue.add("a")
        await queue.add("b")
        await queue.add("a")
        #expect(await queue.depth == 2)
        #expect(await queue.next()?.key == "a")
        #expect(await queue.next()?.key == "b")
        #expect(await queue.depth == 0)
    }

    @Test("a busy key re-added 1,000 times is reconciled at most twice")
    func busyKeyRunsOnceMore() async {
        let queue = WorkQueue<String>(clock: ManualClock())
        await queue.add("a")
        let first = await queue.next()
        #expect(first?.key == "a")
        for _ in 0..<1_000 { await queue.add("a") }
        #expect(await queue.depth == 0, "held, not queued, while processing")
        await queue.done("a")
        #expect(await queue.depth == 1)
        #expect(await queue.next()?.key == "a")
        #expect(await queue.depth == 0)
        await queue.done("a")
        #expect(await queue.depth == 0)
        #expect(await queue.processingCount == 0)
    }

    @Test("a key is not handed out again while it is processing")
    func processingKeyIsNotHandedOut() async {
        let queue = WorkQueue<String>(clock: ManualClock())
        await queue.add("a")
        _ = await queue.next()
        await queue.add("a")
        await queue.add("b")
        #expect(await queue.next()?.key == "b")
        #expect(await queue.depth == 0)
    }

    @Test("upcoming lists ready keys in hand-out order without taking them; processing and promoted-away slots are skipped")
    func upcomingPeeksInOrder() async {
        let queue = WorkQueue<String>(clock: ManualClock())
        await queue.add("busy")
        _ = await queue.next()
        for key in ["l1", "l2", "l3"] { await queue.add(key, priority: .low) }
        await queue.add("h1")
        await queue.add("l2", priority: .high)  // promoted: its low slot goes stale
        await queue.add("busy")  // held while processing: not ready
        #expect(await queue.upcoming(10) == ["h1", "l2", "l1", "l3"])
        #expect(await queue.upcoming(2) == ["h1", "l2"])
        #expect(await queue.depth == 4, "nothing was taken")
        var handedOut: [String] = []
        for _ in 0..<4 { if let item = await queue.next() { handedOut.append(item.key) } }
        #expect(handedOut == ["h1", "l2", "l1", "l3"])
    }

    // MARK: priorities

    @Test("a high key comes out before 10,000 queued low keys")
    func highBeforeLow() async {
        let queue = WorkQueue<Int>(clock: ManualClock())
        await queue.add(contentsOf: 0..<10_000, priority: .low)
        await queue.add(-1, priority: .high)
        #expect(await queue.depth == 10_001)
        let item = await queue.next()
        #expect(item == WorkItem(key: -1, priority: .high))
        // The low keys follow in the order they were added.
        for expected in 0..<10_000 {
            let next = await queue.next()
            if next?.key != expected {
                Issue.record("expected \(expected), got \(String(describing: next))")
                break
            }
        }
        #expect(await queue.depth == 0)
    }

    @Test("a queued low key re-added as high is promoted and handed out once")
    func promotion() async {
        let queue = WorkQueue<String>(clock: ManualClock())
        await queue.add("a", priority: .low)
        await queue.add("b", priority: .low)
        await queue.add("b", priority: .high)
        #expect(await queue.depth(.high) == 1)
        #expect(await queue.depth(.low) == 1)
        #expect(await queue.next() == WorkItem(key: "b", priority: .high))
        #expect(await queue.next() == WorkItem(key: "a", priority: .low))
        #expect(await queue.depth == 0)
        // The stale low slot of "b" is not handed out later.
        await queue.add("c", priority: .low)
        #expect(await queue.next()?.key == "c")
    }

    @Test("a high key re-added as low stays high")
    func noDemotion() async {
        let queue = WorkQueue<String>(clock: ManualClock())
        await queue.add("x", priority: .low)
        await queue.add("a", priority: .high)
        await queue.add("a", priority: .low)
        #expect(await queue.next() == WorkItem(key: "a", priority: .high))
    }

    @Test("a key held while processing is promoted by a high add")
    func heldKeyPromoted() async {
        let queue = WorkQueue<String>(clock: ManualClock())
        await queue.add("a", priority: .low)
        _ = await queue.next()
        await queue.add("z", priority: .low)
        await queue.add("a", priority: .low)
        await queue.add("a", priority: .high)
        await queue.done("a")
        #expect(await queue.next() == WorkItem(key: "a", priority: .high))
    }

    // MARK: delayed adds

    @Test("delayed adds fire only after the clock passes their time, in due order")
    func delayedAddsFireInOrder() async {
        let clock = ManualClock()
        let queue = WorkQueue<String>(clock: clock)
        await queue.add("late", after: .seconds(2))
        await queue.add("early", after: .seconds(1))
        #expect(await queue.delayedCount == 2)
        #expect(await Self.timerAsleep(clock))
        #expect(await queue.depth == 0)

        clock.advance(by: .milliseconds(500))
        #expect(await Self.timerAsleep(clock))
        #expect(await queue.depth == 0)

        clock.advance(by: .milliseconds(600))
        #expect(await Self.eventually { await queue.depth == 1 })
        #expect(await queue.next() == WorkItem(key: "early", priority: .low))
        #expect(await Self.timerAsleep(clock), "re-armed for the later key")
        #expect(await queue.depth == 0)

        clock.advance(by: .seconds(1))
        #expect(await Self.eventually { await queue.depth == 1 })
        #expect(await queue.next()?.key == "late")
        #expect(await queue.delayedCount == 0)
        #expect(await Self.eventually { clock.sleeperCount == 0 }, "no timer left when nothing is scheduled")
    }

    @Test("keys due together come out in the order they were scheduled")
    func delayedSameTimeOrder() async {
        let clock = ManualClock()
        let queue = WorkQueue<Int>(clock: clock)
        for key in 0..<100 { await queue.add(key, after: .seconds(5)) }
        #expect(await Self.timerAsleep(clock))
        clock.advance(by: .seconds(5))
        #expect(await Self.eventually { await queue.depth == 100 })
        for expected in 0..<100 { #expect(await queue.next()?.key == expected) }
    }

    @Test("a waiting consumer gets a delayed key when it falls due")
    func waitingConsumerGetsDelayedKey() async {
        let clock = ManualClock()
        let queue = WorkQueue<String>(clock: clock)
        let consumer = Task { await queue.next() }
        #expect(await Self.eventually { await queue.waitingConsumerCount == 1 })
        await queue.add("a", after: .seconds(3), priority: .high)
        #expect(await Self.timerAsleep(clock))
        clock.advance(by: .seconds(3))
        #expect(await consumer.value == WorkItem(key: "a", priority: .high))
    }

    @Test("an earlier delayed add re-arms the timer and the earliest time wins")
    func earliestDelayWins() async {
        let clock = ManualClock()
        let queue = WorkQueue<String>(clock: clock)
        await queue.add("a", after: .seconds(10))
        #expect(await Self.timerAsleep(clock))
        await queue.add("a", after: .seconds(1))
        await queue.add("a", after: .seconds(5))
        #expect(await queue.delayedCount == 1)

        clock.advance(by: .seconds(1))
        #expect(await Self.eventually { await queue.depth == 1 })
        #expect(await queue.next()?.key == "a")
        await queue.done("a")
        // The 10 s and 5 s schedules were replaced by the 1 s one.
        #expect(await queue.delayedCount == 0)
        clock.advance(by: .seconds(20))
        for _ in 0..<1_000 { await Task.yield() }
        #expect(await queue.depth == 0)
    }

    @Test("a delayed add for a queued key changes nothing; an immediate add cancels a pending delay")
    func delayedAddForQueuedKey() async {
        let clock = ManualClock()
        let queue = WorkQueue<String>(clock: clock)
        await queue.add("a")
        await queue.add("a", after: .seconds(1))
        #expect(await queue.delayedCount == 0)
        #expect(await queue.depth == 1)

        await queue.add("b", after: .seconds(1))
        await queue.add("b", priority: .high)
        #expect(await queue.delayedCount == 0)
        #expect(await queue.depth == 2)
    }

    @Test("merged schedules keep the higher priority")
    func mergedSchedulePriority() async {
        let clock = ManualClock()
        let queue = WorkQueue<String>(clock: clock)
        await queue.add("a", after: .seconds(1), priority: .low)
        await queue.add("a", after: .seconds(2), priority: .high)
        #expect(await Self.timerAsleep(clock))
        clock.advance(by: .seconds(1))
        #expect(await Self.eventually { await queue.depth == 1 })
        #expect(await queue.next() == WorkItem(key: "a", priority: .high))
    }

    @Test("a delayed add while processing runs after the delay, not before done")
    func delayedAddWhileProcessing() async {
        let clock = ManualClock()
        let queue = WorkQueue<String>(clock: clock)
        await queue.add("a")
        _ = await queue.next()
        await queue.add("a", after: .seconds(1))
        #expect(await queue.delayedCount == 1)
        #expect(await Self.timerAsleep(clock))
        clock.advance(by: .seconds(1))
        #expect(await Self.eventually { await queue.delayedCount == 0 })
        #expect(await queue.depth == 0, "held while processing")
        await queue.done("a")
        #expect(await queue.next()?.key == "a")
    }

    // MARK: backoff

    @Test("backoff doubles from 5 ms, is capped, and resets after forget")
    func backoffGrowsCapsAndResets() async {
        let clock = ManualClock()
        let queue = WorkQueue<String>(clock: clock, backoff: QueueBackoff(base: .milliseconds(5), cap: .milliseconds(30)))
        var delays: [Duration] = []
        for _ in 0..<6 { delays.append(await queue.addRateLimited("a")) }
        #expect(delays == [.milliseconds(5), .milliseconds(10), .milliseconds(20), .milliseconds(30), .milliseconds(30), .milliseconds(30)])
        #expect(await queue.retries("a") == 6)
        #expect(await queue.retries("b") == 0)

        await queue.forget("a")
        #expect(await queue.retries("a") == 0)
        #expect(await queue.addRateLimited("a") == .milliseconds(5))
        #expect(await queue.retries("a") == 1)
    }

    @Test("the default backoff is 5 ms doubling to a 5 minute cap")
    func defaultBackoff() {
        let backoff = QueueBackoff.default
        #expect(backoff.delay(afterFailures: 0) == .milliseconds(5))
        #expect(backoff.delay(afterFailures: 1) == .milliseconds(10))
        #expect(backoff.delay(afterFailures: 2) == .milliseconds(20))
        #expect(backoff.delay(afterFailures: 15) == .milliseconds(163_840))
        #expect(backoff.delay(afterFailures: 16) == .seconds(300))
        #expect(backoff.delay(afterFailures: 10_000) == .seconds(300))
    }

    @Test("a rate-limited key becomes ready only after its backoff delay")
    func rateLimitedKeyWaitsForBackoff() async {
        let clock = ManualClock()
        let queue = WorkQueue<String>(clock: clock)
        await queue.add("a")
        let item = await queue.next()
        #expect(await queue.addRateLimited("a", priority: item!.priority) == .milliseconds(5))
        await queue.done("a")
        #expect(await Self.timerAsleep(clock))
        clock.advance(by: .milliseconds(4))
        #expect(await Self.timerAsleep(clock))
        #expect(await queue.depth == 0)
        clock.advance(by: .milliseconds(1))
        #expect(await Self.eventually { await queue.depth == 1 })
        #expect(await queue.next() == WorkItem(key: "a", priority: .high))
        #expect(await queue.totalRetries == 1)
    }
}
