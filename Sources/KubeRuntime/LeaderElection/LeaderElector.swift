import Foundation
import KubeClient
import Logging
import NIOConcurrencyHelpers
import KubeAPI

/// Leader election on a `coordination.k8s.io/v1` Lease, like client-go's `leaderelection`.
///
/// ``run(_:)`` competes for the Lease and runs the leading work only while this replica
/// holds it:
/// - **acquire**: create the Lease, or take it over with an `update` guarded by its
///   `resourceVersion` when its holder is empty or it has lapsed. Lapsed is judged, as
///   client-go does, by local observation only: this replica notes on its own clock when
///   it last saw the Lease's record change (holder, renewTime, transitions, …), and the
///   Lease has lapsed once `leaseDurationSeconds` have passed on that clock since, with no
///   change seen. The record's timestamps are never compared with the local clock, so the
///   replicas' clocks may disagree by any offset. A `409` means another candidate won; it
///   is retried after `retryPeriod`. A takeover from another holder increments
///   `leaseTransitions` and sets `acquireTime`.
/// - **renew** every `retryPeriod`. If no renewal succeeds for `renewDeadline` (measured
///   on the local clock from the start of the last successful renewal, so a hanging
///   request counts too), or the Lease names another holder, the elector stops leading:
///   `isLeader` turns false, the leading work is cancelled and `onStoppedLeading` is
///   called. Another replica saw that renewal no earlier than it started, and waits
///   `leaseDuration` on its own clock from then, so this happens `leaseDuration -
///   renewDeadline` before anyone else may take the Lease over; the leading work must wind
///   down within that (see ``LeaderElectionConfiguration/workerGrace``). It then competes
///   again.
/// - **release**: when `run` is cancelled (or the leading work returns or throws), the
///   leading work is cancelled and awaited, and then, with `releaseOnCancel`, the Lease is
///   updated with no holder, `leaseDurationSeconds` 1 and `renewTime` now, so a standby
///   takes over at its next retry.
///
/// Safety (at no instant do two replicas run leading work) needs only that clocks run at
/// about the same rate, not that they agree: see ``LeaderElectionConfiguration`` for the
/// timing numbers and the margin they leave.
public final class LeaderElector: Sendable {
    public let configuration: LeaderElectionConfiguration

    private let client: any KubernetesClient
    private let clock: any RuntimeClock
    private let logger: Logger
    private let onStartedLeading: @Sendable () -> Void
    private let onStoppedLeading: @Sendable () -> Void
    private let onNewLeader: @Sendable (String?) -> Void
    private let state = NIOLockedValueBox(State())

    private struct State {
        var running = false
        var isLeader = false
        var currentLeader: String?
        var lastRenewTime: Date?
        var attempts = 0
        /// The Lease record last seen (or written) and when, by the local clock, it was
        /// first seen in that form: the basis of expiry.
        var observedRecord: LeaseSpec?
        var observedTime: Date?
    }

    /// - Parameters:
    ///   - onStartedLeading: called when this replica becomes leader, just before the
    ///     leading work starts.
    ///   - onStoppedLeading: called when this replica stops leading for any reason (lost
    ///     lease, cancellation, the work ending), after the work has been cancelled.
    ///   - onNewLeader: called when the observed holder of the Lease changes (nil: none).
    /// - Throws: ``LeaderElectionError`` when the configuration is invalid.
    public init(
        configuration: LeaderElectionConfiguration, client: any KubernetesClient, clock: any RuntimeClock = SystemClock(),
        logger: Logger = Logger(label: "rotor.leader-election"),
        onStartedLeading: @escaping @Sendable () -> Void = {}, onStoppedLeading: @escaping @Sendable () -> Void = {},
        onNewLeader: @escaping @Sendable (String?) -> Void = { _ in }
    ) throws(LeaderElectionError) {
        try configuration.validate()
        self.configuration = configuration
        self.client = client
        self.clock = clock
        var logger = logger
        logger[metadataKey: "lease"] = "\(configuration.leaseNamespace)/\(configuration.leaseName)"
        logger[metadataKey: "identity"] = "\(configuration.identity)"
        self.logger = logger
        self.onStartedLeading = onStartedLeading
        self.onStoppedLeading = onStoppedLeading
        self.onNewLeader = onNewLeader
    }

