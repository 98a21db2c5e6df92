/// Which pacing a request gets. Reads and writes are paced apart (a server shedding writes
/// may still serve reads); watches and Lease requests are not paced at all and go over
/// connections of their own (see ``HTTPKubernetesClient``), so they never wait behind
/// reconcile traffic.
public enum RequestClass: String, Sendable, Hashable, CaseIterable {
    case read
    case write
}

/// Normal requests first; low-priority ones (Events) wait while normal ones wait, for at
/// most ``PacingPolicy/lowPriorityMaximumWait``.
public enum RequestPriority: Sendable, Hashable {
    case normal
    case low
}

/// A request allowed out by a ``RequestPacer``; hand it back with the outcome.
public struct PacingPermit: Sendable, Hashable {
    public let requestClass: RequestClass
    let id: UInt64
}

/// Decides when each request to the API server may be sent, and learns from how it ended.
public protocol RequestPacer: Sendable {
    /// Returns when a request of this class may be sent; throws `CancellationError` if the
    /// task is cancelled while waiting.
    func acquire(_ requestClass: RequestClass, priority: RequestPriority) async throws -> PacingPermit
    /// Records how the request sent under `permit` ended.
    func complete(_ permit: PacingPermit, _ outcome: PacingLane<ContinuousClock.Instant>.Outcome) async
}

/// A snapshot of one class's pacing, for metrics and tests.
public struct PacingSnapshot: Sendable, Hashable {
    public var window: Double
    public var inFlight: Int
    /// Requests a second, or nil when unlimited.
    public var rate: Double?
    public var throttled: Int
    public var failed: Int
}

/// The default ``RequestPacer``: one ``PacingLane`` per ``RequestClass`` (see
/// ``PacingPolicy``), with waiters served normal priority first.
public actor AdaptivePacer: RequestPacer {
    private struct Waiter {
        var id: UInt64
        var priority: RequestPriority
        var since: ContinuousClock.Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private let clock = ContinuousClock()
    public nonisolated let policy: PacingPolicy
    private var readLane: PacingLane<ContinuousClock.Instant>
    private var writeLane: PacingLane<ContinuousClock.Instant>
    private var tickets: [UInt64: PacingLane<ContinuousClock.Instant>.Ticket] = [:]
    private var waiters: [RequestClass: [Waiter]] = [:]
    /// Normal-priority requests waiting in any way (window or rate), per class.
    private var normalWaiting: [RequestClass: Int] = [:]
    private var nextID: UInt64 = 0

    public init(policy: PacingPolicy = PacingPolicy(), ceiling: RequestCeiling? = nil) {
        self.policy = policy
        let now = ContinuousClock.now
        readLane = PacingLane(policy: policy, ceiling: ceiling, now: now)
        writeLane = PacingLane(policy: policy, ceiling: ceiling, now: now)
    }

    public func acquire(_ requestClass: RequestClass, priority: RequestPriority) async throws -> PacingPermit {
        let arrived = clock.now
        var counted = false
        defer { if counted { normalWaiting[requestClass, default: 0] -= 1 } }
        while true {
            try Task.checkCancellation()
            let now = clock.now
            let yieldsToNormal =
                priority == .low && normalWaiting[requestClass, default: 0] > 0
                && arrived.duration(to: now) < policy.lowPriorityMaximumWait
            let decision: PacingLane<ContinuousClock.Instant>.Decision =
                yieldsToNormal ? .full : withLane(requestClass) { $0.decide(now: now) }
            switch decision {
            case .send(let ticket):
                nextID &+= 1
                tickets[nextID] = ticket
                return PacingPermit(requestClass: requestClass, id: nextID)
            case .wait(let until):
                if priority == .normal, !counted { counted = true; normalWaiting[requestClass, default: 0] += 1 }
                try await clock.sleep(until: until, tolerance: nil)
            case .full:
                if priority == .normal, !counted { counted = true; normalWaiting[requestClass, default: 0] += 1 }
                try await waitForRoom(requestClass, priority: priority, since: arrived)
            }
        }
    }

    public func complete(_ permit: PacingPermit, _ outcome: PacingLane<ContinuousClock.Instant>.Outcome) {
        guard let ticket = tickets.removeValue(forKey: permit.id) else { return }
        let now = clock.now
        withLane(permit.requestClass) { $0.complete(ticket, outcome, now: now) }
        wakeOne(permit.requestClass)
    }

    /// The state of one class now.
    public func snapshot(_ requestClass: RequestClass) -> PacingSnapshot {
        let lane = requestClass == .read ? readLane : writeLane
        return PacingSnapshot(
            window: lane.window, inFlight: lane.inFlight, rate: lane.rate, throttled: lane.throttledCount,
            failed: lane.failedCount)
    }

    private func withLane<T>(_ requestClass: RequestClass, _ body: (inout PacingLane<ContinuousClock.Instant>) -> T) -> T {
        switch requestClass {
        case .read: return body(&readLane)
        case .write: return body(&writeLane)
        }
    }

    private func waitForRoom(_ requestClass: RequestClass, priority: RequestPriority, since: ContinuousClock.Instant) async throws {
        nextID &+= 1
        let id = nextID
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                waiters[requestClass, default: []].append(Waiter(id: id, priority: priority, since: since, continuation: continuation))
            }
        } onCancel: {
            Task { await self.cancelWaiter(id, requestClass) }
        }
    }

    private func cancelWaiter(_ id: UInt64, _ requestClass: RequestClass) {
        guard let index = waiters[requestClass]?.firstIndex(where: { $0.id == id }) else { return }
        waiters[requestClass]!.remove(at: index).continuation.resume(throwing: CancellationError())
    }

    /// Lets the next waiter ask again: the first normal one, or a low one that waited too long.
    private func wakeOne(_ requestClass: RequestClass) {
        guard var queue = waiters[requestClass], !queue.isEmpty else { return }
        let now = clock.now
        let index =
            queue.firstIndex { $0.priority == .low && $0.since.duration(to: now) >= policy.lowPriorityMaximumWait }
            ?? queue.firstIndex { $0.priority == .normal } ?? 0
        let waiter = queue.remove(at: index)
        waiters[requestClass] = queue
        waiter.continuation.resume()
    }
}

/// No pacing at all: every request goes at once (tests, and callers with their own limits).
public struct UnpacedRequests: RequestPacer {
    public init() {}
    public func acquire(_ requestClass: RequestClass, priority: RequestPriority) async throws -> PacingPermit {
        try Task.checkCancellation()
        return PacingPermit(requestClass: requestClass, id: 0)
    }
    public func complete(_ permit: PacingPermit, _ outcome: PacingLane<ContinuousClock.Instant>.Outcome) async {}
}
