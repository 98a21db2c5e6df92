import Foundation

/// The one thing to do next about an ExternalSecret's Vault leases.
public enum LeaseAction: Sendable, Hashable {
    /// Renew the current lease (`sys/leases/renew`, no increment).
    case renew(leaseID: String)
    /// Issue new credentials (read the role's `creds` path). Record the intent first
    /// (``LeasePlanner/recordingIntent(of:in:now:)``), then issue, then keep Vault's answer
    /// durably under `issueID` before folding it in.
    case issueNew(issueID: String, reason: LeaseIssueReason)
    /// An issue was recorded but its answer never folded in (a crash): look for the answer
    /// kept under `issueID` instead of issuing again. Fold ``LeaseOutcome/issued(_:)`` when
    /// found, ``LeaseOutcome/issueNotRecovered`` when not (a lease issued then is never
    /// renewed, so Vault revokes it at its TTL).
    case recoverIssue(issueID: String)
    /// Write the Secret with the current lease's credentials, and the previous lease's as
    /// `*_previous` with `grace-until` when `contents` names one (else remove them).
    case writeSecret(LeaseSecretContents)
    /// Roll the restart targets onto the current credentials (`rotationID`: the current
    /// lease's ID, as the restart annotation, so a repeat after a crash is a no-op).
    case restartTargets(rotationID: String)
    /// Revoke the previous lease: its grace period ended, its rollouts completed, and the
    /// Secret no longer holds it. Record the intent first.
    case revoke(leaseID: String, attempt: Int)
    /// Nothing now; run again at `wakeAt` (`nil`: nothing is scheduled).
    case none(wakeAt: Date?)
}

/// What Vault granted when credentials were issued.
public struct LeaseGrant: Sendable, Hashable {
    public var id: String
    /// When Vault answered: `lease_duration` counts from here (a recovered answer keeps its time).
    public var issuedAt: Date
    /// `lease_duration`, seconds.
    public var duration: TimeInterval
    public var renewable: Bool
    /// The effective `max_ttl` from `issuedAt`, when known.
    public var maxTTL: TimeInterval?

    public init(id: String, issuedAt: Date, duration: TimeInterval, renewable: Bool = true, maxTTL: TimeInterval? = nil) {
        self.id = id
        self.issuedAt = issuedAt
        self.duration = duration
        self.renewable = renewable
        self.maxTTL = maxTTL
    }
}

/// How an action ended, folded back into the state with ``LeasePlanner/apply(_:of:to:settings:now:)``.
/// A failed Secret write or restart is not folded: the next plan asks for it again.
public enum LeaseOutcome: Sendable, Hashable {
    /// Vault renewed: the new `lease_duration`, and whether it was capped at `max_ttl`
    /// (see ``LeasePlanner/renewed(duration:warnings:)``).
    case renewed(duration: TimeInterval, capped: Bool)
    /// Vault refused to renew (400: not renewable, past the max TTL, not found).
    case renewalRefused
    /// The renewal failed otherwise (5xx, network): retried with backoff until the lease must be replaced.
    case renewalFailed
    /// New credentials (from ``LeaseAction/issueNew(issueID:reason:)`` or ``LeaseAction/recoverIssue(issueID:)``).
    case issued(LeaseGrant)
    case issueFailed
    /// No answer was kept for the pending issue: a new issue (with a new ID) follows.
    case issueNotRecovered
    case secretWritten
    case targetsRestarted
    /// Revoked (Vault's 204, also for a lease it no longer has).
    case revoked
    /// Retried with backoff; never a reason to issue again.
    case revocationFailed
}