    /// Whether this replica currently leads (holds the Lease and is running the leading work).
    public var isLeader: Bool { state.withLockedValue { $0.isLeader } }

    /// The holder of the Lease as last observed (nil: none or not yet observed).
    public var currentLeader: String? { state.withLockedValue { $0.currentLeader } }

    /// The `renewTime` this replica last wrote while leading (by the injected clock).
    public var lastRenewTime: Date? { state.withLockedValue { $0.lastRenewTime } }

    /// How many acquire or renew attempts have completed, whatever their outcome (for
    /// metrics, and for tests that step a manual clock: an attempt is counted once it is
    /// over, just before the elector waits on the clock again).
    public var attemptCount: Int { state.withLockedValue { $0.attempts } }

    /// Competes for the Lease and runs `leading` while this replica holds it; when the
    /// Lease is lost, `leading` is cancelled and the elector competes again (so `leading`
    /// may run several times, never two at once, and never while another replica leads).
    ///
    /// Returns when the calling task is cancelled, or when `leading` returns; rethrows what
    /// `leading` throws (other than on cancellation). Either way the leading work has ended
    /// and, with `releaseOnCancel`, the Lease has been released when `run` returns.
    /// - Throws: ``LeaderElectionError`` (`alreadyRunning`) if `run` is already running.
    public func run(_ leading: @escaping @Sendable () async throws -> Void) async throws {
        let started = state.withLockedValue { state -> Bool in
            if state.running { return false }
            state.running = true
            return true
        }
        guard started else { throw LeaderElectionError.alreadyRunning("run(_:) is already running on this elector") }
        defer { state.withLockedValue { $0.running = false } }

        var firstRound = true
        while !Task.isCancelled {
            if !firstRound {
                // After losing the Lease, give the others one period before competing again.
                do { try await clock.sleep(for: configuration.retryPeriod) } catch { return }
            }
            firstRound = false
            guard let acquiredAt = await acquire() else { return }
            switch await lead(leading, acquiredAt: acquiredAt) {
            case .lost:
                continue
            case .cancelled, .finished:
                await releaseIfConfigured()
                return
            case .failed(let error):
                await releaseIfConfigured()
                throw error
            }
        }
    }

    // MARK: - Acquire

    /// Tries every `retryPeriod` until the Lease is held; returns the `renewTime` written,
    /// or nil when cancelled.
    private func acquire() async -> Date? {
        logger.debug("competing for the lease")
        while true {
            if Task.isCancelled { return nil }
            let start = clock.now()
            let result = await attempt(at: start)
            countAttempt()
            switch result {
            case .held:
                logger.info("acquired the lease")
                return start
            case .heldByOther, .conflict, .failed:
                break
            }
            do { try await clock.sleep(until: start.addingTimeInterval(configuration.retryPeriod.timeInterval)) } catch {
                return nil
            }
        }
    }

    private enum AttemptResult: Sendable {
        /// This replica holds the Lease, with `renewTime` = the attempt's start.
        case held
        /// Another holder's Lease is still valid.
        case heldByOther(String)
        /// The Lease changed (or was created) under us.
        case conflict
        case failed
    }

    private func countAttempt() {
        state.withLockedValue { $0.attempts += 1 }
    }

    /// One client-go `tryAcquireOrRenew`.
    private func attempt(at now: Date) async -> AttemptResult {
        let result: AttemptResult
        do {
            result = try await tryAcquireOrRenew(now: now)
        } catch let error as KubeAPIError {
            logger.warning("lease request failed", metadata: ["error": "\(error)"])
            result = .failed
        } catch {
            // Cancellation of the request, or an unexpected error.
            if !(error is CancellationError) {
                logger.warning("lease request failed", metadata: ["error": "\(error)"])
            }
            result = .failed
        }
        if case .held = result { state.withLockedValue { $0.lastRenewTime = KubeMicroTime(now).date } }
        return result
    }

