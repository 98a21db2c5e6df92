import Foundation
import KubeClient
import Logging
import NIOConcurrencyHelpers
import KubeAPI

/// Leading and letting go: the leading work runs beside the renew loop until either ends
/// (a lost Lease cancels the work after its grace), then the Lease is released if configured.
extension LeaderElector {
    // MARK: - Lead

    enum LeadOutcome: Sendable {
        case lost
        case cancelled
        case finished
        case failed(any Error)
    }

    enum ChildOutcome: Sendable {
        case workFinished
        case workFailed(any Error)
        case workCancelled
        case lost
        case renewCancelled
    }

    func lead(_ leading: @escaping @Sendable () async throws -> Void, acquiredAt: Date) async -> LeadOutcome {
        state.withLockedValue { $0.isLeader = true }
        logger.info("started leading")
        onStartedLeading()
        let first = await withTaskGroup(of: ChildOutcome.self) { group -> ChildOutcome in
            group.addTask {
                do {
                    try await leading()
                    return .workFinished
                } catch {
                    return Task.isCancelled || error is CancellationError ? .workCancelled : .workFailed(error)
                }
            }
            group.addTask { await self.renewLoop(lastRenew: acquiredAt) ? .lost : .renewCancelled }
            let first = await group.next() ?? .renewCancelled
            // Stop leading before anything else: no more reconciles from here on.
            state.withLockedValue { $0.isLeader = false }
            group.cancelAll()
            if case .lost = first { onStoppedLeading() }
            // Wait for the leading work to end (it must honour cancellation).
            while await group.next() != nil {}
            return first
        }
        switch first {
        case .lost:
            logger.warning("stopped leading: the lease could not be renewed or was taken over")
            return .lost
        case .workFinished, .workFailed, .workCancelled, .renewCancelled:
            logger.info("stopped leading")
            onStoppedLeading()
            if Task.isCancelled { return .cancelled }
            switch first {
            case .workFailed(let error): return .failed(error)
            case .workFinished: return .finished
            default: return .cancelled
            }
        }
    }

    /// Renews every `retryPeriod`. Returns true when the lease is lost (not renewed within
    /// `renewDeadline` of the last renewal, or held by another), false when cancelled.
    private func renewLoop(lastRenew: Date) async -> Bool {
        var lastRenew = lastRenew
        var nextAttempt = lastRenew.addingTimeInterval(configuration.retryPeriod.timeInterval)
        while true {
            let deadline = lastRenew.addingTimeInterval(configuration.renewDeadline.timeInterval)
            do { try await clock.sleep(until: min(nextAttempt, deadline)) } catch { return false }
            if clock.now() >= deadline {
                logger.warning("failed to renew the lease within the renew deadline")
                return true
            }
            let start = clock.now()
            // Race the attempt against the deadline, so that a hanging request cannot keep us leading.
            let result = await withTaskGroup(of: AttemptResult?.self) { group -> AttemptResult? in
                group.addTask { await self.attempt(at: start) }
                group.addTask {
                    do { try await self.clock.sleep(until: deadline) } catch { return .failed }
                    return nil
                }
                let first = await group.next() ?? nil
                group.cancelAll()
                return first
            }
            // Counted once the race is over (its deadline sleeper gone), before sleeping again.
            countAttempt()
            if Task.isCancelled { return false }
            switch result {
            case nil:
                logger.warning("failed to renew the lease within the renew deadline")
                return true
            case .held:
                lastRenew = KubeMicroTime(start).date
                nextAttempt = start.addingTimeInterval(configuration.retryPeriod.timeInterval)
            case .heldByOther(let holder):
                logger.warning("the lease is held by another replica", metadata: ["holder": "\(holder)"])
                return true
            case .conflict, .failed:
                nextAttempt = start.addingTimeInterval(configuration.retryPeriod.timeInterval)
            }
        }
    }

    // MARK: - Release

    func releaseIfConfigured() async {
        guard configuration.releaseOnCancel else { return }
        // A new task: the caller is usually cancelled, which would cancel the requests.
        // Bounded by renewDeadline on the clock (and by the client's request timeout).
        let clock = self.clock
        let limit = configuration.renewDeadline
        await Task {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.release() }
                group.addTask { try? await clock.sleep(for: limit) }
                await group.next()
                group.cancelAll()
            }
        }.value
    }

    /// Clears the holder if it is still this replica (client-go's `release`).
    func release() async {
        do {
            var lease = try await client.get(Lease.self, namespace: configuration.leaseNamespace, name: configuration.leaseName)
            guard lease.spec.holderIdentity == configuration.identity else { return }
            let now = KubeMicroTime(clock.now())
            lease.spec.holderIdentity = nil
            lease.spec.leaseDurationSeconds = 1
            lease.spec.acquireTime = now
            lease.spec.renewTime = now
            _ = try await client.update(lease)
            observe(record: lease.spec, at: clock.now())
            observe(holder: nil)
            logger.info("released the lease")
        } catch {
            logger.warning("failed to release the lease", metadata: ["error": "\(error)"])
        }
    }
}
