/// How urgently a key should be reconciled. Every `.high` key is handed out before any
/// `.low` key; within one priority keys come out first in, first out.
public enum WorkPriority: Int, Sendable, Hashable, Comparable, CaseIterable, CustomStringConvertible {
    /// Periodic refreshes (`requeue(after:)` of an unchanged object).
    case low = 0
    /// New objects and spec changes: they must not wait behind thousands of refreshes.
    case high = 1

    public static func < (lhs: WorkPriority, rhs: WorkPriority) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { self == .high ? "high" : "low" }
}

/// A key handed out by `WorkQueue.next()`. The key is "processing" until the consumer
/// calls `WorkQueue.done(_:)` with it.
public struct WorkItem<Key: Hashable & Sendable>: Sendable {
    public let key: Key
    /// The priority the key was queued with (pass it to `addRateLimited(_:priority:)` on error).
    public let priority: WorkPriority

    public init(key: Key, priority: WorkPriority) {
        self.key = key
        self.priority = priority
    }
}

extension WorkItem: Equatable {}
extension WorkItem: Hashable {}

/// Per-key exponential failure backoff: `base * 2^failures`, never more than `cap`
/// (client-go's item exponential failure rate limiter, with a cap).
public struct QueueBackoff: Sendable, Hashable {
    public var base: Duration
    public var cap: Duration

    /// 5 ms doubling up to 5 minutes.
    public static let `default` = QueueBackoff(base: .milliseconds(5), cap: .seconds(300))

    public init(base: Duration = .milliseconds(5), cap: Duration = .seconds(300)) {
        self.base = base
        self.cap = cap
    }

    /// The delay before the retry that follows `failures` earlier failures
    /// (0 → `base`, 1 → `2 * base`, …, capped at `cap`).
    public func delay(afterFailures failures: Int) -> Duration {
        guard base > .zero else { return .zero }
        if base >= cap { return cap }
        var delay = base
        var remaining = failures
        while remaining > 0 {
            delay = delay * 2
            if delay >= cap { return cap }
            remaining -= 1
        }
        return delay
    }
}