/// The pure decision core of the lease lifecycle of one ExternalSecret's Vault dynamic
/// credentials, in the "plan, record, act, fold" style of scheduled rotation:
///
/// 1. `plan` the next action from the recorded state and `now`;
/// 2. persist `recordingIntent(of:)` (issues and revocations are announced before they are sent);
/// 3. perform the action;
/// 4. persist `apply(outcome, of: action)`.
///
/// A crash between any two steps leaves a recorded state from which `plan` is safe again:
/// an issue recorded but not folded is recovered, never repeated; a revocation recorded but
/// not folded is resent (Vault treats it as done), a folded one is never sent again; Secret
/// writes and restarts are idempotent and repeated until folded.
///
/// Lifecycle: renew at `renewalPercent` of each term (jittered), never later than the
/// replacement deadline (expiry − `rotateBefore`); replace the lease (issue) when Vault
/// refuses, caps, or the lease cannot be kept past the deadline; the replaced lease stays in
/// the Secret as `*_previous` until `graceUntil` and the rollouts of the restart targets,
/// then the Secret drops it and it is revoked once. At most one current and one previous
/// lease are tracked; a previous lease displaced by yet another issue is left to expire at
/// its TTL (it is never renewed), never revoked before its grace ended.
public enum LeasePlanner {
    /// The next action for `state` at `now`. `random` returns values in `0...1` (the renewal
    /// jitter); each plan draws anew, so the renewal happens at the first plan past a draw,
    /// always within the jitter bounds of ``renewalBounds(for:settings:)``.
    public static func plan(_ state: LeaseState, settings: LeaseSettings, now: Date, random: () -> Double) -> LeaseAction {
        if let pending = state.pendingIssue { return .recoverIssue(issueID: pending.id) }
        var wakes: [Date] = []

        switch currentLeaseStep(state.current, settings: settings, now: now, random: random) {
        case .issue(let reason):
            if let retry = state.issueRetryAt, now < retry {
                wakes.append(retry)
            } else {
                return .issueNew(issueID: String(state.issueCount + 1), reason: reason)
            }
        case .renew(let id): return .renew(leaseID: id)
        case .wait(let until): wakes.append(until)
        }

        if let desired = desiredSecret(state, settings: settings, now: now), desired != state.secretHolds {
            return .writeSecret(desired)
        }
        if let rotation = state.restartPendingFor, state.secretHolds?.currentLeaseID == rotation {
            return .restartTargets(rotationID: rotation)
        }
        if let previous = state.previous {
            if previous.revocation != nil || isRetired(previous, state: state, now: now) {
                if let retry = previous.revocation?.retryAt, now < retry {
                    wakes.append(retry)
                } else {
                    return .revoke(leaseID: previous.lease.id, attempt: (previous.revocation?.attempts ?? 0) + 1)
                }
            } else if now < previous.graceUntil {
                wakes.append(previous.graceUntil)
            } else {
                // Grace over, rollouts not yet: look again soon.
                wakes.append(now.addingTimeInterval(settings.rolloutPollInterval))
            }
        }
        return .none(wakeAt: wakes.min())
    }

    /// The state to persist before performing `action`: an issue's ID and reason, a
    /// revocation's attempt. Other actions need no intent (they are idempotent).
    public static func recordingIntent(of action: LeaseAction, in state: LeaseState, now: Date) -> LeaseState {
        var next = state
        switch action {
        case .issueNew(let id, let reason):
            next.pendingIssue = PendingLeaseIssue(id: id, reason: reason, recordedAt: now)
            next.issueCount += 1
        case .revoke(let id, let attempt):
            guard var previous = next.previous, previous.lease.id == id else { return state }
            previous.revocation = LeaseRevocation(attempts: attempt)
            next.previous = previous
        default:
            break
        }
        return next
    }

