import Foundation
import RotorOperator
import Testing

/// The lease lifecycle's pure decisions (issue 17) on fixed clock values: renewal timing,
/// replacement, the overlap of the replaced lease, and its single revocation.
@Suite("LeasePlanner")
struct LeasePlannerTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    static let hour: TimeInterval = 3600

    static func at(_ seconds: TimeInterval) -> Date { t0.addingTimeInterval(seconds) }

    /// A state holding one renewable lease issued at `t0`, already in the Secret.
    static func stable(ttl: TimeInterval = hour, maxTTL: TimeInterval? = nil, renewable: Bool = true) -> LeaseState {
        let lease = RecordedLease(id: "db/creds/app/1", issuedAt: t0, expiresAt: at(ttl), maxExpiry: maxTTL.map(at), renewable: renewable)
        return LeaseState(current: lease, issueCount: 1, secretHolds: LeaseSecretContents(currentLeaseID: lease.id))
    }

    static func plan(_ state: LeaseState, _ settings: LeaseSettings, at now: Date, random: Double = 0.5) -> LeaseAction {
        LeasePlanner.plan(state, settings: settings, now: now, random: { random })
    }

    /// Records the intent, then folds the outcome: one action carried out without a crash.
    static func carry(_ action: LeaseAction, _ outcome: LeaseOutcome, _ state: LeaseState, _ settings: LeaseSettings, at now: Date) -> LeaseState {
        let recorded = LeasePlanner.recordingIntent(of: action, in: state, now: now)
        return LeasePlanner.apply(outcome, of: action, to: recorded, settings: settings, now: now)
    }

    /// Vault's warning for a renewal capped at max_ttl, as the emulator words it.
    static let cappingWarning = "TTL of \"1h0m0s\" exceeded the effective max_ttl of \"15m0s\"; TTL value is capped accordingly"

    // MARK: Renewal timing

    @Test("renewal falls within ±jitter of renewalPercent of the term, for every draw", arguments: [0.0, 0.25, 0.5, 0.75, 1.0])
    func renewalWithinJitterBounds(draw: Double) {
        let settings = LeaseSettings(renewalPercent: 67, rotateBefore: 300, jitterFraction: 0.1)
        let lease = Self.stable().current!
        let renewAt = LeasePlanner.renewalTime(for: lease, settings: settings, random: { draw })
        let offset = renewAt.timeIntervalSince(Self.t0)
        #expect(offset >= Self.hour * 0.67 * 0.9 - 1e-6)
        #expect(offset <= Self.hour * 0.67 * 1.1 + 1e-6)
        #expect(abs(offset - Self.hour * 0.67 * (1 + 0.1 * (2 * draw - 1))) < 1e-6)
        let bounds = LeasePlanner.renewalBounds(for: lease, settings: settings)
        #expect(bounds.contains(renewAt))
    }

    @Test("a jittered renewal is never later than expiry − rotateBefore")
    func renewalCappedAtReplacementDeadline() {
        // 10-minute lease, rotateBefore 200s: 67% × 1.1 = 442.2s would be past the deadline at 400s.
        let settings = LeaseSettings(rotateBefore: 200, jitterFraction: 0.1)
        let lease = Self.stable(ttl: 600).current!
        #expect(LeasePlanner.replacementDeadline(for: lease, settings: settings) == Self.at(400))
        #expect(LeasePlanner.renewalTime(for: lease, settings: settings, random: { 1 }) == Self.at(400))
        let earliest = LeasePlanner.renewalTime(for: lease, settings: settings, random: { 0 })
        #expect(abs(earliest.timeIntervalSince(Self.t0) - 600 * 0.67 * 0.9) < 1e-6)
    }

    @Test("rotateBefore longer than the lease is cut to half its lifetime, so a new lease is not replaced at once")
    func rotateBeforeNeverExceedsHalfTheLifetime() {
        let settings = LeaseSettings(rotateBefore: 3600)
        let state = Self.stable(ttl: 120, renewable: false)
        #expect(LeasePlanner.replacementDeadline(for: state.current!, settings: settings) == Self.at(60))
        #expect(Self.plan(state, settings, at: Self.t0) == .none(wakeAt: Self.at(60)))
        #expect(Self.plan(state, settings, at: Self.at(60)) == .issueNew(issueID: "2", reason: .notRenewable))
    }

    @Test("the plan sleeps until the renewal time, renews then, and counts the next term from the renewal")
    func renewsAtTheRenewalTimeAndRestartsTheTerm() {
        let settings = LeaseSettings(jitterFraction: 0)
        var state = Self.stable()
        #expect(Self.plan(state, settings, at: Self.at(60)) == .none(wakeAt: Self.at(2412)))
        let action = Self.plan(state, settings, at: Self.at(2412))
        #expect(action == .renew(leaseID: "db/creds/app/1"))
        state = Self.carry(action, .renewed(duration: Self.hour, capped: false), state, settings, at: Self.at(2412))
        #expect(state.current?.expiresAt == Self.at(2412 + Self.hour))
        #expect(state.current?.lastRenewal == Self.at(2412))
        #expect(Self.plan(state, settings, at: Self.at(2413)) == .none(wakeAt: Self.at(2412 * 2)))
    }

    // MARK: Replacement

    @Test("Vault's capping warning is recognised as a truncated renewal")
    func cappingWarningIsRecognised() {
        #expect(LeasePlanner.renewed(duration: 900, warnings: [Self.cappingWarning]) == .renewed(duration: 900, capped: true))
        #expect(LeasePlanner.renewed(duration: 900, warnings: ["something else"]) == .renewed(duration: 900, capped: false))
    }

    @Test("a truncated renewal stops renewing and issues new credentials at expiry − rotateBefore")
    func truncatedRenewalIssuesBeforeExpiry() {
        let settings = LeaseSettings(rotateBefore: 300, jitterFraction: 0)
        var state = Self.stable()
        let renewAt = Self.at(2412)
        state = Self.carry(.renew(leaseID: "db/creds/app/1"), LeasePlanner.renewed(duration: 900, warnings: [Self.cappingWarning]), state, settings, at: renewAt)
        #expect(state.current?.renewalCapped == true)
        #expect(state.current?.maxExpiry == renewAt.addingTimeInterval(900))
        let deadline = renewAt.addingTimeInterval(600)
        #expect(Self.plan(state, settings, at: renewAt) == .none(wakeAt: deadline), "no renewal of a capped lease")
        #expect(Self.plan(state, settings, at: deadline) == .issueNew(issueID: "2", reason: .renewalTruncated))
    }

    @Test("a renewal truncated to less than rotateBefore issues new credentials at once")
    func shortTruncatedRenewalIssuesAtOnce() {
        let settings = LeaseSettings(rotateBefore: 300)
        let state = Self.carry(.renew(leaseID: "db/creds/app/1"), .renewed(duration: 120, capped: true), Self.stable(), settings, at: Self.at(2412))
        #expect(Self.plan(state, settings, at: Self.at(2412)) == .issueNew(issueID: "2", reason: .renewalTruncated))
    }

    @Test("a refused renewal issues new credentials at once")
    func refusedRenewalIssuesAtOnce() {
        let settings = LeaseSettings()
        let state = Self.carry(.renew(leaseID: "db/creds/app/1"), .renewalRefused, Self.stable(), settings, at: Self.at(2412))
        #expect(Self.plan(state, settings, at: Self.at(2412)) == .issueNew(issueID: "2", reason: .renewalRefused))
    }

    @Test("a failed renewal is retried with backoff; still failing at expiry − rotateBefore, new credentials are issued")
    func failingRenewalsEndInAnIssueBeforeExpiry() {
        let settings = LeaseSettings(rotateBefore: 300, jitterFraction: 0, retryBase: 60, retryMax: 600)
        var state = Self.stable()
        var now = Self.at(2412)
        var retries: [Date] = []
        while true {
            let action = Self.plan(state, settings, at: now)
            if case .issueNew(_, let reason) = action {
                #expect(reason == .renewalFailing)
                break
            }
            guard case .renew = action else {
                guard case .none(let wake?) = action else { Issue.record("unexpected \(action)"); return }
                now = wake
                continue
            }
            retries.append(now)
            state = Self.carry(action, .renewalFailed, state, settings, at: now)
        }
        // Backoff 60s, 120s, 240s; the fourth (480s) would pass the deadline at 55m.
        #expect(retries.map { $0.timeIntervalSince(Self.t0) } == [2412, 2472, 2592, 2832])
        #expect(now == Self.at(3300), "issued at expiry − rotateBefore, not later")
        #expect(now < state.current!.expiresAt)
    }

    @Test("the maximum expiry within rotateBefore issues new credentials; the old lease stays until graceUntil and the rollouts, then is revoked once")
    func maxExpiryApproachRotatesWithOverlap() {
        let settings = LeaseSettings(rotateBefore: 300, gracePeriod: 600, jitterFraction: 0, hasRestartTargets: true, rolloutPollInterval: 30)
        var state = Self.stable(ttl: Self.hour, maxTTL: Self.hour)
        // The lease is at its maximum: no renewal, replacement at 55m.
        #expect(Self.plan(state, settings, at: Self.at(60)) == .none(wakeAt: Self.at(3300)))
        var now = Self.at(3300)
        let issue = Self.plan(state, settings, at: now)
        #expect(issue == .issueNew(issueID: "2", reason: .maxExpiryNear))
        state = Self.carry(issue, .issued(LeaseGrant(id: "db/creds/app/2", issuedAt: now, duration: Self.hour, maxTTL: 4 * Self.hour)), state, settings, at: now)
        #expect(state.current?.id == "db/creds/app/2")
        #expect(state.previous?.lease.id == "db/creds/app/1")
        let graceUntil = Self.at(3900)
        #expect(state.previous?.graceUntil == graceUntil)

        let write = Self.plan(state, settings, at: now)
        #expect(write == .writeSecret(LeaseSecretContents(currentLeaseID: "db/creds/app/2", previousLeaseID: "db/creds/app/1", graceUntil: graceUntil)))
        state = Self.carry(write, .secretWritten, state, settings, at: now)
        let restart = Self.plan(state, settings, at: now)
        #expect(restart == .restartTargets(rotationID: "db/creds/app/2"))
        state = Self.carry(restart, .targetsRestarted, state, settings, at: now)
        #expect(Self.plan(state, settings, at: now) == .none(wakeAt: graceUntil), "restarted once, then wait for grace-until")

        // Grace over, rollouts not complete: keep polling, the Secret keeps the old credentials.
        now = graceUntil
        #expect(Self.plan(state, settings, at: now) == .none(wakeAt: now.addingTimeInterval(30)))
        state = LeasePlanner.observingRolloutsComplete(for: "db/creds/app/2", in: state)
        let drop = Self.plan(state, settings, at: now)
        #expect(drop == .writeSecret(LeaseSecretContents(currentLeaseID: "db/creds/app/2")))
        state = Self.carry(drop, .secretWritten, state, settings, at: now)
        let revoke = Self.plan(state, settings, at: now)
        #expect(revoke == .revoke(leaseID: "db/creds/app/1", attempt: 1))
        state = Self.carry(revoke, .revoked, state, settings, at: now)
        #expect(state.previous == nil)
        #expect(Self.plan(state, settings, at: now) == .none(wakeAt: Self.at(3300 + 2412)))
    }

    // MARK: Revocation

    /// Just after a replacement at `t0 + 55m` with a 200s grace, Secret written, targets restarted.
    static func overlapping(restartTargets: Bool) -> (LeaseState, LeaseSettings) {
        // Grace ends at 58m20s, before the old lease's own expiry at 1h.
        let settings = LeaseSettings(gracePeriod: 200, jitterFraction: 0, hasRestartTargets: restartTargets)
        let now = at(hour - 300)
        var state = carry(
            .issueNew(issueID: "2", reason: .maxExpiryNear), .issued(LeaseGrant(id: "db/creds/app/2", issuedAt: now, duration: 1000 * hour)),
            stable(ttl: hour, maxTTL: hour), settings, at: now)
        state = carry(.writeSecret(LeasePlanner.plannedSecret(state, settings, now)), .secretWritten, state, settings, at: now)
        if restartTargets { state = carry(.restartTargets(rotationID: "db/creds/app/2"), .targetsRestarted, state, settings, at: now) }
        return (state, settings)
    }

    @Test("no revocation before graceUntil, even with the rollouts complete")
    func noRevocationBeforeGraceUntil() {
        var (state, settings) = Self.overlapping(restartTargets: true)
        state = LeasePlanner.observingRolloutsComplete(for: "db/creds/app/2", in: state)
        let graceUntil = state.previous!.graceUntil
        for second in stride(from: Self.hour - 300, to: graceUntil.timeIntervalSince(Self.t0), by: 7) {
            let action = Self.plan(state, settings, at: Self.at(second))
            #expect(action == .none(wakeAt: graceUntil), "at \(second)")
        }
        #expect(Self.plan(state, settings, at: graceUntil) == .writeSecret(LeaseSecretContents(currentLeaseID: "db/creds/app/2")))
    }

    @Test("no revocation before the rollouts complete, however long after graceUntil")
    func noRevocationBeforeRollouts() {
        let (state, settings) = Self.overlapping(restartTargets: true)
        for hours in [0.0, 1, 10, 100] {
            let now = state.previous!.graceUntil.addingTimeInterval(hours * Self.hour)
            let action = Self.plan(state, settings, at: now)
            if case .revoke = action { Issue.record("revoked at +\(hours)h without rollouts") }
            if case .writeSecret(let contents) = action { #expect(contents.previousLeaseID != nil, "the old credentials stay while workloads roll") }
        }
    }

    @Test("a rollout observed for another rotation does not release the previous lease")
    func rolloutOfAnotherRotationDoesNotCount() {
        let (state, _) = Self.overlapping(restartTargets: true)
        #expect(LeasePlanner.observingRolloutsComplete(for: "db/creds/app/1", in: state) == state)
    }

    @Test("revocation: sent once after its success is recorded; a failure is retried with backoff and never issues new credentials")
    func revocationExactlyOnce() {
        var (state, settings) = Self.overlapping(restartTargets: false)
        var now = state.previous!.graceUntil
        let drop = Self.plan(state, settings, at: now)
        state = Self.carry(drop, .secretWritten, state, settings, at: now)
        let first = Self.plan(state, settings, at: now)
        #expect(first == .revoke(leaseID: "db/creds/app/1", attempt: 1))
        state = Self.carry(first, .revocationFailed, state, settings, at: now)
        #expect(state.issueCount == 2, "a failed revocation is no reason to issue")
        #expect(state.current?.id == "db/creds/app/2")
        #expect(Self.plan(state, settings, at: now) == .none(wakeAt: now.addingTimeInterval(settings.retryBase)))
        now = now.addingTimeInterval(settings.retryBase)
        let second = Self.plan(state, settings, at: now)
        #expect(second == .revoke(leaseID: "db/creds/app/1", attempt: 2))
        state = Self.carry(second, .revoked, state, settings, at: now)
        for minutes in stride(from: 0.0, through: 600, by: 1) {
            let action = Self.plan(state, settings, at: now.addingTimeInterval(minutes * 60))
            if case .revoke = action { Issue.record("a second revocation at +\(minutes)m") }
        }
    }

    @Test("a crash after sending a revocation resends it (Vault answers 204); the recorded success ends it")
    func crashedRevocationIsResent() {
        var (state, settings) = Self.overlapping(restartTargets: false)
        let now = state.previous!.graceUntil
        state = Self.carry(Self.plan(state, settings, at: now), .secretWritten, state, settings, at: now)
        let revoke = Self.plan(state, settings, at: now)
        state = LeasePlanner.recordingIntent(of: revoke, in: state, now: now)  // then the crash
        #expect(Self.plan(state, settings, at: now) == .revoke(leaseID: "db/creds/app/1", attempt: 2))
    }

    @Test("a revocation failing until the old lease's TTL has passed is dropped: Vault expired it")
    func revocationOfAnExpiredLeaseIsDropped() {
        var (state, settings) = Self.overlapping(restartTargets: false)
        let now = state.previous!.lease.expiresAt
        state = Self.carry(Self.plan(state, settings, at: now), .secretWritten, state, settings, at: now)
        let revoke = Self.plan(state, settings, at: now)
        state = Self.carry(revoke, .revocationFailed, state, settings, at: now)
        #expect(state.previous == nil)
    }

    // MARK: Issue intent

    @Test("a crash after issuing recovers the recorded issue instead of issuing again")
    func crashAfterIssueRecoversInsteadOfReissuing() {
        let settings = LeaseSettings()
        var state = LeaseState()
        let issue = Self.plan(state, settings, at: Self.t0)
        #expect(issue == .issueNew(issueID: "1", reason: .noLease))
        state = LeasePlanner.recordingIntent(of: issue, in: state, now: Self.t0)  // issued, then the crash
        let recover = Self.plan(state, settings, at: Self.t0)
        #expect(recover == .recoverIssue(issueID: "1"))
        let grant = LeaseGrant(id: "db/creds/app/1", issuedAt: Self.t0, duration: Self.hour)
        let recovered = LeasePlanner.apply(.issued(grant), of: recover, to: state, settings: settings, now: Self.at(5))
        #expect(recovered.current?.expiresAt == Self.at(Self.hour), "the term counts from Vault's answer, not the recovery")
        #expect(recovered.pendingIssue == nil)

        // Nothing kept: only now a new issue, under a new ID.
        let lost = LeasePlanner.apply(.issueNotRecovered, of: recover, to: state, settings: settings, now: Self.at(5))
        #expect(Self.plan(lost, settings, at: Self.at(5)) == .issueNew(issueID: "2", reason: .noLease))
    }

    @Test("a failed issue is retried with backoff while the old credentials stay in use")
    func failedIssueBacksOff() {
        let settings = LeaseSettings(retryBase: 10)
        let now = Self.at(2412)
        var state = Self.carry(.renew(leaseID: "db/creds/app/1"), .renewalRefused, Self.stable(), settings, at: now)
        let issue = Self.plan(state, settings, at: now)
        state = Self.carry(issue, .issueFailed, state, settings, at: now)
        #expect(state.current?.id == "db/creds/app/1")
        #expect(Self.plan(state, settings, at: now) == .none(wakeAt: now.addingTimeInterval(10)))
        #expect(Self.plan(state, settings, at: now.addingTimeInterval(10)) == .issueNew(issueID: "3", reason: .renewalRefused))
    }

    @Test("an outcome that does not belong to the action changes nothing")
    func mismatchedOutcomeIsIgnored() {
        let settings = LeaseSettings()
        let state = Self.stable()
        #expect(LeasePlanner.apply(.revoked, of: .renew(leaseID: "db/creds/app/1"), to: state, settings: settings, now: Self.t0) == state)
        #expect(LeasePlanner.apply(.renewed(duration: 60, capped: false), of: .renew(leaseID: "other"), to: state, settings: settings, now: Self.t0) == state)
    }
}

extension LeasePlanner {
    /// The Secret the plan asks for next (test helper).
    static func plannedSecret(_ state: LeaseState, _ settings: LeaseSettings, _ now: Date) -> LeaseSecretContents {
        guard case .writeSecret(let contents) = plan(state, settings: settings, now: now, random: { 0.5 }) else {
            Issue.record("expected a Secret write")
            return LeaseSecretContents(currentLeaseID: "")
        }
        return contents
    }
}
