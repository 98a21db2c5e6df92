import Foundation

// The recorded state of one ExternalSecret's Vault dynamic-credential leases (issue 17),
// as ``LeasePlanner`` reads and folds it. Pure values: no I/O, no credentials (those live
// in the Secret), no clock (every time is passed in). Where this state is persisted is the
// wiring's business; the planner only asks that each change it returns is persisted before
// the next action is performed, and intents (``LeasePlanner/recordingIntent(of:in:now:)``)
// before the action they announce.

/// One Vault lease as Rotor records it.
public struct RecordedLease: Sendable, Hashable {
    /// Vault's `lease_id`.
    public var id: String
    public var issuedAt: Date
    /// When the lease ends unless renewed: the time of the last answer plus its `lease_duration`.
    public var expiresAt: Date
    /// The latest the lease can live (issue time plus the effective `max_ttl`), when known:
    /// from the role, or learnt from a renewal capped with Vault's warning.
    public var maxExpiry: Date?
    /// Vault's `renewable`; false once Vault refused a renewal.
    public var renewable: Bool
    public var lastRenewal: Date?
    /// Vault refused a renewal (`lease is not renewable`, `past the max TTL`): the lease must
    /// be replaced now, while it is still valid.
    public var renewalRefused: Bool
    /// The last renewal was capped at the lease's `max_ttl` (Vault's warning): it cannot be
    /// extended again.
    public var renewalCapped: Bool
    /// Renewals that failed (an error, not a refusal) since the last success: the backoff.
    public var renewalFailures: Int
    /// When a failed renewal may be tried again.
    public var renewalRetryAt: Date?

    public init(
        id: String, issuedAt: Date, expiresAt: Date, maxExpiry: Date? = nil, renewable: Bool = true, lastRenewal: Date? = nil,
        renewalRefused: Bool = false, renewalCapped: Bool = false, renewalFailures: Int = 0, renewalRetryAt: Date? = nil
    ) {
        self.id = id
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.maxExpiry = maxExpiry
        self.renewable = renewable
        self.lastRenewal = lastRenewal
        self.renewalRefused = renewalRefused
        self.renewalCapped = renewalCapped
        self.renewalFailures = renewalFailures
        self.renewalRetryAt = renewalRetryAt
    }

    /// Whether a renewal could move ``expiresAt`` later: renewable, not refused, not capped,
    /// and not already at ``maxExpiry``.
    public var canBeExtended: Bool {
        renewable && !renewalRefused && !renewalCapped && maxExpiry.map { expiresAt < $0 } ?? true
    }
}

/// The lease replaced by the last issue, kept (and in the Secret as `*_previous`) until its
/// grace period ends and the restart targets have rolled onto the new credentials; then
/// revoked once.
public struct PreviousLease: Sendable, Hashable {
    public var lease: RecordedLease
    /// Whole seconds, rounded up: never revoked, nor removed from the Secret, before it.
    public var graceUntil: Date
    /// The restart targets finished rolling out for the rotation that replaced this lease
    /// (true from the start when there are no restart targets).
    public var rolledOut: Bool
    /// Revocation asked for (recorded before it is sent); `nil`: not yet.
    public var revocation: LeaseRevocation?

    public init(lease: RecordedLease, graceUntil: Date, rolledOut: Bool, revocation: LeaseRevocation? = nil) {
        self.lease = lease
        self.graceUntil = graceUntil
        self.rolledOut = rolledOut
        self.revocation = revocation
    }
}

/// A revocation recorded before it is sent: a crash after sending resends it (Vault answers
/// 204 for a lease it no longer has), a recorded success is never sent again.
public struct LeaseRevocation: Sendable, Hashable {
    /// Revocations sent so far, the one in flight included.
    public var attempts: Int
    /// After a failure: when to send it again.
    public var retryAt: Date?

    public init(attempts: Int, retryAt: Date? = nil) {
        self.attempts = attempts
        self.retryAt = retryAt
    }
}

/// Why new credentials are issued.
public enum LeaseIssueReason: String, Sendable, Hashable, CaseIterable {
    /// No lease yet.
    case noLease = "NoLease"
    /// The recorded lease has expired (the operator was away, or every issue failed).
    case expired = "Expired"
    /// Vault refused to renew the lease.
    case renewalRefused = "RenewalRefused"
    /// A renewal was capped at `max_ttl`, so the lease ends before it could be renewed again.
    case renewalTruncated = "RenewalTruncated"
    /// The lease's known maximum expiry is within `rotateBefore`.
    case maxExpiryNear = "MaxExpiryNear"
    /// The lease is not renewable and is within `rotateBefore` of its expiry.
    case notRenewable = "NotRenewable"
    /// Renewals kept failing until the lease came within `rotateBefore` of its expiry.
    case renewalFailing = "RenewalFailing"
}