    /// Folds the outcome of `action` (planned from `state`, with its intent recorded) into
    /// the state. An outcome that does not belong to the action, or to a lease no longer
    /// tracked, changes nothing.
    public static func apply(_ outcome: LeaseOutcome, of action: LeaseAction, to state: LeaseState, settings: LeaseSettings, now: Date) -> LeaseState {
        var next = state
        switch (action, outcome) {
        case (.renew(let id), .renewed(let duration, let capped)):
            guard var lease = next.current, lease.id == id else { return state }
            guard duration > 0 else { return apply(.renewalRefused, of: action, to: state, settings: settings, now: now) }
            lease.expiresAt = now.addingTimeInterval(duration)
            lease.lastRenewal = now
            lease.renewalFailures = 0
            lease.renewalRetryAt = nil
            if capped {
                lease.renewalCapped = true
                lease.maxExpiry = lease.expiresAt
            }
            next.current = lease
        case (.renew(let id), .renewalRefused):
            guard var lease = next.current, lease.id == id else { return state }
            lease.renewalRefused = true
            lease.renewable = false
            next.current = lease
        case (.renew(let id), .renewalFailed):
            guard var lease = next.current, lease.id == id else { return state }
            lease.renewalFailures += 1
            let retry = now.addingTimeInterval(settings.backoff(failures: lease.renewalFailures))
            lease.renewalRetryAt = min(retry, replacementDeadline(for: lease, settings: settings))
            next.current = lease
        case (.issueNew(let id, _), .issued(let grant)), (.recoverIssue(let id), .issued(let grant)):
            guard next.pendingIssue?.id == id else { return state }
            install(grant, in: &next, settings: settings, now: now)
        case (.issueNew(let id, _), .issueFailed):
            guard next.pendingIssue?.id == id else { return state }
            next.pendingIssue = nil
            next.issueFailures += 1
            next.issueRetryAt = now.addingTimeInterval(settings.backoff(failures: next.issueFailures))
        case (.recoverIssue(let id), .issueNotRecovered):
            guard next.pendingIssue?.id == id else { return state }
            next.pendingIssue = nil
        case (.writeSecret(let contents), .secretWritten):
            next.secretHolds = contents
        case (.restartTargets(let rotation), .targetsRestarted):
            if next.restartPendingFor == rotation { next.restartPendingFor = nil }
        case (.revoke(let id, _), .revoked):
            if next.previous?.lease.id == id { next.previous = nil }
        case (.revoke(let id, _), .revocationFailed):
            guard var previous = next.previous, previous.lease.id == id else { return state }
            if previous.lease.expiresAt <= now {
                // Past its TTL: Vault's expiration manager revokes it; nothing left to retry.
                next.previous = nil
            } else {
                let attempts = max(previous.revocation?.attempts ?? 1, 1)
                previous.revocation = LeaseRevocation(attempts: attempts, retryAt: now.addingTimeInterval(settings.backoff(failures: attempts)))
                next.previous = previous
            }
        default:
            return state
        }
        return next
    }

    /// Records that the restart targets finished rolling out for `rotationID` (an
    /// observation of the cluster, not an action's outcome). Counts only for the current
    /// rotation, once its restart was recorded.
    public static func observingRolloutsComplete(for rotationID: String, in state: LeaseState) -> LeaseState {
        guard state.current?.id == rotationID, state.restartPendingFor == nil, var previous = state.previous else { return state }
        previous.rolledOut = true
        var next = state
        next.previous = previous
        return next
    }

    /// The outcome of a renewal answer: capped when any warning is Vault's `max_ttl` capping one.
    public static func renewed(duration: TimeInterval, warnings: [String]) -> LeaseOutcome {
        .renewed(duration: duration, capped: warnings.contains(where: isMaxTTLCappingWarning))
    }

    /// Vault's warning when a renewal was cut to the lease's max TTL: `TTL of "1h0m0s"
    /// exceeded the effective max_ttl of "10m0s"; TTL value is capped accordingly`.
    public static func isMaxTTLCappingWarning(_ warning: String) -> Bool {
        warning.contains("exceeded the effective max_ttl") || warning.contains("capped accordingly")
    }

    // MARK: Time math

    /// When the lease must have been replaced: `rotateBefore` before its expiry, with
    /// `rotateBefore` at most half the lease's lifetime (issue to maximum or current expiry),
    /// so a lease shorter than `rotateBefore` is still used for half its life. For a lease
    /// that can still be extended, also at most half its current term: a renewal always
    /// moves the deadline past the renewal (else a term shorter than `rotateBefore` would be
    /// renewed again and again at the same instant).
    public static func replacementDeadline(for lease: RecordedLease, settings: LeaseSettings) -> Date {
        var before = effectiveRotateBefore(for: lease, settings: settings)
        if lease.canBeExtended {
            let term = max(0, lease.expiresAt.timeIntervalSince(lease.lastRenewal ?? lease.issuedAt))
            before = min(before, term / 2)
        }
        return lease.expiresAt.addingTimeInterval(-before)
    }

    static func effectiveRotateBefore(for lease: RecordedLease, settings: LeaseSettings) -> TimeInterval {
        let lifetime = max(0, (lease.maxExpiry ?? lease.expiresAt).timeIntervalSince(lease.issuedAt))
        return min(max(settings.rotateBefore, 0), lifetime / 2)
    }

    /// The renewal time for one `random` draw: `renewalPercent` of the current term (from
    /// the last renewal, else the issue) moved by ±`jitterFraction` of itself, never later
    /// than ``replacementDeadline(for:settings:)``.
    public static func renewalTime(for lease: RecordedLease, settings: LeaseSettings, random: () -> Double) -> Date {
        let base = lease.lastRenewal ?? lease.issuedAt
        let term = max(0, lease.expiresAt.timeIntervalSince(base))
        let unit = min(max(random(), 0), 1)
        let fraction = min(max(settings.jitterFraction, 0), 1)
        let offset = term * min(max(settings.renewalPercent, 0), 100) / 100 * (1 + fraction * (2 * unit - 1))
        return min(base.addingTimeInterval(offset), replacementDeadline(for: lease, settings: settings))
    }

