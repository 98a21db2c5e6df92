import EmulatorTestSupport
import Foundation
import KubeClient
import KubeRuntime
import KubernetesEmulator
import JSONCore
import KubeAPI
import RotorAPI
import RotorOperator
import Testing

/// End to end against the API emulator (which validates Secret keys and sizes as the API
/// server does): what the API server would refuse is refused before any write with a
/// reason and an Event, every write error reaches the condition, and one Secret has one
/// writing ExternalSecret, decided by the record on the Secret.
@Suite("Secret write safety", .serialized)
struct SecretWriteSafetyTests {
    static let plain = EditedSecretRepairTests.plain

    static func create(_ h: RotationHarness, name: String, spec: String) async throws {
        let json = #"{"apiVersion":"rotor.dev/v1alpha1","kind":"ExternalSecret","metadata":{"name":"\#(name)","namespace":"default"},"spec":\#(spec)}"#
        _ = try await h.client.create(ExternalSecret.resourceType, namespace: "default", body: try JSONValue(parsing: json))
    }

    static func respec(_ h: RotationHarness, name: String = "db", spec: String) async throws {
        var es = try await h.client.get(ExternalSecret.self, namespace: "default", name: name)
        es.spec = try JSONValue(parsing: spec).decode(as: ExternalSecretSpec.self)
        _ = try await h.client.update(es)
    }

    static func ready(_ h: RotationHarness, _ name: String = "db") async -> Condition? {
        let es = try? await h.client.get(ExternalSecret.self, namespace: "default", name: name)
        return es?.status?.conditions?.first { $0.type == "Ready" }
    }

    static func hasReady(_ h: RotationHarness, _ name: String = "db", reason: String, containing text: String = "") async -> Bool {
        await EmulatedCluster.eventually {
            guard let ready = await Self.ready(h, name) else { return false }
            return ready.reason == reason && (text.isEmpty || (ready.message ?? "").contains(text))
                && ready.status == (reason == "Synced" ? .true : .false)
        }
    }

    /// The fake store `fake` with these entries (`key` → value).
    static func setStore(_ h: RotationHarness, _ entries: [String: String]) async throws {
        var store = try await h.client.get(SecretStore.self, namespace: "default", name: "fake")
        let data = entries.sorted { $0.key < $1.key }.map { JSONValue.object(["key": .string($0.key), "value": .string($0.value), "version": "1"]) }
        let spec = JSONValue.object(["provider": .object(["fake": .object(["data": .array(data)])])])
        store.spec = try spec.decode(as: SecretStoreSpec.self)
        _ = try await h.client.update(store)
    }

    // MARK: Keys and sizes

