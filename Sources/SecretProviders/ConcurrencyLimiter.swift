/// At most `limit` calls at a time (a per-store cap on in-flight provider calls);
/// further callers wait in arrival order.
public actor ConcurrencyLimiter {
    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Void, any Error>
    }

    /// Most calls allowed at once.
    public nonisolated let limit: Int
    /// Calls holding a permit now.
    public private(set) var inUse = 0
    /// The highest ``inUse`` seen, for tests and metrics.
    public private(set) var peakInUse = 0
    private var waiters: [Waiter] = []
    private var nextID: UInt64 = 0

    public init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Callers waiting for a permit.
    public var waiting: Int { waiters.count }

    /// Runs `body` while holding a permit. A caller cancelled while waiting throws
    /// `CancellationError` without running `body`.
    public nonisolated func withPermit<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await acquire()
        do {
            let value = try await body()
            await release()
            return value
        } catch {
            await release()
            throw error
        }
    }

    /// Takes a permit, waiting for one if all are in use. Pair with ``release()``.
    public func acquire() async throws {
        try Task.checkCancellation()
        if inUse < limit {
            take()
            return
        }
        nextID &+= 1
        let id = nextID
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                waiters.append(Waiter(id: id, continuation: continuation))
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    /// Returns a permit, handing it straight to the longest waiter.
    public func release() {
        precondition(inUse > 0, "ConcurrencyLimiter.release() without acquire()")
        if waiters.isEmpty {
            inUse -= 1
        } else {
            // The permit passes to the waiter; inUse is unchanged.
            waiters.removeFirst().continuation.resume()
        }
    }

    private func take() {
        inUse += 1
        peakInUse = max(peakInUse, inUse)
    }

    private func cancelWaiter(_ id: UInt64) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(throwing: CancellationError())
    }
}
