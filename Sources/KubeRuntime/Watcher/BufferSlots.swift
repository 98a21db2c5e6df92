import NIOConcurrencyHelpers

/// Places in a watcher's event buffer: a producer takes one before buffering an event
/// and waits while none is free; the consumer frees one per event it takes. This is what
/// makes a slow consumer slow the watch down instead of growing a queue (an `AsyncStream`
/// buffering policy would drop events instead).
public final class BufferSlots: Sendable {
    private struct State {
        var used = 0
        var peak = 0
        var closed = false
        var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
        var nextWaiter: UInt64 = 0
    }

    /// The most places taken at once.
    public let limit: Int
    private let state = NIOLockedValueBox(State())

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Places taken now, and the most ever taken.
    public var usage: (now: Int, peak: Int) {
        state.withLockedValue { ($0.used, $0.peak) }
    }

    /// Takes a place, waiting while the buffer is full. Throws `CancellationError` when the
    /// task is cancelled or the consumer went away.
    func acquire() async throws {
        let id: UInt64? = try state.withLockedValue { state in
            if state.closed { throw CancellationError() }
            if state.used < limit {
                state.used += 1
                state.peak = max(state.peak, state.used)
                return nil
            }
            state.nextWaiter &+= 1
            return state.nextWaiter
        }
        guard let id else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let refused: Bool = state.withLockedValue { state in
                    if state.closed || Task.isCancelled { return true }
                    // A place may have been freed since the check above.
                    if state.used < limit {
                        state.used += 1
                        state.peak = max(state.peak, state.used)
                        continuation.resume()
                        return false
                    }
                    state.waiters.append((id, continuation))
                    return false
                }
                if refused { continuation.resume(throwing: CancellationError()) }
            }
        } onCancel: {
            let waiter: CheckedContinuation<Void, any Error>? = state.withLockedValue { state in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index).continuation
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// Frees a place: the consumer took an event. A waiting producer gets it at once.
    func release() {
        let waiter: CheckedContinuation<Void, any Error>? = state.withLockedValue { state in
            if !state.waiters.isEmpty {
                // The place passes straight to a waiting producer: `used` stays the same.
                return state.waiters.removeFirst().continuation
            }
            state.used = max(0, state.used - 1)
            return nil
        }
        waiter?.resume()
    }

    /// The consumer is gone: waiting and later producers are refused.
    func close() {
        let waiters: [CheckedContinuation<Void, any Error>] = state.withLockedValue { state in
            state.closed = true
            defer { state.waiters.removeAll() }
            return state.waiters.map(\.continuation)
        }
        for waiter in waiters { waiter.resume(throwing: CancellationError()) }
    }
}