    @Test(
        "an invalid key from extract, a template or secretKey: Ready=False InvalidKey naming the field, a warning Event, the Secret untouched",
        arguments: [
            (#"{"secretStoreRef":{"name":"fake"},"refreshInterval":"1h","dataFrom":[{"extract":{"key":"db/json"}}]}"#, "spec.dataFrom"),
            (
                #"{"secretStoreRef":{"name":"fake"},"refreshInterval":"1h","data":[{"secretKey":"password","remoteRef":{"key":"db/password"}}],"target":{"template":{"data":{"bad/key":"{{password}}"}}}}"#,
                "spec.target.template.data"
            ),
            (#"{"secretStoreRef":{"name":"fake"},"refreshInterval":"1h","data":[{"secretKey":"bad key","remoteRef":{"key":"db/password"}}]}"#, "spec.data[0].secretKey"),
        ])
    func invalidKeys(_ spec: String, _ field: String) async throws {
        try await RotationHarness.with { h in
            try await Self.setStore(h, ["db/password": "v1", "db/user": "app", "db/json": #"{"bad key":"x","good":"y"}"#])
            let running = h.startOperator()
            try await h.createExternalSecret(spec: Self.plain)
            #expect(await Self.hasReady(h, reason: "Synced"))
            #expect(await h.settled(running))
            let writes = h.secretWrites
            let before = await h.secret()

            try await Self.respec(h, spec: spec)
            #expect(await Self.hasReady(h, reason: "InvalidKey", containing: field))
            #expect(await EmulatedCluster.eventually { await h.eventReasons().contains("InvalidKey") })
            #expect(h.secretWrites == writes)
            #expect(await h.secret()?.data == before?.data)
            #expect(await h.secret()?.metadata.resourceVersion == before?.metadata.resourceVersion)
            await running.stop()
        }
    }

    @Test("data over 1 MiB: Ready=False TooLarge, a warning Event, no write")
    func oversize() async throws {
        try await RotationHarness.with { h in
            let big = String(repeating: "a", count: 600_000)
            let running = h.startOperator()
            try await h.createExternalSecret(spec: Self.plain)
            #expect(await Self.hasReady(h, reason: "Synced"))
            #expect(await h.settled(running))
            let writes = h.secretWrites

            try await Self.setStore(h, ["db/password": big, "db/user": big])
            #expect(await Self.hasReady(h, reason: "TooLarge", containing: "1048576"))
            #expect(await EmulatedCluster.eventually { await h.eventReasons().contains("TooLarge") })
            #expect(h.secretWrites == writes)
            #expect(await h.data() == ["password": "v1", "user": "app"])
            await running.stop()
        }
    }

    @Test("a rotation whose previous values would take the Secret past 1 MiB: TooLarge, the current Secret kept as it is")
    func rotationPastTheLimit() async throws {
        try await RotationHarness.with(password: String(repeating: "a", count: 600_000)) { h in
            let running = h.startOperator()
            try await h.createExternalSecret()
            #expect(await Self.hasReady(h, reason: "Synced"))
            #expect(await h.settled(running))
            let writes = h.secretWrites

            try await h.setStorePassword(String(repeating: "b", count: 600_000))
            #expect(await Self.hasReady(h, reason: "TooLarge", containing: "previous values"))
            #expect(h.secretWrites == writes)
            #expect(await h.data()["password"] == String(repeating: "a", count: 600_000))
            #expect(await h.data()["password_previous"] == nil)
            await running.stop()
        }
    }

    @Test("a write the API server refuses (422): Ready=False WriteRejected with its message and an Event; synced again once it accepts")
    func rejectedWrite() async throws {
        try await RotationHarness.with { h in
            let running = h.startOperator()
            try await h.createExternalSecret(spec: Self.plain)
            #expect(await Self.hasReady(h, reason: "Synced"))
            #expect(await h.settled(running))

            h.cluster.emulator.faults.failNext(
                1_000, matching: .init(verb: "update", resource: "secrets"), code: 422, message: "admission webhook \"policy\" denied the request")
            try await h.setStorePassword("v2")
            #expect(await Self.hasReady(h, reason: "WriteRejected", containing: "admission webhook"))
            #expect(await EmulatedCluster.eventually { await h.eventReasons().contains("WriteRejected") })
            #expect(await h.data()["password"] == "v1")

            // The retry waits for its backoff on the test clock (scheduled before the clock moves).
            #expect(await h.settled(running))
            h.cluster.emulator.faults.reset()
            h.advance(to: h.clock.now().addingTimeInterval(3_600))
            #expect(await Self.hasReady(h, reason: "Synced"))
            #expect(await h.data()["password"] == "v2")
            await running.stop()
        }
    }

    @Test("a restart target's patch the API server refuses: Ready=False WriteRejected naming the workload, not Ready=True")
    func rejectedRestart() async throws {
        try await RotationHarness.with { h in
            try await RotationRestartTargetTests.createDeployment(h)
            let running = h.startOperator()
            try await h.createExternalSecret(rotation: #"{"gracePeriod":"10m","restartTargets":[{"kind":"Deployment","name":"api"}]}"#)
            #expect(await Self.hasReady(h, reason: "Synced"))
            #expect(await h.settled(running))

            h.cluster.emulator.faults.failNext(1_000, matching: .init(verb: "patch", resource: "deployments"), code: 422, message: "spec.template: Invalid value")
            try await h.setStorePassword("v2")
            #expect(await Self.hasReady(h, reason: "WriteRejected", containing: "Deployment default/api"))
            await running.stop()
        }
    }

    // MARK: One writer per Secret

    static let second = #"{"secretStoreRef":{"name":"fake"},"refreshInterval":"1h","target":{"name":"db","creationPolicy":"Orphan"},"data":[{"secretKey":"password","remoteRef":{"key":"db/user"}}]}"#

    @Test("two Orphan ExternalSecrets on one Secret: the second gets Conflict naming the first, also after a restart; once the first is gone it adopts the Secret")
    func orphanConflict() async throws {
        try await RotationHarness.with { h in
            var running = h.startOperator()
            try await h.createExternalSecret(spec: Self.plain.replacingOccurrences(of: #""refreshInterval":"1h","#, with: #""refreshInterval":"1h","target":{"creationPolicy":"Orphan"},"#))
            #expect(await Self.hasReady(h, reason: "Synced"))
            #expect(await h.annotations()["rotor.dev/managed-by"] == "db")

            try await Self.create(h, name: "second", spec: Self.second)
            #expect(await Self.hasReady(h, "second", reason: "Conflict", containing: "ExternalSecret db"))
            #expect(await EmulatedCluster.eventually { await h.eventReasons().contains("Conflict") })
            #expect(await h.data() == ["password": "v1", "user": "app"])

            // A new process, both asked to sync now: the record decides, not who goes first.
            await running.stop()
            running = h.startOperator()
            for name in ["second", "db"] {
                _ = try await h.client.patch(
                    ExternalSecret.self, namespace: "default", name: name, patch: .merge(["metadata": ["annotations": ["rotor.dev/force-sync": "after-restart"]]]))
            }
            #expect(await EmulatedCluster.eventually { await h.externalSecret()?.status?.syncedResourceVersion?.contains("after-restart") == true })
            #expect(await h.settled(running))
            #expect(await Self.hasReady(h, "second", reason: "Conflict", containing: "ExternalSecret db"))
            #expect(await h.data() == ["password": "v1", "user": "app"])
            #expect(await h.annotations()["rotor.dev/managed-by"] == "db")

            // The recorded manager deleted (an Orphan Secret stays): the other one may take it.
            _ = try await h.client.delete(ExternalSecret.self, namespace: "default", name: "db")
            #expect(await h.settled(running))
            h.advance(to: h.clock.now().addingTimeInterval(3_600))
            #expect(await EmulatedCluster.eventually { await h.data() == ["password": "app"] })
            #expect(await h.annotations()["rotor.dev/managed-by"] == "second")
            #expect(await Self.hasReady(h, "second", reason: "Synced"))
            await running.stop()
        }
    }

    @Test("a Merge ExternalSecret into an Owner ExternalSecret's Secret gets Conflict naming the owner and writes nothing")
    func mergeIntoOwned() async throws {
        try await RotationHarness.with { h in
            let running = h.startOperator()
            try await h.createExternalSecret(spec: Self.plain)
            #expect(await Self.hasReady(h, reason: "Synced"))
            #expect(await h.settled(running))
            let writes = h.secretWrites
            let merge = #"{"secretStoreRef":{"name":"fake"},"refreshInterval":"1h","target":{"name":"db","creationPolicy":"Merge"},"data":[{"secretKey":"extra","remoteRef":{"key":"db/user"}}]}"#
            try await Self.create(h, name: "merger", spec: merge)
            #expect(await Self.hasReady(h, "merger", reason: "Conflict", containing: "ExternalSecret db"))
            #expect(h.secretWrites == writes)
            #expect(await h.data() == ["password": "v1", "user": "app"])
            await running.stop()
        }
    }

    @Test("Merge into a Secret a Deployment controls is refused and the Secret left as it is")
    func mergeIntoControlled() async throws {
        try await RotationHarness.with { h in
            try await RotationRestartTargetTests.createDeployment(h)
            let deployment = try await RotationRestartTargetTests.deployment(h)
            var metadata = ObjectMeta(name: "cfg", namespace: "default")
            metadata.ownerReferences = [
                OwnerReference(apiVersion: "apps/v1", kind: "Deployment", name: "api", uid: deployment.metadata.uid ?? "", controller: true)
            ]
            _ = try await h.client.create(Secret(metadata: metadata, data: ["theirs": Data("keep".utf8)]))
            let running = h.startOperator()
            let merge = #"{"secretStoreRef":{"name":"fake"},"refreshInterval":"1h","target":{"name":"cfg","creationPolicy":"Merge"},"data":[{"secretKey":"password","remoteRef":{"key":"db/password"}}]}"#
            try await h.createExternalSecret(spec: merge)
            #expect(await Self.hasReady(h, reason: "InvalidSpec", containing: "controlled by Deployment api"))
            let after = try await h.client.get(Secret.self, namespace: "default", name: "cfg")
            #expect(after.data == ["theirs": Data("keep".utf8)])
            #expect(after.metadata.annotations == nil)
            await running.stop()
        }
    }

    @Test("a template label rotor.dev/managed is refused (InvalidSpec naming the field): a Merge target cannot be made to look Rotor's")
    func forgedManagedLabel() async throws {
        try await RotationHarness.with { h in
            _ = try await h.client.create(Secret(metadata: ObjectMeta(name: "foreign", namespace: "default"), data: ["theirs": Data("keep".utf8)]))
            let running = h.startOperator()
            let merge = #"{"secretStoreRef":{"name":"fake"},"refreshInterval":"1h","target":{"name":"foreign","creationPolicy":"Merge","template":{"metadata":{"labels":{"rotor.dev/managed":"true"}}}},"data":[{"secretKey":"password","remoteRef":{"key":"db/password"}}]}"#
            try await h.createExternalSecret(spec: merge)
            #expect(await Self.hasReady(h, reason: "InvalidSpec", containing: #"spec.target.template.metadata.labels["rotor.dev/managed"]"#))
            let after = try await h.client.get(Secret.self, namespace: "default", name: "foreign")
            #expect(after.metadata.labels?["rotor.dev/managed"] == nil)
            #expect(after.data == ["theirs": Data("keep".utf8)])
            await running.stop()
        }
    }
}
