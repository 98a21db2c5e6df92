import EmulatorTestSupport
import Foundation
import KubeRuntime
import KubeAPI
import RotorAPI
import RotorOperator
import Logging
import Testing

/// Overlap rotation end to end against the Kubernetes emulator, on a manual clock: new
/// values with the previous ones kept until the grace period ends. The grace period is 10 minutes; refreshes are hourly, so every
/// wake-up in these tests is the window's own.
@Suite("Rotation overlap", .serialized)
struct RotationOverlapTests {
    static let grace: TimeInterval = 600

    /// Creates `db`, waits for `password = v1`, then changes the store to `v2` and waits
    /// for the rotation. Returns the window's end.
    static func rotateOnce(_ h: RotationHarness, _ running: RotationHarness.Running) async throws -> Date {
        try await h.createExternalSecret()
        #expect(await EmulatedCluster.eventually { await h.data()["password"] == "v1" })
        #expect(await h.settled(running))
        try await h.setStorePassword("v2")
        #expect(await EmulatedCluster.eventually { await h.data()["password"] == "v2" })
        #expect(await h.settled(running))
        return h.clock.now().addingTimeInterval(grace)
    }

    @Test("a value change writes KEY new and KEY_previous old with the rotation annotations; at grace-until they vanish in one reconcile")
    func changeThenExpiry() async throws {
        try await RotationHarness.with { h in
            let running = h.startOperator()
            let rotatedAt = h.clock.now()
            let graceUntil = try await Self.rotateOnce(h, running)

            let data = await h.data()
            #expect(data["password"] == "v2")
            #expect(data["password_previous"] == "v1")
            #expect(data["user"] == "app")
            #expect(data["user_previous"] == nil, "an unchanged key has no previous value")
            let annotations = await h.annotations()
            #expect(annotations["rotor.dev/rotated-at"] == KubeTime(rotatedAt).rfc3339)
            #expect(annotations["rotor.dev/grace-until"] == KubeTime(graceUntil).rfc3339)
            #expect(annotations["rotor.dev/previous-keys"] == "password")
            let status = await h.rotationStatus()
            #expect(status?.phase == .overlap)
            #expect(status?.graceUntil == KubeTime(graceUntil))
            #expect(status?.rotatedAt == KubeTime(rotatedAt))
            #expect(await h.eventReasons().contains("Rotated"))
            #expect(h.metrics.counterTotal(label: "rotor_rotations_total", dimensions: [("result", "success")]) == 1)
            let overlap = try h.metrics.expectGauge("rotor_rotation_overlap_active")
            #expect(overlap.lastValue == 1)

            // A force-sync during the window reads the provider and writes nothing.
            let writesBefore = h.secretWrites
            let syncedBefore = await h.externalSecret()?.status?.syncedResourceVersion
            _ = try await h.client.patch(
                ExternalSecret.self, namespace: "default", name: "db", patch: .merge(["metadata": ["annotations": ["rotor.dev/force-sync": "1"]]]))
            #expect(await EmulatedCluster.eventually { await h.externalSecret()?.status?.syncedResourceVersion != syncedBefore })
            #expect(await h.settled(running))
            #expect(h.secretWrites == writesBefore, "no write while nothing changed, even in a window")

            // One second before the end nothing happens; at the end one write removes the previous value.
            h.advance(to: graceUntil.addingTimeInterval(-1))
            #expect(await h.settled(running))
            #expect(await h.data()["password_previous"] == "v1")
            h.advance(to: graceUntil)
            #expect(await EmulatedCluster.eventually { await h.data()["password_previous"] == nil })
            #expect(await h.settled(running))
            #expect(h.secretWrites == writesBefore + 1, "the previous keys and annotations go in one write")
            let after = await h.annotations()
            #expect(after["rotor.dev/grace-until"] == nil && after["rotor.dev/rotated-at"] == nil && after["rotor.dev/previous-keys"] == nil)
            #expect(after["rotor.dev/fingerprint"] != nil)
            #expect(await h.data() == ["password": "v2", "user": "app"])
            #expect(await EmulatedCluster.eventually { await h.rotationStatus()?.phase == .stable })
            #expect(await h.rotationStatus()?.graceUntil == nil)
            #expect(await h.rotationStatus()?.rotatedAt == KubeTime(rotatedAt), "rotatedAt still says when the values changed")
            #expect(await h.eventReasons().contains("GraceExpired"))
            #expect(overlap.lastValue == 0)
            await running.stop()
        }
    }

    @Test("an operator restarted mid-window keeps the previous value until exactly grace-until")
    func restartMidWindow() async throws {
        try await RotationHarness.with { h in
            let first = h.startOperator()
            let graceUntil = try await Self.rotateOnce(h, first)
            await first.stop()

            h.advance(to: graceUntil.addingTimeInterval(-Self.grace / 2))
            let writesBefore = h.secretWrites
            let second = h.startOperator()
            #expect(await h.settled(second))
            #expect(h.secretWrites == writesBefore, "the restarted operator resumes the window without writing")
            #expect(await h.data()["password_previous"] == "v1")

            h.advance(to: graceUntil.addingTimeInterval(-1))
            #expect(await h.settled(second))
            #expect(await h.data()["password_previous"] == "v1", "not dropped a second early")

            h.advance(to: graceUntil)
            #expect(await EmulatedCluster.eventually { await h.data()["password_previous"] == nil })
            #expect(await h.data()["password"] == "v2")
            await second.stop()
        }
    }

