import EmulatorTestSupport
import Foundation
import KubeClient
import KubeRuntime
import JSONCore
import KubeAPI
import RotorAPI
import RotorOperator
import Testing

/// Restart targets: rolled exactly once per rotation,
/// and the previous value outlives an unfinished rollout. The tests play the deployment
/// controller by writing the Deployment's status subresource.
@Suite("Rotation restart targets", .serialized)
struct RotationRestartTargetTests {
    static let grace: TimeInterval = 600

    static func createDeployment(_ h: RotationHarness) async throws {
        let json = #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"api","namespace":"default"},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"api"}},"template":{"metadata":{"labels":{"app":"api"}},"spec":{"containers":[{"name":"api","image":"api:1"}]}}}}"#
        _ = try await h.client.create(Deployment.resourceType, namespace: "default", body: try JSONValue(parsing: json))
        try await rollOut(h)
    }

    /// What the deployment controller reports once every replica of the latest template is up.
    static func rollOut(_ h: RotationHarness) async throws {
        var deployment = try await h.client.get(Deployment.self, namespace: "default", name: "api")
        deployment.status = DeploymentStatus(
            observedGeneration: deployment.metadata.generation, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2)
        _ = try await h.client.updateStatus(deployment)
    }

    /// The controller has seen the new template but only one new pod is up.
    static func halfRolledOut(_ h: RotationHarness) async throws {
        var deployment = try await h.client.get(Deployment.self, namespace: "default", name: "api")
        deployment.status = DeploymentStatus(
            observedGeneration: deployment.metadata.generation, replicas: 3, updatedReplicas: 1, readyReplicas: 2, availableReplicas: 2)
        _ = try await h.client.updateStatus(deployment)
    }

    static func deployment(_ h: RotationHarness) async throws -> Deployment {
        try await h.client.get(Deployment.self, namespace: "default", name: "api")
    }

    static func rolloutCondition(_ h: RotationHarness) async -> Condition? {
        await h.externalSecret()?.status?.conditions?.first { $0.type == "RolloutComplete" }
    }

