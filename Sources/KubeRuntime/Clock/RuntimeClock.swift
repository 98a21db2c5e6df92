import Foundation
import NIOConcurrencyHelpers

/// Where the runtime gets the time and waits for it: injected everywhere time matters
/// (backoff, requeue, lease expiry) so tests advance a `ManualClock` instead of sleeping.
///
/// Wall-clock `Date`s are used because the runtime's deadlines also go into the API
/// (Lease `renewTime`, Event timestamps).
public protocol RuntimeClock: Sendable {
    func now() -> Date
    /// Suspends until `deadline`; throws `CancellationError` when the task is cancelled.
    func sleep(until deadline: Date) async throws
}

extension RuntimeClock {
    /// Suspends for `duration` from now.
    public func sleep(for duration: Duration) async throws {
        try await sleep(until: now().addingTimeInterval(duration.timeInterval))
    }
}

extension Duration {
    /// The duration in seconds, as a `TimeInterval`.
    public var timeInterval: TimeInterval {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    /// `seconds` rounded to whole nanoseconds by `rule`, clamped to `0...Int64.max` nanoseconds
    /// (about 292 years): NaN and negative give zero, infinity and anything longer give the
    /// maximum. For delays computed from user or server data, where `Int64(_:)` would trap.
    public static func saturating(
        seconds: Double, rounding rule: FloatingPointRoundingRule = .toNearestOrAwayFromZero
    ) -> Duration {
        guard !seconds.isNaN, seconds > 0 else { return .zero }
        let nanoseconds = (seconds * 1e9).rounded(rule)
        // 9.2e18 < Int64.max, and is exactly representable as a Double; `Int64(9.3e18)` would trap.
        guard nanoseconds < 9.2e18 else { return .nanoseconds(Int64.max) }
        return .nanoseconds(Int64(nanoseconds))
    }
}

/// The real clock.
public struct SystemClock: RuntimeClock {
    public init() {}

    public func now() -> Date { Date() }

    public func sleep(until deadline: Date) async throws {
        let interval = deadline.timeIntervalSinceNow
        if interval > 0 { try await Task.sleep(for: .seconds(interval)) } else { try Task.checkCancellation() }
    }
}

/// A clock that moves only when a test says so. Sleepers resume, in deadline order,
/// when `advance(by:)` passes their deadline.
public final class ManualClock: RuntimeClock {
    private struct Sleeper {
        var id: Int
        var deadline: Date
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Date
        var sleepers: [Sleeper] = []
        var nextID = 0
    }

    private let state: NIOLockedValueBox<State>

    public init(start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        state = NIOLockedValueBox(State(now: start))
    }

    public func now() -> Date { state.withLockedValue { $0.now } }

    /// How many tasks are waiting on this clock (lets a test wait until a component is idle).
    public var sleeperCount: Int { state.withLockedValue { $0.sleepers.count } }

    public func sleep(until deadline: Date) async throws {
        let id = state.withLockedValue { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow = state.withLockedValue { state -> Bool in
                    if Task.isCancelled || deadline <= state.now { return true }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return false
                }
                if resumeNow {
                    if Task.isCancelled { continuation.resume(throwing: CancellationError()) } else { continuation.resume() }
                }
            }
        } onCancel: {
            let cancelled = state.withLockedValue { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.sleepers.remove(at: index)
            }
            cancelled?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward and wakes every sleeper whose deadline has come.
    public func advance(by duration: Duration) {
        let due = state.withLockedValue { state -> [Sleeper] in
            state.now = state.now.addingTimeInterval(duration.timeInterval)
            let now = state.now
            let due = state.sleepers.filter { $0.deadline <= now }.sorted { $0.deadline < $1.deadline }
            state.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
    }
}
