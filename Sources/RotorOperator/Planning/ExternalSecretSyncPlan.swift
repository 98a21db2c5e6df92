import Foundation
import KubeRuntime
import KubeAPI
import RotorAPI

// The values ``ExternalSecretSyncPlanner`` is given and returns. The reconciler reads into
// an input, asks the planner, and carries the decision out; it decides nothing itself.

/// What the reconciler knows once it has looked at the target Secret: the input of
/// ``ExternalSecretSyncPlanner/intake(_:)``.
public struct SyncIntake: Sendable {
    /// The ExternalSecret as read (before any status write of this reconcile).
    public var externalSecret: ExternalSecret
    public var schedule: RefreshSchedule
    public var store: ResolvedStore
    /// The entry of ``VerifiedTargets`` that spared the read of the Secret, if one did.
    public var verified: VerifiedTargets.Entry?
    /// The target Secret as read; nil when not read (verified, or presumed missing) or not found.
    public var existing: Secret?
    /// Whether the other ExternalSecret recorded as manager of `existing` is gone.
    public var recordedManagerGone: Bool
    /// The per-install HMAC key's bytes.
    public var fingerprintKey: [UInt8]
    public var now: Date

    public init(
        externalSecret: ExternalSecret, schedule: RefreshSchedule, store: ResolvedStore, verified: VerifiedTargets.Entry? = nil,
        existing: Secret? = nil, recordedManagerGone: Bool = false, fingerprintKey: [UInt8], now: Date
    ) {
        self.externalSecret = externalSecret
        self.schedule = schedule
        self.store = store
        self.verified = verified
        self.existing = existing
        self.recordedManagerGone = recordedManagerGone
        self.fingerprintKey = fingerprintKey
        self.now = now
    }
}

/// What to do once the target Secret is known.
public enum IntakeDecision: Sendable {
    /// Report this failure and stop (the Secret is another ExternalSecret's, or not Rotor's).
    case refuse(SyncFailure)
    /// Go on as the course says.
    case proceed(SyncCourse)
}

/// The course of a reconcile that may touch the Secret.
public struct SyncCourse: Sendable {
    /// The target Secret's state (what made a sync due, or not).
    public var targetState: TargetState
    /// The scheduled-rotation step: `.start` or `.resume` write the provider before the sync.
    public var scheduled: ScheduledRotation.Decision
    /// The overlap window the Secret recorded when read.
    public var recordedWindow: RotationWindow?
    /// Whether the provider is read now, or only the status is brought up to date.
    public var next: Next

    public enum Next: Sendable {
        /// No refresh and no rotation housekeeping is due: the provider is not read.
        case notDue(NotDuePlan)
        /// Read the provider and sync.
        case sync(SyncStart)
    }

    /// Whether the provider side of a scheduled rotation is written before the sync.
    public var writesProviderFirst: Bool {
        switch scheduled {
        case .start, .resume: true
        case .none, .abandon: false
        }
    }
}

/// A reconcile that reads nothing from the provider.
public struct NotDuePlan: Sendable {
    public var status: StatusUpdate
    public var observation: RotationObservation
    /// When to look again: the next refresh, or sooner (grace-until, next rotation, edit repair).
    public var wake: ReconcileAction
}

/// How a sync begins, before the values are read.
public struct SyncStart: Sendable, Equatable {
    /// Why the provider is read (nil: only housekeeping of the rotation window is due).
    public var due: DueReason?
    /// Remote keys whose cached reads are dropped first: a new force-sync value means "from
    /// the provider", not from what other ExternalSecrets read lately.
    public var dropCachedKeys: Set<String>
    /// The window whose restart targets' rollouts are looked at before planning the write
    /// (its grace period has ended, and previous values wait for unfinished rollouts).
    public var checkRolloutsOf: RotationWindow?
}

/// A restart target whose rollout has not completed, with kubectl's message.
public struct PendingRollout: Sendable, Hashable {
    public var name: String
    public var message: String

    public init(name: String, message: String) {
        self.name = name
        self.message = message
    }
}

/// What the reconciler knows once it has read and rendered the values: the input of
/// ``ExternalSecretSyncPlanner/sync(_:)``.
public struct SyncInput: Sendable {
    /// The ExternalSecret as it is now (its status includes a `pendingID` just recorded).
    public var externalSecret: ExternalSecret
    public var schedule: RefreshSchedule
    public var store: ResolvedStore
    public var rendered: RenderedSecret
    /// The verified entry still trusted after rendering (same data as verified).
    public var verified: VerifiedTargets.Entry?
    /// The target Secret as read (nil when verified, or not found).
    public var existing: Secret?
    public var recordedManagerGone: Bool
    /// The window the Secret recorded when first read (``SyncCourse/recordedWindow``).
    public var recordedWindow: RotationWindow?
    /// Restart targets whose rollout for the ended window has not completed.
    public var pendingRollouts: [PendingRollout]
    /// A scheduled rotation's provider write is done in this reconcile.
    public var scheduledWritten: Bool
    public var fingerprintKey: [UInt8]
    public var now: Date