    @Test("a second change mid-window keeps only the latest previous value and restarts the window")
    func secondChangeMidWindow() async throws {
        try await RotationHarness.with { h in
            let running = h.startOperator()
            let firstGraceUntil = try await Self.rotateOnce(h, running)

            h.advance(to: firstGraceUntil.addingTimeInterval(-Self.grace / 2))
            let secondRotation = h.clock.now()
            try await h.setStorePassword("v3")
            #expect(await EmulatedCluster.eventually { await h.data()["password"] == "v3" })
            #expect(await h.data()["password_previous"] == "v2", "only the latest previous value is kept")
            let graceUntil = secondRotation.addingTimeInterval(Self.grace)
            #expect(await h.annotations()["rotor.dev/grace-until"] == KubeTime(graceUntil).rfc3339)
            #expect(!(await h.data()).values.contains("v1"))

            // The first window's end passes without effect.
            h.advance(to: firstGraceUntil)
            #expect(await h.settled(running))
            #expect(await h.data()["password_previous"] == "v2")

            h.advance(to: graceUntil)
            #expect(await EmulatedCluster.eventually { await h.data()["password_previous"] == nil })
            await running.stop()
        }
    }

    @Test("a previousSuffix colliding with a synced key is InvalidSpec and the Secret is left as it was")
    func suffixCollision() async throws {
        try await RotationHarness.with { h in
            let running = h.startOperator()
            try await h.createExternalSecret(rotation: #"{"gracePeriod":"10m","previousSuffix":"_previous"}"#)
            #expect(await EmulatedCluster.eventually { await h.data()["password"] == "v1" })
            _ = try await h.client.patch(
                ExternalSecret.self, namespace: "default", name: "db",
                patch: .json([["op": "replace", "path": "/spec/data/1/secretKey", "value": "password_previous"]]))
            #expect(await EmulatedCluster.eventually {
                await h.externalSecret()?.status?.conditions?.first { $0.type == "Ready" }?.reason == "InvalidSpec"
            })
            let message = await h.externalSecret()?.status?.conditions?.first { $0.type == "Ready" }?.message ?? ""
            #expect(message.contains("previousSuffix"))
            #expect(await h.data() == ["password": "v1", "user": "app"])
            await running.stop()
        }
    }

    @Test("a rotated-out value never reaches logs, Events, status or metric labels")
    func canary() async throws {
        let logs = CapturedLogs()
        let logger = Logger(label: "canary") { _ in CapturingLogHandler(sink: logs) }
        try await RotationHarness.with(password: CanaryTests.canary) { h in
            let running = h.startOperator(logger: logger)
            try await h.createExternalSecret()
            #expect(await EmulatedCluster.eventually { await h.data()["password"] == CanaryTests.canary })
            #expect(await h.settled(running))
            let graceUntil = h.clock.now().addingTimeInterval(Self.grace)
            try await h.setStorePassword("v2")
            #expect(await EmulatedCluster.eventually { await h.data()["password_previous"] == CanaryTests.canary })
            #expect(await h.settled(running))
            h.advance(to: graceUntil)
            #expect(await EmulatedCluster.eventually { await h.data()["password_previous"] == nil })
            #expect(await h.settled(running))
            await running.stop()

            let reasons = await h.eventReasons()
            #expect(reasons.contains("Rotated") && reasons.contains("GraceExpired"))
            let eventsText = try await h.client.list(ResourceTypes.events, namespace: "default").serializedString()
            let statusText = try await h.client.get(ExternalSecret.resourceType, namespace: "default", name: "db").serializedString()
            #expect(!eventsText.contains(CanaryTests.canary), "no Event carries the value")
            #expect(!statusText.contains(CanaryTests.canary), "no status carries the value")
            let lines = logs.all
            #expect(!lines.isEmpty)
            #expect(!lines.contains { $0.contains(CanaryTests.canary) }, "no log line carries the value")
            let labels = h.metrics.counters.flatMap { [$0.label] + $0.dimensions.map { "\($0.0)=\($0.1)" } }
                + h.metrics.recorders.flatMap { [$0.label] + $0.dimensions.map { "\($0.0)=\($0.1)" } }
            #expect(!labels.contains { $0.contains(CanaryTests.canary) }, "no metric label carries the value")
            // The age of the values counts from the rotation (the clock stood still since the grace ended).
            let ages = h.secretAges.ages(at: h.clock.now())
            #expect(ages.map(\.name) == ["db"])
            #expect(ages.first.map { $0.seconds >= Self.grace } == true)
            let exposition = String(decoding: h.secretAges.exposition(at: h.clock.now()), as: UTF8.self)
            #expect(exposition.contains("rotor_secret_age_seconds{namespace=\"default\",name=\"db\"}"))
            #expect(!exposition.contains(CanaryTests.canary), "no metric label carries the value")
        }
    }
}
