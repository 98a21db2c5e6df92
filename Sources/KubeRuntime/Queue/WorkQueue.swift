import Foundation

/// A deduplicating, two-priority, rate-limited work queue of object keys: what a
/// controller's workers take keys from.
///
/// - **Dedup**: a key is queued at most once; adding a queued key again does nothing
///   (except promote it, see below).
/// - **One reconcile per key at a time**: `next()` hands a key out and marks it
///   *processing* until `done(_:)`. A key added while processing is *held* and queued
///   once more after `done`, however often it was added (so a key added 1,000 times while
///   busy is reconciled at most twice).
/// - **Two priorities**: every `.high` key (new objects, spec changes) comes out before any
///   `.low` key (periodic refreshes). Re-adding a queued `.low` key as `.high` promotes it.
/// - **Delayed adds** (`add(_:after:priority:)`) wait in a min-heap by due time; one timer
///   task sleeps on the injected clock until the earliest due time. A key keeps only its
///   earliest pending time: a delayed add for a key that is already queued (or held), or
///   already scheduled earlier, changes nothing, and an immediate `add` cancels the key's
///   pending delayed add (the run it causes decides the next requeue).
/// - **Backoff**: `addRateLimited(_:)` delays the key by `base * 2^retries` (capped);
///   `forget(_:)` resets the count after a success.
/// - **Shutdown**: `shutDown()` stops handing out work at once; `shutDownWithDrain()` hands
///   out what is queued, then waits for in-flight keys to be done.
public actor WorkQueue<Key: Hashable & Sendable> {
    /// Everything the queue knows about one key. Removed when the key is idle: not queued,
    /// not processing, nothing scheduled and no failures counted.
    private struct Entry {
        /// Set when the key wants to run: queued in the ready queue of this priority, or,
        /// while `processing`, held until `done`.
        var wanted: WorkPriority?
        /// Ticket of the key's live slot in the ready queue (older slots are stale).
        var readySeq: UInt64 = 0
        var processing = false
        /// The key's pending delayed add, if any.
        var delayedDue: Date?
        var delayedPriority: WorkPriority = .low
        /// Ticket of the key's live node in the delay heap.
        var delayedSeq: UInt64 = 0
        var failures = 0

        var isIdle: Bool { wanted == nil && !processing && delayedDue == nil && failures == 0 }
    }

    private struct Slot {
        var key: Key
        var seq: UInt64
    }

    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<WorkItem<Key>?, Never>
    }

    private enum Phase {
        case running
        /// No adds accepted; queued and held keys are still handed out.
        case draining
        /// Nothing is handed out any more.
        case stopped
    }

    private let clock: any RuntimeClock
    public nonisolated let backoff: QueueBackoff

    private var entries: [Key: Entry] = [:]
    private var high = QueueRingBuffer<Slot>()
    private var low = QueueRingBuffer<Slot>()
    private var highCount = 0
    private var lowCount = 0
    private var heldCount = 0
    private var processing = 0
    private var seq: UInt64 = 0

    private var delayed = QueueDelayHeap<Key>()
    private var liveDelayed = 0
    private var timer: Task<Void, Never>?
    private var timerDeadline: Date?
    private var timerGeneration: UInt64 = 0

    private var waiters = QueueRingBuffer<Waiter>()
    private var nextWaiterID: UInt64 = 0
    private var drainWaiters: [CheckedContinuation<Void, Never>] = []
    private var phase = Phase.running

    private var addCount = 0
    private var retryCount = 0

    /// - Parameters:
    ///   - clock: the time source for delayed adds and backoff (a `ManualClock` in tests).
    ///   - backoff: per-key failure backoff; 5 ms doubling to 5 minutes by default.
    public init(clock: any RuntimeClock = SystemClock(), backoff: QueueBackoff = .default) {
        self.clock = clock
        self.backoff = backoff
    }

    deinit {
        timer?.cancel()
    }

    // MARK: - Metrics

    /// Keys queued and ready to be handed out (not counting processing, held or delayed keys).
    public var depth: Int { highCount + lowCount }

    /// Ready keys of one priority.
    public func depth(_ priority: WorkPriority) -> Int { priority == .high ? highCount : lowCount }

    /// Keys handed out and not yet done.
    public var processingCount: Int { processing }

    /// Keys with a pending delayed add (including backoff retries).
    public var delayedCount: Int { liveDelayed }

    /// Calls to `add`, `add(after:)` and `addRateLimited` accepted since the queue was made.
    public var totalAdds: Int { addCount }

    /// Calls to `addRateLimited` accepted since the queue was made.
    public var totalRetries: Int { retryCount }

    /// True once `shutDown()` or `shutDownWithDrain()` has been called.
    public var isShuttingDown: Bool { phase != .running }

    /// Consumers suspended in `next()` (for tests).
    var waitingConsumerCount: Int { waiters.count }

    // MARK: - Adding

    /// Queues `key` now. If it is already queued, only promotes it (`.low` → `.high`); if it
    /// is processing, holds it to run once more after `done`. Cancels the key's pending
    /// delayed add. Ignored after shutdown.
    public func add(_ key: Key, priority: WorkPriority = .high) {
        guard phase == .running else { return }
        addCount += 1
        enqueue(key, priority: priority)
        if !waiters.isEmpty { dispatch() }
    }

    /// Queues each key of `keys` as `add(_:priority:)` does.
    public func add(contentsOf keys: some Sequence<Key>, priority: WorkPriority = .high) {
        guard phase == .running else { return }
        for key in keys {
            addCount += 1
            enqueue(key, priority: priority)
        }
        if !waiters.isEmpty { dispatch() }
    }

    /// Queues `key` once `delay` has passed on the clock (at once if `delay <= 0`).
    /// The earliest pending time wins: does nothing if the key is already queued or held,
    /// or scheduled no later than this; otherwise replaces the later schedule. When two
    /// schedules merge, the higher priority is kept. Ignored after shutdown.
    public func add(_ key: Key, after delay: Duration, priority: WorkPriority = .low) {
        guard phase == .running else { return }
        guard delay > .zero else {
            add(key, priority: priority)
            return
        }
        addCount += 1
        schedule(key, due: clock.now().addingTimeInterval(delay.timeInterval), priority: priority)
    }

    /// Queues `key` after its backoff delay (`base * 2^retries(key)`, capped) and counts a
    /// retry. Pass the failed item's priority so a new object's retries stay ahead of
    /// refreshes. Returns the delay used.
    @discardableResult
    public func addRateLimited(_ key: Key, priority: WorkPriority = .low) -> Duration {
        let failures = entries[key]?.failures ?? 0
        let delay = backoff.delay(afterFailures: failures)
        guard phase == .running else { return delay }
        addCount += 1
        retryCount += 1
        entries[key, default: Entry()].failures = failures + 1
        if delay > .zero {
            schedule(key, due: clock.now().addingTimeInterval(delay.timeInterval), priority: priority)
        } else {
            enqueue(key, priority: priority)
            if !waiters.isEmpty { dispatch() }
        }
        return delay
    }

    /// Resets the key's failure count (call after a successful reconcile). Does not cancel
    /// a pending delayed add.
    public func forget(_ key: Key) {
        guard let index = entries.index(forKey: key) else { return }
        entries.values[index].failures = 0
        if entries.values[index].isIdle { entries.remove(at: index) }
    }

    /// How many times `addRateLimited` was called for `key` since it was last forgotten.
    public func retries(_ key: Key) -> Int {
        entries[key]?.failures ?? 0
    }

    // MARK: - Consuming

    /// The next key to reconcile, highest priority first, marked processing until
    /// `done(_:)`. Suspends while nothing is ready. Returns nil after `shutDown()`, after
    /// `shutDownWithDrain()` once nothing is left to hand out, or when the calling task
    /// is cancelled while waiting. A key handed out just as the caller was cancelled is
    /// still returned: always call `done(_:)` for every item received, or the key stays
    /// "processing" for good.
    public func next() async -> WorkItem<Key>? {
        if let item = popReady() { return item }
        if noMoreWork { return nil }
        nextWaiterID &+= 1
        let id = nextWaiterID
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<WorkItem<Key>?, Never>) in
                if Task.isCancelled {
                    continuation.resume(returning: nil)
                } else {
                    waiters.append(Waiter(id: id, continuation: continuation))
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    /// Up to `limit` ready keys in the order `next()` will hand them out (high priority
    /// first), without taking them: for reading ahead what the next reconciles will need.
    public func upcoming(_ limit: Int) -> [Key] {
        var keys: [Key] = []
        guard limit > 0, phase != .stopped else { return keys }
        for (buffer, priority) in [(high, WorkPriority.high), (low, .low)] {
            buffer.forEachInOrder { slot in
                if let entry = entries[slot.key], entry.wanted == priority, !entry.processing, entry.readySeq == slot.seq {
                    keys.append(slot.key)
                }
                return keys.count < limit
            }
            if keys.count >= limit { break }
        }
        return keys
    }

    /// Ends processing of `key`. If it was added meanwhile it is queued again now.
    public func done(_ key: Key) {
        guard let index = entries.index(forKey: key), entries.values[index].processing else { return }
        processing -= 1
        entries.values[index].processing = false
        if let priority = entries.values[index].wanted {
            heldCount -= 1
            if phase == .stopped {
                entries.values[index].wanted = nil
            } else {
                seq &+= 1
                entries.values[index].readySeq = seq
                push(Slot(key: key, seq: seq), priority)
            }
        }
        if entries.values[index].isIdle { entries.remove(at: index) }
        if !waiters.isEmpty { dispatch() }
        if phase != .running { checkDrained() }
    }

    // MARK: - Shutdown

    /// Stops handing out work: waiting and later `next()` calls return nil, queued, held and
    /// delayed keys are dropped and adds are ignored. In-flight keys may still be `done`.
    public func shutDown() {
        phase = .stopped
        cancelTimer()
        delayed.removeAll()
        liveDelayed = 0
        high.removeAll()
        low.removeAll()
        highCount = 0
        lowCount = 0
        heldCount = 0
        var kept: [Key: Entry] = [:]
        for (key, var entry) in entries where entry.processing {
            entry.wanted = nil
            entry.delayedDue = nil
            kept[key] = entry
        }
        entries = kept
        checkDrained()
    }

    /// Stops accepting adds and drops delayed adds, keeps handing out the queued and held
    /// keys, and returns once they have all been handed out and every processing key is
    /// done. After it, `next()` returns nil.
    public func shutDownWithDrain() async {
        if phase == .running {
            phase = .draining
            cancelTimer()
            delayed.removeAll()
            liveDelayed = 0
            for index in entries.indices where entries.values[index].delayedDue != nil {
                entries.values[index].delayedDue = nil
            }
            entries = entries.filter { !$0.value.isIdle }
        }
        if !waiters.isEmpty { dispatch() }
        checkDrained()
        guard !(noMoreWork && processing == 0) else { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            drainWaiters.append(continuation)
        }
    }

    // MARK: - Internals

    /// True when `next()` must return nil rather than wait.
    private var noMoreWork: Bool {
        switch phase {
        case .running: false
        case .draining: highCount + lowCount + heldCount == 0
        case .stopped: true
        }
    }

    private func push(_ slot: Slot, _ priority: WorkPriority) {
        if priority == .high {
            high.append(slot)
            highCount += 1
        } else {
            low.append(slot)
            lowCount += 1
        }
    }

    private func enqueue(_ key: Key, priority: WorkPriority) {
        let index: Dictionary<Key, Entry>.Index
        if let found = entries.index(forKey: key) {
            index = found
        } else {
            entries[key] = Entry()
            index = entries.index(forKey: key)!
        }
        if entries.values[index].delayedDue != nil {
            entries.values[index].delayedDue = nil
            liveDelayed -= 1
        }
        let processing = entries.values[index].processing
        if let current = entries.values[index].wanted {
            guard priority > current else { return }
            entries.values[index].wanted = priority
            if !processing {
                // Promote: the old low slot goes stale, a new high slot is queued.
                lowCount -= 1
                seq &+= 1
                entries.values[index].readySeq = seq
                push(Slot(key: key, seq: seq), priority)
            }
        } else {
            entries.values[index].wanted = priority
            if processing {
                heldCount += 1
            } else {
                seq &+= 1
                entries.values[index].readySeq = seq
                push(Slot(key: key, seq: seq), priority)
            }
        }
    }

    private func schedule(_ key: Key, due: Date, priority: WorkPriority) {
        var entry = entries[key] ?? Entry()
        guard entry.wanted == nil else { return }
        if let current = entry.delayedDue {
            if current <= due {
                entry.delayedPriority = max(entry.delayedPriority, priority)
                entries[key] = entry
                return
            }
            entry.delayedPriority = max(entry.delayedPriority, priority)
        } else {
            entry.delayedPriority = priority
            liveDelayed += 1
        }
        seq &+= 1
        entry.delayedDue = due
        entry.delayedSeq = seq
        entries[key] = entry
        delayed.push(.init(due: due, seq: seq, key: key))
        compactDelayedIfNeeded()
        armTimer()
    }

    /// Hands out the first live ready slot, high before low.
    private func popReady() -> WorkItem<Key>? {
        if phase == .stopped { return nil }
        while highCount > 0, let slot = high.popFirst() {
            if let item = claim(slot, .high) { return item }
        }
        while lowCount > 0, let slot = low.popFirst() {
            if let item = claim(slot, .low) { return item }
        }
        return nil
    }

    private func claim(_ slot: Slot, _ priority: WorkPriority) -> WorkItem<Key>? {
        guard let index = entries.index(forKey: slot.key) else { return nil }
        let entry = entries.values[index]
        guard entry.wanted == priority, !entry.processing, entry.readySeq == slot.seq else { return nil }
        entries.values[index].wanted = nil
        entries.values[index].processing = true
        processing += 1
        if priority == .high { highCount -= 1 } else { lowCount -= 1 }
        return WorkItem(key: slot.key, priority: priority)
    }

    /// Gives ready keys to waiting consumers (after shutdown: nil to each).
    private func dispatch() {
        while !waiters.isEmpty {
            if let item = popReady() {
                waiters.popFirst()!.continuation.resume(returning: item)
            } else if noMoreWork {
                waiters.popFirst()!.continuation.resume(returning: nil)
            } else {
                return
            }
        }
    }

    private func cancelWaiter(_ id: UInt64) {
        waiters.removeFirst { $0.id == id }?.continuation.resume(returning: nil)
    }

    private func checkDrained() {
        guard phase != .running else { return }
        if noMoreWork, !waiters.isEmpty { dispatch() }
        if noMoreWork, processing == 0, !drainWaiters.isEmpty {
            let waiting = drainWaiters
            drainWaiters = []
            for continuation in waiting { continuation.resume() }
        }
    }

    // MARK: Timer

    private func isLive(_ node: QueueDelayHeap<Key>.Node) -> Bool {
        guard let entry = entries[node.key] else { return false }
        return entry.delayedDue != nil && entry.delayedSeq == node.seq
    }

    /// Drops stale heap nodes when they outnumber the live ones (a key rescheduled earlier or
    /// queued at once leaves its old node behind).
    private func compactDelayedIfNeeded() {
        guard delayed.count > 64, delayed.count > 2 * liveDelayed else { return }
        delayed.retain { isLive($0) }
    }

    /// Makes sure one timer sleeps until the earliest live due time.
    private func armTimer() {
        guard phase == .running else { return }
        while let top = delayed.min, !isLive(top) { delayed.popMin() }
        guard let top = delayed.min else {
            cancelTimer()
            return
        }
        if timer != nil, let deadline = timerDeadline, deadline <= top.due { return }
        timer?.cancel()
        timerGeneration &+= 1
        let generation = timerGeneration
        let deadline = top.due
        let clock = self.clock
        timerDeadline = deadline
        timer = Task { [weak self] in
            do {
                try await clock.sleep(until: deadline)
            } catch {
                return
            }
            await self?.timerFired(generation)
        }
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
        timerDeadline = nil
        timerGeneration &+= 1
    }

    private func timerFired(_ generation: UInt64) {
        guard generation == timerGeneration, phase == .running else { return }
        timer = nil
        timerDeadline = nil
        let now = clock.now()
        while let top = delayed.min, top.due <= now {
            delayed.popMin()
            guard let index = entries.index(forKey: top.key),
                  entries.values[index].delayedDue != nil,
                  entries.values[index].delayedSeq == top.seq
            else { continue }
            let priority = entries.values[index].delayedPriority
            // `enqueue` clears the pending delayed add and counts it out.
            enqueue(top.key, priority: priority)
        }
        if !waiters.isEmpty { dispatch() }
        armTimer()
    }
}