    public init(
        externalSecret: ExternalSecret, schedule: RefreshSchedule, store: ResolvedStore, rendered: RenderedSecret,
        verified: VerifiedTargets.Entry? = nil, existing: Secret? = nil, recordedManagerGone: Bool = false, recordedWindow: RotationWindow? = nil,
        pendingRollouts: [PendingRollout] = [], scheduledWritten: Bool = false, fingerprintKey: [UInt8], now: Date
    ) {
        self.externalSecret = externalSecret
        self.schedule = schedule
        self.store = store
        self.rendered = rendered
        self.verified = verified
        self.existing = existing
        self.recordedManagerGone = recordedManagerGone
        self.recordedWindow = recordedWindow
        self.pendingRollouts = pendingRollouts
        self.scheduledWritten = scheduledWritten
        self.fingerprintKey = fingerprintKey
        self.now = now
    }
}

/// What a sync comes to.
public enum SyncDecision: Sendable {
    /// Report this failure; nothing is written (invalid rotation settings, a refused plan).
    case fail(SyncFailure)
    /// Carry out these steps, in this order.
    case carryOut(SyncSteps)
}

/// The write to the target Secret.
public enum SecretWrite: Sendable {
    case create(Secret)
    case update(Secret)
    /// It matches already.
    case none
}

/// The steps of a sync, in order: write the Secret, record (or forget) the verified
/// target, announce the write, roll restart targets, write the status, warn of held
/// rollouts, observe rotation metrics, and wake at `wake`.
public struct SyncSteps: Sendable {
    public var write: SecretWrite
    /// `namespace/name` of the target Secret (for messages).
    public var secret: String
    /// The Secret's resourceVersion as read; a write replaces it with the written one.
    public var targetVersionAsRead: String?
    /// What ``VerifiedTargets`` records once the Secret matches; nil: forget the entry.
    public var verifiedRecord: VerifiedRecord?
    /// Events for the write (only when there is one): `Synced`, `Rotated`, `GraceExpired`.
    public var writeEvents: [PlannedEvent]
    /// The write opened a window: counted in `rotor_rotations_total{result="success"}`.
    public var countsRotation: Bool
    /// Roll the restart targets for this window (not yet rolled for its rotation).
    public var restartFor: RotationWindow?
    public var status: StatusUpdate
    /// Recorded once, when previous values start waiting for rollouts.
    public var rolloutWarning: PlannedEvent?
    public var observation: RotationObservation
    public var wake: ReconcileAction

    /// The entry to record after the write, with the Secret's version then; nil (forget the
    /// entry) without a record to keep or without a known version.
    public func verifiedEntry(secretVersion: String?) -> VerifiedTargets.Entry? {
        guard let verifiedRecord, let secretVersion else { return nil }
        return VerifiedTargets.Entry(
            secretResourceVersion: secretVersion, fingerprint: verifiedRecord.fingerprint, uid: verifiedRecord.uid,
            generation: verifiedRecord.generation, created: verifiedRecord.created)
    }
}

/// What ``VerifiedTargets`` is to remember of a plain Secret (no rotation state) that matches.
public struct VerifiedRecord: Sendable, Equatable {
    public var fingerprint: String
    public var uid: String?
    public var generation: Int64?
    public var created: Date?
}

/// An Event to record about the ExternalSecret.
public struct PlannedEvent: Sendable, Hashable {
    public enum Kind: Sendable, Hashable { case normal, warning }
    public var kind: Kind
    public var reason: String
    public var message: String

    public static func normal(_ reason: String, _ message: String) -> PlannedEvent { PlannedEvent(kind: .normal, reason: reason, message: message) }
    public static func warning(_ reason: String, _ message: String) -> PlannedEvent { PlannedEvent(kind: .warning, reason: reason, message: message) }
}

/// The status to write (only when it changes the status).
public struct StatusUpdate: Sendable, Equatable {
    public var outcome: SyncOutcome
    /// Replaces `status.rotation` (even with nil) when given; kept when `.none`.
    public var rotation: ExternalSecretRotationStatus??
    /// Sets (or, `.some(nil)`, removes) the `RolloutComplete` condition; untouched when `.none`.
    public var rolloutCondition: Condition??

    public init(outcome: SyncOutcome, rotation: ExternalSecretRotationStatus?? = .none, rolloutCondition: Condition?? = .none) {
        self.outcome = outcome
        self.rotation = rotation
        self.rolloutCondition = rolloutCondition
    }
}

/// The rotation metrics after a reconcile.
public struct RotationObservation: Sendable, Equatable {
    /// Previous values are kept (`rotor_rotation_overlap_active`).
    public var overlap: Bool
    /// When the values last changed (`rotor_secret_age_seconds`), if known.
    public var valuesChangedAt: Date?
}

/// What a failed read of the values comes to.
public struct ReadFailureDecision: Sendable, Equatable {
    /// `deletionPolicy: Delete` and the remote secret is gone: delete the Secret (if this
    /// ExternalSecret controls it) and forget the verified entry.
    public var deletesTarget: Bool
    /// The Secret was not read (a verified entry spared it): read it before deleting.
    public var readsTargetFirst: Bool
    /// The failure to report afterwards.
    public var failure: SyncFailure
}