    @Test("restart targets are patched exactly once per rotation and the previous value outlives an unfinished rollout")
    func restartOnceAndWaitForRollout() async throws {
        try await RotationHarness.with { h in
            try await Self.createDeployment(h)
            let generationBefore = try await Self.deployment(h).metadata.generation ?? 0
            let running = h.startOperator()
            try await h.createExternalSecret(rotation: #"{"gracePeriod":"10m","restartTargets":[{"kind":"Deployment","name":"api"}]}"#)
            #expect(await EmulatedCluster.eventually { await h.data()["password"] == "v1" })
            #expect(await h.settled(running))
            #expect(try await Self.deployment(h).metadata.generation == generationBefore, "the first sync is no rotation: nothing rolls")

            let rotatedAt = h.clock.now()
            let graceUntil = rotatedAt.addingTimeInterval(Self.grace)
            try await h.setStorePassword("v2")
            #expect(await EmulatedCluster.eventually { await h.data()["password"] == "v2" })
            #expect(await EmulatedCluster.eventually { await h.rotationStatus()?.restartedFor == KubeTime(rotatedAt).rfc3339 })
            #expect(await h.settled(running))
            let rolled = try await Self.deployment(h)
            #expect(rolled.spec.template.metadata.annotations?["rotor.dev/restartedAt"] == KubeTime(rotatedAt).rfc3339)
            #expect(rolled.metadata.generation == generationBefore + 1)
            #expect(await h.eventReasons().contains("RestartTriggered"))
            let patches = h.cluster.emulator.faults.requestCount(verb: "patch", resource: "deployments")
            #expect(patches == 1)

            // Another sync in the same rotation does not roll again.
            _ = try await h.client.patch(
                ExternalSecret.self, namespace: "default", name: "db", patch: .merge(["metadata": ["annotations": ["rotor.dev/force-sync": "1"]]]))
            #expect(await EmulatedCluster.eventually { await h.externalSecret()?.status?.syncedResourceVersion?.contains("force=1") == true })
            #expect(await h.settled(running))

            // The grace period ends while the rollout is half done: the previous value stays.
            try await Self.halfRolledOut(h)
            h.advance(to: graceUntil)
            #expect(await EmulatedCluster.eventually { await Self.rolloutCondition(h)?.status == .false })
            #expect(await h.settled(running))
            #expect(await h.data()["password_previous"] == "v1", "the previous value outlives the unfinished rollout")
            #expect(await h.rotationStatus()?.phase == .overlap)
            let condition = await Self.rolloutCondition(h)
            #expect(condition?.reason == "RolloutPending")
            #expect(condition?.message?.contains("Deployment/api") == true)
            #expect(await h.eventReasons().contains("RolloutPending"))

            // Long after, still unfinished: still kept.
            h.advance(to: graceUntil.addingTimeInterval(3000))
            #expect(await h.settled(running))
            #expect(await h.data()["password_previous"] == "v1")

            // The rollout completes: at the next look the previous value goes.
            try await Self.rollOut(h)
            h.advance(to: h.clock.now().addingTimeInterval(RotorOperator.ExternalSecretReconciler.rolloutPollInterval.timeInterval))
            #expect(await EmulatedCluster.eventually { await h.data()["password_previous"] == nil })
            #expect(await EmulatedCluster.eventually { await Self.rolloutCondition(h) == nil })
            #expect(await h.rotationStatus()?.phase == .stable)
            #expect(h.cluster.emulator.faults.requestCount(verb: "patch", resource: "deployments") == 1, "rolled exactly once for the rotation")
            await running.stop()
        }
    }

    @Test("StatefulSet and DaemonSet targets are rolled too, each once per rotation")
    func statefulSetAndDaemonSetAreRolled() async throws {
        try await RotationHarness.with { h in
            let pods = #""selector":{"matchLabels":{"app":"w"}},"template":{"metadata":{"labels":{"app":"w"}},"spec":{"containers":[{"name":"w","image":"w:1"}]}}"#
            let statefulSet = #"{"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"cache","namespace":"default"},"spec":{"serviceName":"cache",\#(pods)}}"#
            let daemonSet = #"{"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"agent","namespace":"default"},"spec":{\#(pods)}}"#
            _ = try await h.client.create(StatefulSet.resourceType, namespace: "default", body: try JSONValue(parsing: statefulSet))
            _ = try await h.client.create(DaemonSet.resourceType, namespace: "default", body: try JSONValue(parsing: daemonSet))
            let running = h.startOperator()
            try await h.createExternalSecret(
                rotation: #"{"gracePeriod":"10m","restartTargets":[{"kind":"StatefulSet","name":"cache"},{"kind":"DaemonSet","name":"agent"}]}"#)
            #expect(await EmulatedCluster.eventually { await h.data()["password"] == "v1" })
            #expect(await h.settled(running))

            let rotatedAt = h.clock.now()
            try await h.setStorePassword("v2")
            #expect(await EmulatedCluster.eventually { await h.rotationStatus()?.restartedFor == KubeTime(rotatedAt).rfc3339 })
            #expect(await h.settled(running))
            let cache = try await h.client.get(StatefulSet.self, namespace: "default", name: "cache")
            let agent = try await h.client.get(DaemonSet.self, namespace: "default", name: "agent")
            #expect(cache.spec.template.metadata.annotations?["rotor.dev/restartedAt"] == KubeTime(rotatedAt).rfc3339)
            #expect(agent.spec.template.metadata.annotations?["rotor.dev/restartedAt"] == KubeTime(rotatedAt).rfc3339)
            #expect(h.cluster.emulator.faults.requestCount(verb: "patch", resource: "statefulsets") == 1)
            #expect(h.cluster.emulator.faults.requestCount(verb: "patch", resource: "daemonsets") == 1)
            // Neither controller has reported a rollout: the previous value is kept meanwhile.
            #expect(await h.data()["password_previous"] == "v1")
            await running.stop()
        }
    }

    @Test("a restart target that does not exist does not hold the previous value")
    func missingTargetDoesNotHold() async throws {
        try await RotationHarness.with { h in
            let running = h.startOperator()
            try await h.createExternalSecret(rotation: #"{"gracePeriod":"10m","restartTargets":[{"kind":"StatefulSet","name":"nope"}]}"#)
            #expect(await EmulatedCluster.eventually { await h.data()["password"] == "v1" })
            #expect(await h.settled(running))
            let graceUntil = h.clock.now().addingTimeInterval(Self.grace)
            try await h.setStorePassword("v2")
            #expect(await EmulatedCluster.eventually { await h.data()["password_previous"] == "v1" })
            #expect(await h.settled(running))
            h.advance(to: graceUntil)
            #expect(await EmulatedCluster.eventually { await h.data()["password_previous"] == nil })
            await running.stop()
        }
    }

    @Test("a lost restartedFor (a crash after the roll, before the status write) does not roll again")
    func lostRestartedForDoesNotRollTwice() async throws {
        try await RotationHarness.with { h in
            try await Self.createDeployment(h)
            let running = h.startOperator()
            try await h.createExternalSecret(rotation: #"{"gracePeriod":"10m","restartTargets":[{"kind":"Deployment","name":"api"}]}"#)
            #expect(await EmulatedCluster.eventually { await h.data()["password"] == "v1" })
            #expect(await h.settled(running))
            let rotationID = KubeTime(h.clock.now()).rfc3339
            try await h.setStorePassword("v2")
            #expect(await EmulatedCluster.eventually { await h.rotationStatus()?.restartedFor == rotationID })
            #expect(await h.settled(running))
            let generation = try await Self.deployment(h).metadata.generation
            #expect(h.cluster.emulator.faults.requestCount(verb: "patch", resource: "deployments") == 1)

            // As if the operator had crashed after the roll, before the status write: the
            // status lacks restartedFor when the next operator starts.
            await running.stop()
            var es = try #require(await h.externalSecret())
            es.status?.rotation?.restartedFor = nil
            _ = try await h.client.updateStatus(es)
            let restarted = h.startOperator()
            #expect(await EmulatedCluster.eventually { await h.rotationStatus()?.restartedFor == rotationID }, "recorded again")
            #expect(await h.settled(restarted))
            #expect(h.cluster.emulator.faults.requestCount(verb: "patch", resource: "deployments") == 1, "not rolled a second time")
            #expect(try await Self.deployment(h).metadata.generation == generation)
            await restarted.stop()
        }
    }
}
