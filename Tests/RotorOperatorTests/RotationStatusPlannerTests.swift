import Foundation
import KubeAPI
import RotorAPI
import RotorOperator
import Testing

/// `status.rotation` and the restart-target decisions (pure).
@Suite("Rotation status and restart targets")
struct RotationStatusPlannerTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let window = RotationWindow(rotatedAt: now, graceUntil: now.addingTimeInterval(600), previousKeys: ["password"])

    @Test("no rotation block and nothing left of one: no rotation status (the ROTATION column stays empty)")
    func notConfigured() {
        #expect(RotationStatusPlanner.status(current: nil, rotation: nil, window: nil, now: Self.now) == nil)
    }

    @Test("Stable without a window, Overlap with one, back to Stable keeping rotatedAt")
    func phases() {
        let rotation = ExternalSecretRotation(gracePeriod: "10m")
        let stable = RotationStatusPlanner.status(current: nil, rotation: rotation, window: nil, now: Self.now)
        #expect(stable == ExternalSecretRotationStatus(phase: .stable))
        let overlap = RotationStatusPlanner.status(current: stable, rotation: rotation, window: Self.window, now: Self.now)
        #expect(overlap?.phase == .overlap)
        #expect(overlap?.rotatedAt == KubeTime(Self.now))
        #expect(overlap?.graceUntil == KubeTime(Self.now.addingTimeInterval(600)))
        let after = RotationStatusPlanner.status(current: overlap, rotation: rotation, window: nil, now: Self.now.addingTimeInterval(600))
        #expect(after?.phase == .stable)
        #expect(after?.graceUntil == nil)
        #expect(after?.rotatedAt == KubeTime(Self.now))
        #expect(RotationStatusPlanner.status(current: after, rotation: rotation, window: nil, now: Self.now.addingTimeInterval(700)) == after,
            "an unchanged state is an equal status: no write")
    }

    @Test("Pending while a scheduled rotation is recorded; cleared and rescheduled when it completed")
    func pending() {
        let rotation = ExternalSecretRotation(
            gracePeriod: "10m", schedule: RotationSchedule(every: "24h"), generate: [RotationGenerator(property: "password")])
        let recorded = ExternalSecretRotationStatus(nextRotation: KubeTime(Self.now), pendingID: "id-1")
        let stillPending = RotationStatusPlanner.status(current: recorded, rotation: rotation, window: nil, now: Self.now)
        #expect(stillPending?.phase == .pending)
        #expect(stillPending?.pendingID == "id-1")
        let done = RotationStatusPlanner.status(current: recorded, rotation: rotation, window: Self.window, completedScheduled: true, now: Self.now)
        #expect(done?.pendingID == nil)
        #expect(done?.phase == .overlap)
        #expect(done?.nextRotation == KubeTime(Self.now.addingTimeInterval(86400)))
        let abandoned = RotationStatusPlanner.status(current: recorded, rotation: ExternalSecretRotation(gracePeriod: "10m"), window: nil, now: Self.now)
        #expect(abandoned?.pendingID == nil, "without generate a recorded rotation is forgotten")
    }

    @Test("restart targets: rolled once per rotation; a missing workload holds nothing; unfinished rollouts hold")
    func restartDecisions() {
        let api = RestartTarget(kind: .deployment, name: "api")
        let id = Self.window.rotationID
        #expect(RestartPlanner.needsRestart(rotationID: id, restartedFor: nil, targets: [api]))
        #expect(!RestartPlanner.needsRestart(rotationID: id, restartedFor: id, targets: [api]))
        #expect(!RestartPlanner.needsRestart(rotationID: id, restartedFor: nil, targets: []))
        #expect(!RestartPlanner.needsRestart(rotationID: nil, restartedFor: nil, targets: [api]))

        let missing = RestartTargetState(target: api, exists: false)
        let notRolled = RestartTargetState(target: api, exists: true, restartedAt: "older", rollout: .complete(message: "done"))
        let rolling = RestartTargetState(target: api, exists: true, restartedAt: id, rollout: .inProgress(message: "1 of 2 updated"))
        let done = RestartTargetState(target: api, exists: true, restartedAt: id, rollout: .complete(message: "done"))
        #expect(RestartPlanner.pendingRollouts([missing], rotationID: id).isEmpty)
        #expect(RestartPlanner.pendingRollouts([done], rotationID: id).isEmpty)
        #expect(RestartPlanner.pendingRollouts([notRolled], rotationID: id).map(\.name) == ["Deployment/api"])
        #expect(RestartPlanner.pendingRollouts([rolling], rotationID: id).map(\.message) == ["1 of 2 updated"])

        #expect(RestartPlanner.validate([api]) == nil)
        #expect(RestartPlanner.validate([RestartTarget(kind: "CronJob", name: "x")])?.reason == "InvalidSpec")
        #expect(RestartPlanner.validate([RestartTarget(kind: .daemonSet, name: "")])?.reason == "InvalidSpec")
    }
}