    private func tryAcquireOrRenew(now: Date) async throws -> AttemptResult {
        let identity = configuration.identity
        let lease: Lease
        do {
            lease = try await client.get(Lease.self, namespace: configuration.leaseNamespace, name: configuration.leaseName)
        } catch let error as KubeAPIError where error.kind == .notFound {
            let new = Lease(
                metadata: ObjectMeta(name: configuration.leaseName, namespace: configuration.leaseNamespace),
                spec: LeaseSpec(
                    holderIdentity: identity, leaseDurationSeconds: configuration.leaseDurationSeconds,
                    acquireTime: KubeMicroTime(now), renewTime: KubeMicroTime(now), leaseTransitions: 0))
            do {
                _ = try await client.create(new)
            } catch let error as KubeAPIError where error.kind == .alreadyExists || error.kind == .conflict {
                return .conflict
            }
            observe(record: new.spec, at: clock.now())
            observe(holder: identity)
            return .held
        }

        let holder = lease.spec.holderIdentity ?? ""
        // When the record was read, not when the attempt began: a record written during the
        // request is then never dated before it was written.
        let observedAt = observe(record: lease.spec, at: clock.now())
        observe(holder: holder.isEmpty ? nil : holder)
        if !holder.isEmpty && holder != identity {
            // Valid while its duration has not passed on this clock since the record last
            // changed; a record without a duration is treated as lapsed, as in client-go.
            let duration = TimeInterval(max(0, lease.spec.leaseDurationSeconds ?? 0))
            if clock.now() < observedAt.addingTimeInterval(duration) { return .heldByOther(holder) }
        }

        var updated = lease
        if holder != identity {
            updated.spec.acquireTime = KubeMicroTime(now)
            updated.spec.leaseTransitions = (lease.spec.leaseTransitions ?? 0) + 1
        } else if updated.spec.acquireTime == nil {
            updated.spec.acquireTime = KubeMicroTime(now)
        }
        updated.spec.holderIdentity = identity
        updated.spec.leaseDurationSeconds = configuration.leaseDurationSeconds
        updated.spec.renewTime = KubeMicroTime(now)
        do {
            _ = try await client.update(updated)
        } catch let error as KubeAPIError where error.kind == .conflict || error.kind == .notFound {
            return .conflict
        }
        observe(record: updated.spec, at: clock.now())
        if holder != identity {
            logger.info("took the lease over", metadata: ["previousHolder": "\(holder)"])
        }
        observe(holder: identity)
        return .held
    }

    /// Records `record` as seen at `time` if it differs from the one last seen; returns the
    /// local time at which the record, as it is now, was first seen.
    @discardableResult
    private func observe(record: LeaseSpec, at time: Date) -> Date {
        state.withLockedValue { state in
            if state.observedRecord != record || state.observedTime == nil {
                state.observedRecord = record
                state.observedTime = time
            }
            return state.observedTime ?? time
        }
    }

    private func observe(holder: String?) {
        let changed = state.withLockedValue { state -> Bool in
            guard state.currentLeader != holder else { return false }
            state.currentLeader = holder
            return true
        }
        if changed { onNewLeader(holder) }
    }

    // MARK: - Lead

    private enum LeadOutcome: Sendable {
        case lost
        case cancelled
        case finished
        case failed(any Error)
    }

    private enum ChildOutcome: Sendable {
        case workFinished
        case workFailed(any Error)
        case workCancelled
        case lost
        case renewCancelled
    }

    private func lead(_ leading: @escaping @Sendable () async throws -> Void, acquiredAt: Date) async -> LeadOutcome {
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

    private func releaseIfConfigured() async {
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
    private func release() async {
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
