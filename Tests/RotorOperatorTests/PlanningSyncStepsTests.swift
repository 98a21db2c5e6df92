import Foundation
import KubeRuntime
import KubeAPI
import RotorAPI
import RotorOperator
import Testing

/// The reconciler's decisions once the values are read (``ExternalSecretSyncPlanner/sync(_:)``).
@Suite("Planning: ExternalSecret sync, after the values are read")
struct PlanningSyncStepsTests {
    typealias F = SyncFixtures
    typealias Planner = ExternalSecretSyncPlanner

    static let rotation = #"{"gracePeriod":"10m"}"#
    static let withRestart = #"{"gracePeriod":"10m","restartTargets":[{"kind":"Deployment","name":"api"}]}"#

    // MARK: The verified-target record

    enum RecordCase: String, CaseIterable { case created, unchanged, verified, rotating, rotationRemoved }

    @Test("only a plain Secret is recorded as verified (no rotation block, no window recorded or opened)", arguments: [
        (RecordCase.created, true), (.unchanged, true), (.verified, true), (.rotating, false), (.rotationRemoved, false),
    ])
    func verifiedRecord(_ situation: RecordCase, recorded: Bool) {
        let (plain, synced) = F.synced(F.externalSecret())
        let input: SyncInput
        switch situation {
        case .created: input = F.input(F.externalSecret())
        case .unchanged: input = F.input(synced, existing: plain)
        case .verified: input = F.input(synced, verified: F.entry())
        case .rotating: input = F.input(F.externalSecret(rotation: Self.rotation), existing: plain)
        case .rotationRemoved:
            input = F.input(synced, existing: F.withWindow(plain, rotatedAt: F.now, graceUntil: F.now.addingTimeInterval(600)))
        }
        let steps = F.steps(input)
        #expect((steps?.verifiedRecord != nil) == recorded)
        #expect((steps?.verifiedEntry(secretVersion: "205") != nil) == recorded)
        #expect(steps?.verifiedEntry(secretVersion: nil) == nil)
    }

