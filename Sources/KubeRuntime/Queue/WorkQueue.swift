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
    struct Entry {
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

    struct Slot {
        var key: Key
        var seq: UInt64
    }

    struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<WorkItem<Key>?, Never>
    }

    enum Phase {
        case running
        /// No adds accepted; queued and held keys are still handed out.
        case draining
        /// Nothing is handed out any more.
        case stopped
    }

    // The state below is internal rather than private only so that the scheduling half of
    // the queue (WorkQueue+Scheduling.swift) can reach it; nothing else touches it.
    let clock: any RuntimeClock
    public nonisolated let backoff: QueueBackoff

    var entries: [Key: Entry] = [:]
    var high = QueueRingBuffer<Slot>()
    var low = QueueRingBuffer<Slot>()
    var highCount = 0
    var lowCount = 0
    var heldCount = 0
    var processing = 0
    var seq: UInt64 = 0

    var delayed = QueueDelayHeap<Key>()
    var liveDelayed = 0
    var timer: Task<Void, Never>?
    var timerDeadline: Date?
    var timerGeneration: UInt64 = 0

    var waiters = QueueRingBuffer<Waiter>()
    var nextWaiterID: UInt64 = 0
    var drainWaiters: [CheckedContinuation<Void, Never>] = []
    var phase = Phase.running

    var addCount = 0
    var retryCount = 0

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
}