    /// The earliest and latest renewal times any draw gives.
    public static func renewalBounds(for lease: RecordedLease, settings: LeaseSettings) -> ClosedRange<Date> {
        renewalTime(for: lease, settings: settings, random: { 0 })...renewalTime(for: lease, settings: settings, random: { 1 })
    }

    // MARK: Steps

    private enum CurrentLeaseStep {
        case issue(LeaseIssueReason)
        case renew(String)
        case wait(Date)
    }

    private static func currentLeaseStep(_ lease: RecordedLease?, settings: LeaseSettings, now: Date, random: () -> Double) -> CurrentLeaseStep {
        guard let lease else { return .issue(.noLease) }
        if now >= lease.expiresAt { return .issue(.expired) }
        if lease.renewalRefused { return .issue(.renewalRefused) }
        let deadline = replacementDeadline(for: lease, settings: settings)
        if let maxExpiry = lease.maxExpiry, now >= maxExpiry.addingTimeInterval(-effectiveRotateBefore(for: lease, settings: settings)) {
            return .issue(lease.renewalCapped ? .renewalTruncated : .maxExpiryNear)
        }
        guard lease.canBeExtended else {
            if now >= deadline { return .issue(lease.renewalCapped ? .renewalTruncated : (lease.renewable ? .maxExpiryNear : .notRenewable)) }
            return .wait(deadline)
        }
        if lease.renewalFailures > 0 {
            if now >= deadline { return .issue(.renewalFailing) }
            let retry = min(lease.renewalRetryAt ?? now, deadline)
            return now >= retry ? .renew(lease.id) : .wait(retry)
        }
        let renewAt = renewalTime(for: lease, settings: settings, random: random)
        return now >= renewAt ? .renew(lease.id) : .wait(renewAt)
    }

    /// Done with the previous lease: grace over and the restart targets rolled onto the
    /// current credentials (restart recorded, rollouts complete).
    static func isRetired(_ previous: PreviousLease, state: LeaseState, now: Date) -> Bool {
        now >= previous.graceUntil && previous.rolledOut && state.restartPendingFor == nil
    }

    /// What the Secret should hold now: the current lease, and the previous one until it
    /// retires (or its revocation began). `nil` without a current lease.
    static func desiredSecret(_ state: LeaseState, settings: LeaseSettings, now: Date) -> LeaseSecretContents? {
        guard let current = state.current else { return nil }
        guard let previous = state.previous, previous.revocation == nil, !isRetired(previous, state: state, now: now) else {
            return LeaseSecretContents(currentLeaseID: current.id)
        }
        return LeaseSecretContents(currentLeaseID: current.id, previousLeaseID: previous.lease.id, graceUntil: previous.graceUntil)
    }

    /// Makes `grant` the current lease. A still-valid replaced lease becomes the previous one
    /// (displacing an older previous, which is left to expire at its TTL); an expired one is
    /// dropped. Any replacement rolls the restart targets.
    private static func install(_ grant: LeaseGrant, in state: inout LeaseState, settings: LeaseSettings, now: Date) {
        let lease = RecordedLease(
            id: grant.id, issuedAt: grant.issuedAt, expiresAt: grant.issuedAt.addingTimeInterval(grant.duration),
            maxExpiry: grant.maxTTL.map { grant.issuedAt.addingTimeInterval($0) }, renewable: grant.renewable)
        let old = state.current
        state.pendingIssue = nil
        state.issueFailures = 0
        state.issueRetryAt = nil
        if let old, old.id != grant.id, old.expiresAt > now {
            let graceUntil = Date(timeIntervalSince1970: now.addingTimeInterval(settings.gracePeriod).timeIntervalSince1970.rounded(.up))
            state.previous = PreviousLease(lease: old, graceUntil: graceUntil, rolledOut: !settings.hasRestartTargets)
        } else {
            state.previous = nil
        }
        state.restartPendingFor = (old != nil && settings.hasRestartTargets) ? grant.id : nil
        state.current = lease
    }
}
