import Foundation
import SecretProviders

/// A time source that moves only when a test advances it.
// @unchecked Sendable: `instant` is only read and written while holding `lock`.
final class ManualTime: @unchecked Sendable {
    private let lock = NSLock()
    private var instant = ContinuousClock.now

    var now: @Sendable () -> ContinuousClock.Instant {
        { [self] in lock.withLock { instant } }
    }

    func advance(by duration: Duration) {
        lock.withLock { instant = instant + duration }
    }
}

/// Holds callers until the test opens it; stands in for provider latency.
actor Gate {
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    /// Callers currently held.
    var waiting: Int { waiters.count }

    func wait() async {
        if isOpen { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func open() {
        isOpen = true
        let held = waiters
        waiters = []
        for waiter in held { waiter.resume() }
    }

    /// A sleep function for `FakeProvider(sleep:)` that waits on this gate instead of time.
    nonisolated var sleep: @Sendable (Duration) async throws -> Void {
        { [self] _ in await wait() }
    }
}

/// Waits (yielding, never sleeping) until `condition` holds; fails the wait after many turns.
func eventually(_ condition: @Sendable () async -> Bool) async -> Bool {
    for _ in 0..<100_000 {
        if await condition() { return true }
        await Task.yield()
    }
    return false
}

extension SecretValue {
    static func text(_ string: String) -> SecretValue { SecretValue(utf8: string) }
}
