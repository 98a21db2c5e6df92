import Foundation
import KubeAPI
import RotorAPI

/// What one reconcile of an ExternalSecret came to, as far as its status is concerned.
public enum SyncOutcome: Sendable, Hashable {
    /// A real sync: the values were read from the provider (directly or through a
    /// coalesced read shared with other ExternalSecrets) and the target Secret holds them,
    /// whether it had to be written or already matched. Moves `refreshTime` to now.
    case synced(SyncedSecret)
    /// Nothing was due (``RefreshPlanner/dueReason(schedule:status:current:target:now:)``
    /// returned `nil`), so the provider was not read. The Secret is as last synced;
    /// `refreshTime`, `fingerprint` and `syncedResourceVersion` stay as they are, and the
    /// status only changes if it reported a failure (e.g. the store was briefly not ready).
    case notDue(secretName: String, store: StoreIdentity)
    /// The sync failed; the Secret was left exactly as it was.
    case failed(SyncFailure)
}

/// The result of a real sync.
public struct SyncedSecret: Sendable, Hashable {
    /// The target Secret's name.
    public var secretName: String
    public var store: StoreIdentity
    /// ``SyncedVersion`` of the object that was synced.
    public var syncedVersion: SyncedVersion
    /// HMAC-SHA256 fingerprint (`hmac-sha256:…`) of the data now in the Secret.
    public var fingerprint: String?

    public init(secretName: String, store: StoreIdentity, syncedVersion: SyncedVersion, fingerprint: String?) {
        self.secretName = secretName
        self.store = store
        self.syncedVersion = syncedVersion
        self.fingerprint = fingerprint
    }
}

/// Builds the status an ExternalSecret should have after a reconcile, and tells whether it
/// needs writing.
///
/// Designed so that a reconcile that changes nothing produces a status *equal* to the one
/// it started from: messages hold no times or counters, the `Ready` condition keeps its
/// `lastTransitionTime` unless its status flips, and `refreshTime` only moves on a real
/// sync (``SyncOutcome/synced(_:)``). So ``statusChanged(_:_:)`` can compare everything.
public enum ExternalSecretStatusPlanner {
    /// The status after `outcome`, starting from `current` (the object's status as read).
    ///
    /// - `observedGeneration` (of the status and of the `Ready` condition) becomes `generation`.
    /// - Success: `Ready=True`, reason `Synced`; a real sync also sets `refreshTime` to `now`,
    ///   `syncedResourceVersion` and `fingerprint`.
    /// - Failure: `Ready=False` with the failure's reason and message; `refreshTime`,
    ///   `syncedResourceVersion` and `fingerprint` keep describing the Secret as last synced.
    /// - Other conditions and `rotation` are kept as they are.
    public static func desiredStatus(
        current: ExternalSecretStatus?, generation: Int64?, outcome: SyncOutcome, now: Date
    ) -> ExternalSecretStatus {
        var status = current ?? ExternalSecretStatus()
        status.observedGeneration = generation
        let ready: Condition
        switch outcome {
        case .synced(let synced):
            ready = Condition(
                type: ExternalSecretConditions.ready, status: .true, observedGeneration: generation,
                reason: ExternalSecretConditions.Reason.synced, message: syncedMessage(synced.secretName, synced.store))
            status.refreshTime = KubeTime(now)
            status.syncedResourceVersion = synced.syncedVersion.description
            status.fingerprint = synced.fingerprint
        case .notDue(let secretName, let store):
            ready = Condition(
                type: ExternalSecretConditions.ready, status: .true, observedGeneration: generation,
                reason: ExternalSecretConditions.Reason.synced, message: syncedMessage(secretName, store))
        case .failed(let failure):
            ready = Condition(
                type: ExternalSecretConditions.ready, status: .false, observedGeneration: generation,
                reason: failure.reason, message: failure.message)
        }
        status.conditions = ConditionPlanner.setting(ready, in: status.conditions, now: now)
        return status
    }

    /// Whether `new` differs from `old` in anything at all, i.e. whether a status write is needed.
    public static func statusChanged(_ old: ExternalSecretStatus?, _ new: ExternalSecretStatus) -> Bool {
        old != new
    }

    private static func syncedMessage(_ secretName: String, _ store: StoreIdentity) -> String {
        "Secret \"\(secretName)\" is in sync with \(store.phrase)"
    }
}