/// An issue recorded before it is sent, so that a crash after Vault answered never issues a
/// second time under the same ID: the next plan asks to recover it instead.
public struct PendingLeaseIssue: Sendable, Hashable {
    /// Unique per ExternalSecret (a counter): names the issue in the durable record of its answer.
    public var id: String
    public var reason: LeaseIssueReason
    public var recordedAt: Date

    public init(id: String, reason: LeaseIssueReason, recordedAt: Date) {
        self.id = id
        self.reason = reason
        self.recordedAt = recordedAt
    }
}

/// Which leases' credentials the Secret holds: the current as the synced keys, the
/// previous as `*_previous` with its `grace-until`.
public struct LeaseSecretContents: Sendable, Hashable {
    public var currentLeaseID: String
    public var previousLeaseID: String?
    public var graceUntil: Date?

    public init(currentLeaseID: String, previousLeaseID: String? = nil, graceUntil: Date? = nil) {
        self.currentLeaseID = currentLeaseID
        self.previousLeaseID = previousLeaseID
        self.graceUntil = graceUntil
    }
}

/// Everything recorded about one ExternalSecret's leases: at most one current and one previous.
public struct LeaseState: Sendable, Hashable {
    /// The lease whose credentials are in use; `nil` before the first issue.
    public var current: RecordedLease?
    public var previous: PreviousLease?
    public var pendingIssue: PendingLeaseIssue?
    /// Issues recorded so far: the next issue's ID is `issueCount + 1`.
    public var issueCount: Int
    /// Issues that failed since the last success: the backoff.
    public var issueFailures: Int
    public var issueRetryAt: Date?
    /// What the Secret was last written with; `nil`: not written since the state began.
    public var secretHolds: LeaseSecretContents?
    /// The rotation (the current lease's ID) whose restart targets have not been rolled yet.
    public var restartPendingFor: String?

    public init(
        current: RecordedLease? = nil, previous: PreviousLease? = nil, pendingIssue: PendingLeaseIssue? = nil, issueCount: Int = 0,
        issueFailures: Int = 0, issueRetryAt: Date? = nil, secretHolds: LeaseSecretContents? = nil, restartPendingFor: String? = nil
    ) {
        self.current = current
        self.previous = previous
        self.pendingIssue = pendingIssue
        self.issueCount = issueCount
        self.issueFailures = issueFailures
        self.issueRetryAt = issueRetryAt
        self.secretHolds = secretHolds
        self.restartPendingFor = restartPendingFor
    }
}

/// How the leases of one ExternalSecret are kept (not a user-visible field yet: the wiring
/// maps the spec onto it).
public struct LeaseSettings: Sendable, Hashable {
    /// Renew when this percentage of the lease's current term has passed (Vault agent's 2/3).
    public var renewalPercent: Double
    /// Replace the lease this long before it expires (or reaches its maximum expiry); never
    /// more than half its lifetime, so a short lease is not replaced the moment it is issued.
    /// The replaced lease is not renewed, so its credentials outlive the replacement by about
    /// this long: at least `gracePeriod` keeps them valid through the whole overlap.
    public var rotateBefore: TimeInterval
    /// How long the replaced lease's credentials stay in the Secret (and unrevoked).
    public var gracePeriod: TimeInterval
    /// Renewal time moved by up to ±this fraction of the renewal offset, so leases issued
    /// together are not renewed together.
    public var jitterFraction: Double
    /// Whether workloads are rolled after a replacement (revocation then waits for them).
    public var hasRestartTargets: Bool
    /// How often to look at the rollouts while a revocation waits for them.
    public var rolloutPollInterval: TimeInterval
    /// Backoff of failed renewals, issues and revocations: `retryBase × 2^(failures−1)`, at most `retryMax`.
    public var retryBase: TimeInterval
    public var retryMax: TimeInterval

    public init(
        renewalPercent: Double = 67, rotateBefore: TimeInterval = 300, gracePeriod: TimeInterval = 600, jitterFraction: Double = 0.1,
        hasRestartTargets: Bool = false, rolloutPollInterval: TimeInterval = 30, retryBase: TimeInterval = 5, retryMax: TimeInterval = 300
    ) {
        self.renewalPercent = renewalPercent
        self.rotateBefore = rotateBefore
        self.gracePeriod = gracePeriod
        self.jitterFraction = jitterFraction
        self.hasRestartTargets = hasRestartTargets
        self.rolloutPollInterval = rolloutPollInterval
        self.retryBase = retryBase
        self.retryMax = retryMax
    }

    /// The wait after `failures` consecutive failures (1 → `retryBase`).
    public func backoff(failures: Int) -> TimeInterval {
        let exponent = min(max(failures - 1, 0), 30)
        return min(retryMax, retryBase * pow(2, Double(exponent)))
    }
}
