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

    // Internal rather than private only so that leading and release
    // (LeaderElector+Leading.swift) can reach them; nothing else touches them.
    let client: any KubernetesClient
    let clock: any RuntimeClock
    let logger: Logger
    let onStartedLeading: @Sendable () -> Void
    let onStoppedLeading: @Sendable () -> Void
    private let onNewLeader: @Sendable (String?) -> Void
    let state = NIOLockedValueBox(State())

    struct State {
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
        logger: Logger = Logger(label: "kuberuntime.leader-election"),
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

    enum AttemptResult: Sendable {
        /// This replica holds the Lease, with `renewTime` = the attempt's start.
        case held
        /// Another holder's Lease is still valid.
        case heldByOther(String)
        /// The Lease changed (or was created) under us.
        case conflict
        case failed
    }

    func countAttempt() {
        state.withLockedValue { $0.attempts += 1 }
    }

    /// One client-go `tryAcquireOrRenew`.
    func attempt(at now: Date) async -> AttemptResult {
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
    func observe(record: LeaseSpec, at time: Date) -> Date {
        state.withLockedValue { state in
            if state.observedRecord != record || state.observedTime == nil {
                state.observedRecord = record
                state.observedTime = time
            }
            return state.observedTime ?? time
        }
    }

    func observe(holder: String?) {
        let changed = state.withLockedValue { state -> Bool in
            guard state.currentLeader != holder else { return false }
            state.currentLeader = holder
            return true
        }
        if changed { onNewLeader(holder) }
    }
}
