import Foundation
import KubeRuntime
import KubeAPI
import RotorAPI

/// When an ExternalSecret's values are read again, from `refreshInterval` and `refreshPolicy`.
public enum RefreshSchedule: Sendable, Hashable {
    /// `Periodic` with a non-zero interval: every interval (±10 % jitter), and whenever the
    /// spec, the store or the force-sync annotation changes.
    case periodic(every: Duration)
    /// `OnChange`, or `Periodic` with `refreshInterval: "0"` (sync once): whenever the spec,
    /// the store or the force-sync annotation changes; never on a timer.
    case onChange
    /// `CreatedOnce`: only while the target Secret does not exist (or nothing was ever
    /// synced); never again afterwards, not even on force-sync. Deleting the Secret
    /// creates it again.
    case createdOnce

    /// The schedule `spec` asks for, or `InvalidSpec` naming the field.
    ///
    /// `refreshInterval` is checked whatever the policy, so a typo does not lie dormant
    /// until someone switches to `Periodic`.
    public static func of(_ spec: ExternalSecretSpec) -> Result<RefreshSchedule, SyncFailure> {
        guard let interval = spec.refreshIntervalDuration, interval >= .zero else {
            return .failure(.invalidSpec(
                field: "spec.refreshInterval",
                problem: "\"\(spec.refreshInterval ?? "")\" is not a duration (at most \(KubeDuration.specMaximumText)) such as 1h, 15m or 0"))
        }
        guard interval <= KubeDuration.specMaximum else {
            return .failure(.invalidSpec(
                field: "spec.refreshInterval",
                problem: "\"\(spec.refreshInterval ?? "")\" is longer than the maximum \(KubeDuration.specMaximumText)"))
        }
        switch spec.effectiveRefreshPolicy {
        case .periodic: return .success(interval == .zero ? .onChange : .periodic(every: interval.duration))
        case .onChange: return .success(.onChange)
        case .createdOnce: return .success(.createdOnce)
        default:
            let known = RefreshPolicy.knownValues.map(\.rawValue).joined(separator: ", ")
            return .failure(.invalidSpec(
                field: "spec.refreshPolicy", problem: "\"\(spec.effectiveRefreshPolicy.rawValue)\" is not one of \(known)"))
        }
    }
}

/// The target Secret as the reconciler found it.
public enum TargetState: Sendable, Hashable {
    /// There is no Secret of the target name.
    case missing
    /// The Secret holds what was last synced (its fingerprint matches `status.fingerprint`).
    case matches
    /// The Secret exists but was changed by someone else since the last sync.
    case drifted
    /// The Secret's data were edited by someone else (its fingerprint annotation is intact
    /// but no longer matches them): repaired at once, but never sooner than
    /// ``RefreshPlanner/editRepairSpacing`` after the last sync, so another writer that keeps
    /// changing the Secret meets one repair per spacing, not a write loop.
    case edited
}

/// Why an ExternalSecret is due for a sync.
public enum DueReason: String, Sendable, Hashable {
    case neverSynced, targetMissing, targetDrifted, specChanged, forceSync, intervalElapsed
}

/// What to do after a failed sync.
public enum FailureAction: Sendable, Equatable {
    /// Throw: the work queue retries with per-key exponential backoff.
    case backoff
    /// Retry after the provider's own hint, not earlier.
    case requeue(after: Duration)
    /// Only a change of the object can help (bad spec): a `TerminalError`.
    case waitForChange
}

/// Decides whether a reconcile must read the provider, and when the next one is.
///
/// Pure: time and randomness are passed in. Backoff after errors is the work queue's job;
/// this planner schedules successful syncs and honours a throttling hint.
public enum RefreshPlanner {
    /// Refresh times are spread by this fraction either way.
    public static let jitterFraction = 0.1

    /// Why a sync is due now, or `nil` when the provider need not be read.
    ///
    /// - Parameters:
    ///   - status: the ExternalSecret's status as read (`refreshTime`, `syncedResourceVersion`).
    ///   - current: ``SyncedVersion`` of the object and store as they are now.
    ///   - target: the target Secret as found.
    ///
    /// A periodic refresh is due once `refreshInterval × 0.9` has passed since
    /// `refreshTime`, the earliest a jittered requeue can come; a reconcile woken earlier by
    /// something else (a store status change, a resync) does not read the provider.
    /// Shortest time between a sync and the repair of an edit to its Secret's data.
    public static let editRepairSpacing: TimeInterval = 30

    /// When an edited Secret not yet repaired (``TargetState/edited``, too soon after the
    /// last sync) is to be looked at again; nil for any other state.
    public static func editRepairWake(target: TargetState, status: ExternalSecretStatus?) -> Date? {
        guard target == .edited, let refreshTime = status?.refreshTime else { return nil }
        return refreshTime.date.addingTimeInterval(editRepairSpacing)
    }