    @Test("the record carries the written version, the fingerprint synced and when the Secret was created")
    func verifiedEntryOfACreate() {
        let entry = F.steps(F.input(F.externalSecret(), at: F.now.addingTimeInterval(5)))?.verifiedEntry(secretVersion: "205")
        #expect(entry == VerifiedTargets.Entry(
            secretResourceVersion: "205", fingerprint: F.fingerprint("v1"), uid: "uid-es-db", generation: 3, created: F.now.addingTimeInterval(5)))
    }

    // MARK: Writes and their Events

    enum WriteCase: String, CaseIterable { case firstSync, recreated, unchanged, rotated, graceEnded }

    @Test("a write is announced: Synced, and Rotated or GraceExpired when a window opens or ends; no write, no Event; a first sync's create is left to the Ready condition", arguments: [
        (WriteCase.firstSync, [], false), (.recreated, ["Synced"], false), (.unchanged, [], false),
        (.rotated, ["Synced", "Rotated"], true), (.graceEnded, ["Synced", "GraceExpired"], false),
    ])
    func writeEvents(_ situation: WriteCase, reasons: [String], countsRotation: Bool) {
        let (plain, synced) = F.synced(F.externalSecret(rotation: Self.rotation))
        let (windowed, _) = F.synced(synced, password: "v2", existing: plain)
        let input: SyncInput
        switch situation {
        case .firstSync: input = F.input(F.externalSecret(rotation: Self.rotation))
        case .recreated: input = F.input(synced)
        case .unchanged: input = F.input(synced, existing: plain)
        case .rotated: input = F.input(synced, password: "v2", existing: plain)
        case .graceEnded: input = F.input(synced, password: "v2", existing: windowed, at: F.now.addingTimeInterval(601))
        }
        let steps = F.steps(input)
        #expect(steps?.writeEvents.map(\.reason) == reasons)
        #expect(steps?.countsRotation == countsRotation)
        #expect(steps?.writeEvents.allSatisfy { $0.kind == .normal && !$0.message.contains("v2") } == true)
    }

    @Test("a refused plan or invalid rotation settings fail the sync before anything is written")
    func refusedPlanFails() {
        let es = F.externalSecret(rotation: #"{"gracePeriod":"10m","previousSuffix":"word"}"#)
        var input = F.input(es)
        input.rendered = RenderedSecret(data: ["pass": .init(utf8: "a"), "password": .init(utf8: "b")])
        guard case .fail(let failure) = Planner.sync(input) else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.reason == ExternalSecretConditions.Reason.invalidSpec)
    }

    // MARK: Restarts and rollout holds

    @Test("restart targets roll once per rotation: for a window not yet rolled, recorded in restartedFor", arguments: [false, true])
    func restartOncePerRotation(alreadyRolled: Bool) {
        let (plain, synced) = F.synced(F.externalSecret(rotation: Self.withRestart))
        guard let opened = F.steps(F.input(synced, password: "v2", existing: plain)), let window = opened.restartFor else {
            Issue.record("a new window must roll its restart targets")
            return
        }
        #expect(opened.status.rotation??.restartedFor == window.rotationID)
        let (windowed, after) = F.synced(synced, password: "v2", existing: plain)
        var es = after
        es.status?.rotation?.restartedFor = alreadyRolled ? window.rotationID : nil
        let again = F.steps(F.input(es, password: "v2", existing: windowed, at: F.now.addingTimeInterval(60)))
        #expect((again?.restartFor != nil) == !alreadyRolled)
    }

    enum HoldCase: String, CaseIterable { case newHold, heldBefore, released }

    @Test("after grace, unfinished rollouts hold previous values: RolloutComplete=False names them, warned of once", arguments: [
        (HoldCase.newHold, true), (.heldBefore, false), (.released, false),
    ])
    func rolloutHold(_ situation: HoldCase, warns: Bool) {
        let (plain, synced) = F.synced(F.externalSecret(rotation: Self.withRestart))
        let (windowed, after) = F.synced(synced, password: "v2", existing: plain)
        var es = after
        let pending = [PendingRollout(name: "api", message: "Waiting for deployment \"api\" rollout to finish")]
        if situation == .heldBefore {
            let held = Planner.rolloutCondition(es, pending: pending)!
            let conditions = ConditionPlanner.setting(held, in: es.status?.conditions, now: F.now)
            es.status?.conditions = conditions
        }
        let steps = F.steps(
            F.input(es, password: "v2", existing: windowed, pendingRollouts: situation == .released ? [] : pending, at: F.now.addingTimeInterval(601)))
        switch situation {
        case .newHold, .heldBefore:
            let condition: Condition? = steps?.status.rolloutCondition ?? nil
            #expect(condition?.status == .false)
            #expect(condition?.reason == ExternalSecretConditions.Reason.rolloutPending)
            #expect(condition?.message == #"the grace period has ended; previous values are kept until these rollouts complete: api (Waiting for deployment "api" rollout to finish)"#)
            #expect(steps?.write.isNone == true)
        case .released:
            #expect(steps?.status.rolloutCondition == .some(nil))
            #expect(steps?.writeEvents.map(\.reason) == ["Synced", "GraceExpired"])
        }
        #expect((steps?.rolloutWarning != nil) == warns)
        #expect(steps?.rolloutWarning.map { $0.kind == .warning && $0.reason == "RolloutPending" } ?? true)
    }

    // MARK: The next wake

    enum WakeCase: String, CaseIterable { case refresh, windowOpened, heldAfterGrace, scheduledSooner }

    @Test("after a sync: the next refresh, or grace-until, or a rollout poll, or the next scheduled rotation, whichever is first", arguments: [
        (WakeCase.refresh, 3240.0...3960.0), (.windowOpened, 600.0...600.0), (.heldAfterGrace, 15.0...15.0), (.scheduledSooner, 300.0...300.0),
    ])
    func wake(_ situation: WakeCase, seconds: ClosedRange<TimeInterval>) {
        let (plain, synced) = F.synced(F.externalSecret(rotation: Self.rotation))
        let input: SyncInput
        switch situation {
        case .refresh: input = F.input(F.externalSecret())
        case .windowOpened: input = F.input(synced, password: "v2", existing: plain)
        case .heldAfterGrace:
            let (windowed, after) = F.synced(synced, password: "v2", existing: plain)
            let pending = [PendingRollout(name: "api", message: "not restarted for this rotation yet")]
            input = F.input(after, password: "v2", existing: windowed, pendingRollouts: pending, at: F.now.addingTimeInterval(601))
        case .scheduledSooner:
            let scheduled = #"{"gracePeriod":"10m","schedule":{"every":"5m"},"generate":[{"property":"password"}]}"#
            let (created, es) = F.synced(F.externalSecret(rotation: scheduled))
            input = F.input(es, password: "v2", existing: created, scheduledWritten: true)
        }
        #expect(F.steps(input).flatMap { F.seconds($0.wake) }.map(seconds.contains) == true)
    }

    // MARK: The status

    @Test("the status is written only when the sync changes it", arguments: [false, true])
    func statusWrittenOnlyWhenChanged(laterRefresh: Bool) {
        let (plain, synced) = F.synced(F.externalSecret())
        let time = laterRefresh ? F.now.addingTimeInterval(3600) : F.now
        guard let steps = F.steps(F.input(synced, existing: plain, at: time)) else {
            Issue.record("expected a sync")
            return
        }
        #expect((Planner.desiredStatus(synced, steps.status, now: time) != nil) == laterRefresh)
    }
}

extension SecretWrite {
    var isNone: Bool {
        if case .none = self { return true }
        return false
    }
}
