import Foundation

/// How the queue moves keys: the ready queues, handing keys to waiting consumers, the
/// delayed-add heap and the one timer that wakes it, and the drain that ends a shutdown.
extension WorkQueue {
    /// True when `next()` must return nil rather than wait.
    var noMoreWork: Bool {
        switch phase {
        case .running: false
        case .draining: highCount + lowCount + heldCount == 0
        case .stopped: true
        }
    }

    func push(_ slot: Slot, _ priority: WorkPriority) {
        if priority == .high {
            high.append(slot)
            highCount += 1
        } else {
            low.append(slot)
            lowCount += 1
        }
    }

    func enqueue(_ key: Key, priority: WorkPriority) {
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

    func schedule(_ key: Key, due: Date, priority: WorkPriority) {
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
    func popReady() -> WorkItem<Key>? {
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
    func dispatch() {
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

    func cancelWaiter(_ id: UInt64) {
        waiters.removeFirst { $0.id == id }?.continuation.resume(returning: nil)
    }

    func checkDrained() {
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

    func cancelTimer() {
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