    public static func dueReason(
        schedule: RefreshSchedule, status: ExternalSecretStatus?, current: SyncedVersion, target: TargetState, now: Date
    ) -> DueReason? {
        let recorded = status?.syncedResourceVersion
        if case .createdOnce = schedule {
            if target == .missing { return .targetMissing }
            return recorded == nil ? .neverSynced : nil
        }
        guard let recorded, let refreshTime = status?.refreshTime else { return .neverSynced }
        switch target {
        case .missing: return .targetMissing
        case .drifted: return .targetDrifted
        case .edited:
            if now.timeIntervalSince(refreshTime.date) >= editRepairSpacing { return .targetDrifted }
        case .matches: break
        }
        if recorded != current.description {
            if current.specDiffers(from: recorded) { return .specChanged }
            // Only the force-sync part differs; a removed annotation asks for nothing.
            if current.forceSyncPart != nil { return .forceSync }
        }
        if case .periodic(let interval) = schedule,
            now.timeIntervalSince(refreshTime.date) >= interval.timeInterval * (1 - jitterFraction)
        {
            return .intervalElapsed
        }
        return nil
    }

    /// The next reconcile after a successful or not-due reconcile: for a periodic schedule,
    /// `lastRefresh` plus the interval jittered by ±10 % (`random` in `0...1`, see
    /// `Jitter.apply`), never later than a full jittered interval from `now`; otherwise
    /// `.done` (changes to the object or its store wake it).
    public static func nextAction(
        schedule: RefreshSchedule, lastRefresh: Date?, now: Date, random: () -> Double
    ) -> ReconcileAction {
        guard case .periodic(let interval) = schedule else { return .done }
        let jittered = Jitter.apply(interval, fraction: jitterFraction, random: random)
        let due = (lastRefresh ?? now).addingTimeInterval(jittered.timeInterval)
        let delay = min(max(due.timeIntervalSince(now), 0), jittered.timeInterval)
        return .requeue(after: .saturating(seconds: delay))
    }

    /// The draw in `0...1` that jitters `es`'s refresh interval (pass it as `random` to
    /// ``nextAction(schedule:lastRefresh:now:random:)``): a hash of its store and of the
    /// remote secrets it reads, not a random number, so that
    /// - ExternalSecrets reading the same secrets that were synced together stay together,
    ///   and their next refresh costs one read of each secret, while ExternalSecrets reading
    ///   different secrets spread over ±10 % of the interval (no refresh storm);
    /// - anyone can tell from the status alone when a refresh is due (the store's read-ahead,
    ///   ``ReadAheadPlanner``), and a restart does not move it.
    public static func jitterDraw(for es: ExternalSecret) -> Double {
        var text = ExternalSecretController.storeKey(of: es)
        for id in ReadAheadPlanner.remoteIDs(of: es.spec).map(\.description).sorted() { text += "\n" + id }
        for find in (es.spec.dataFrom ?? []).compactMap(\.find) {
            text += "\nfind:\(find.path ?? "")|\(find.name?.regexp ?? "")|\((find.tags ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })"
        }
        // FNV-1a (stable across processes, unlike `Hasher`), mixed by MurmurHash3's finaliser so
        // that names differing in one character land far apart; its top 53 bits as a fraction.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        hash = (hash ^ (hash >> 33)) &* 0xff51_afd7_ed55_8ccd
        hash = (hash ^ (hash >> 33)) &* 0xc4ce_b9fe_1a85_ec53
        hash ^= hash >> 33
        return Double(hash >> 11) / Double(UInt64(1) << 53)
    }

    /// What to do after `failure`: wait for a change for a bad spec; after a throttling
    /// hint, requeue after `retryAfter` stretched by up to 10 % (`random` in `0...1`) so
    /// that ExternalSecrets throttled together do not return together, never earlier than
    /// asked; otherwise back off.
    public static func afterFailure(_ failure: SyncFailure, random: () -> Double) -> FailureAction {
        if failure.isTerminal { return .waitForChange }
        guard let retryAfter = failure.retryAfter, retryAfter > .zero else { return .backoff }
        let stretch = 1 + jitterFraction * min(max(random(), 0), 1)
        return .requeue(after: .saturating(seconds: retryAfter.timeInterval * stretch, rounding: .up))
    }

    /// `action`, or a requeue at `wake` when that comes sooner (a grace window's end, which
    /// must not wait for the next refresh). A `wake` already past requeues at once.
    public static func earlier(_ action: ReconcileAction, wake: Date?, now: Date) -> ReconcileAction {
        guard let wake else { return action }
        let delay = Duration.saturating(seconds: wake.timeIntervalSince(now))
        if case .requeue(let after) = action, after <= delay { return action }
        return .requeue(after: delay)
    }
}
