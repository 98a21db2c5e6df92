import Crypto
import EmulatorTestSupport
import Foundation
import KubeClient
import KubeRuntime
import JSONCore
import KubeAPI
import RotorAPI
import RotorOperator
import Testing

/// The ExternalSecret controller end to end against the API emulator, with the fake provider.
@Suite("ExternalSecret controller")
struct ExternalSecretControllerTests {
    static let crds = ResourceType(group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions", kind: "CustomResourceDefinition", namespaced: false)

    static func fakeStore(_ value: String) throws -> SecretStore {
        try JSONValue(parsing: #"{"apiVersion":"rotor.dev/v1alpha1","kind":"SecretStore","metadata":{"name":"fake","namespace":"default"},"spec":{"provider":{"fake":{"data":[{"key":"db/password","value":"\#(value)","version":"1"},{"key":"db/user","value":"app","version":"1"}]}}}}"#).decode(as: SecretStore.self)
    }

    static let externalSecret = #"{"apiVersion":"rotor.dev/v1alpha1","kind":"ExternalSecret","metadata":{"name":"db","namespace":"default"},"spec":{"secretStoreRef":{"name":"fake","kind":"SecretStore"},"refreshInterval":"1h","data":[{"secretKey":"password","remoteRef":{"key":"db/password"}},{"secretKey":"user","remoteRef":{"key":"db/user"}}]}}"#

    static func password(_ client: HTTPKubernetesClient) async -> String? {
        (try? await client.get(Secret.self, namespace: "default", name: "db"))?.data?["password"].map { String(decoding: $0, as: UTF8.self) }
    }

    static func ready(_ client: HTTPKubernetesClient) async -> (status: String, reason: String)? {
        guard let es = try? await client.get(ExternalSecret.self, namespace: "default", name: "db"),
            let ready = es.status?.conditions?.first(where: { $0.type == "Ready" })
        else { return nil }
        return (ready.status.rawValue, ready.reason ?? "")
    }

    /// A cluster with the CRDs, a fake store and the controller running.
    static func withOperator(_ body: (EmulatedCluster) async throws -> Void) async throws {
        try await EmulatedCluster.with { cluster in
            for definition in RotorCRDs.shipped {
                _ = try await cluster.client.create(Self.crds, namespace: nil, body: definition.object)
            }
            _ = try await cluster.client.create(try Self.fakeStore("fake-pass-1"))
            let events = EventRecorder(client: cluster.client, configuration: .init(reportingComponent: "rotor", reportingInstance: "test"))
            let controllers = OperatorControllers(client: cluster.client, fingerprintKey: SymmetricKey(size: .bits256), events: events)
            let running = Task { try await controllers.run() }
            defer { running.cancel() }
            try await body(cluster)
            running.cancel()
            _ = try? await running.value
        }
    }

    @Test("a new ExternalSecret yields its Secret with data, managed labels, fingerprint and owner; status Ready")
    func syncsANewExternalSecret() async throws {
        try await Self.withOperator { cluster in
            let client = cluster.client
            _ = try await client.create(ExternalSecret.resourceType, namespace: "default", body: try JSONValue(parsing: Self.externalSecret))
            #expect(await EmulatedCluster.eventually { await Self.password(client) == "fake-pass-1" })
            let secret = try await client.get(Secret.self, namespace: "default", name: "db")
            #expect(secret.metadata.labels?["rotor.dev/managed"] == "true")
            #expect(secret.metadata.annotations?["rotor.dev/fingerprint"]?.hasPrefix("hmac-sha256:") == true)
            #expect(secret.metadata.ownerReferences?.first?.kind == "ExternalSecret")
            #expect(secret.metadata.ownerReferences?.first?.controller == true)
            #expect(await EmulatedCluster.eventually { await Self.ready(client)?.reason == "Synced" })
        }
    }

    @Test("a first sync creates its Secret without reading it first")
    func firstSyncCreatesWithoutARead() async throws {
        try await Self.withOperator { cluster in
            let client = cluster.client
            // The operator is up (its install key read) once a first ExternalSecret synced.
            let warmUp = Self.externalSecret.replacingOccurrences(of: #""name":"db""#, with: #""name":"warm-up""#)
            _ = try await client.create(ExternalSecret.resourceType, namespace: "default", body: try JSONValue(parsing: warmUp))
            #expect(await EmulatedCluster.eventually { (try? await client.get(Secret.self, namespace: "default", name: "warm-up")) != nil })
            // Every read of a Secret fails: a first sync must not need one.
            cluster.emulator.faults.failNext(10_000, matching: .init(verb: "get", resource: "secrets"), code: 500)
            defer { cluster.emulator.faults.reset() }
            _ = try await client.create(ExternalSecret.resourceType, namespace: "default", body: try JSONValue(parsing: Self.externalSecret))
            #expect(await EmulatedCluster.eventually { await Self.ready(client)?.reason == "Synced" })
            let secrets = try await client.list(Secret.self, namespace: "default")
            let synced = try #require(secrets.items.first { $0.metadata.name == "db" })
            #expect(synced.data?["password"] == Data("fake-pass-1".utf8))
        }
    }

    @Test("a first sync that finds a Secret of its name reads it: Rotor's own is adopted, someone else's is refused untouched")
    func firstSyncFindingASecretReadsIt() async throws {
        try await Self.withOperator { cluster in
            let client = cluster.client
            // Left by an earlier run that crashed before writing the status: managed, no owner.
            let leftover = Secret(
                metadata: ObjectMeta(name: "db", namespace: "default", labels: ["rotor.dev/managed": "true"]),
                data: ["password": Data("stale".utf8)])
            _ = try await client.create(leftover)
            _ = try await client.create(ExternalSecret.resourceType, namespace: "default", body: try JSONValue(parsing: Self.externalSecret))
            #expect(await EmulatedCluster.eventually { await Self.password(client) == "fake-pass-1" })
            #expect(await EmulatedCluster.eventually { await Self.ready(client)?.reason == "Synced" })

            // Someone else's Secret of the target name: nothing written, the reason shown.
            let foreign = Secret(metadata: ObjectMeta(name: "other", namespace: "default"), data: ["token": Data("theirs".utf8)])
            _ = try await client.create(foreign)
            let es = #"{"apiVersion":"rotor.dev/v1alpha1","kind":"ExternalSecret","metadata":{"name":"other","namespace":"default"},"spec":{"secretStoreRef":{"name":"fake"},"data":[{"secretKey":"password","remoteRef":{"key":"db/password"}}]}}"#
            _ = try await client.create(ExternalSecret.resourceType, namespace: "default", body: try JSONValue(parsing: es))
            #expect(await EmulatedCluster.eventually {
                let ready = (try? await client.get(ExternalSecret.self, namespace: "default", name: "other"))?.status?.conditions?.first { $0.type == "Ready" }
                return ready?.status == .false
            })
            let after = try await client.get(Secret.self, namespace: "default", name: "other")
            #expect(after.data == ["token": Data("theirs".utf8)])
            #expect(after.metadata.labels?["rotor.dev/managed"] == nil)
        }
    }

    @Test("editing the store's value updates the Secret; a no-op sync writes nothing")
    func storeChangeAndNoOp() async throws {
        try await Self.withOperator { cluster in
            let client = cluster.client
            _ = try await client.create(ExternalSecret.resourceType, namespace: "default", body: try JSONValue(parsing: Self.externalSecret))
            #expect(await EmulatedCluster.eventually { await Self.password(client) == "fake-pass-1" })
            var store = try await client.get(SecretStore.self, namespace: "default", name: "fake")
            store.spec = try Self.fakeStore("fake-pass-2").spec
            _ = try await client.update(store)
            #expect(await EmulatedCluster.eventually { await Self.password(client) == "fake-pass-2" })
            // Force a sync: the provider is read again, but the Secret is already right.
            #expect(await EmulatedCluster.eventually { await Self.ready(client)?.reason == "Synced" })
            let writesBefore = cluster.emulator.faults.requestCount(verb: "update", resource: "secrets")
                + cluster.emulator.faults.requestCount(verb: "create", resource: "secrets")
            let before = try await client.get(ExternalSecret.self, namespace: "default", name: "db").status?.syncedResourceVersion
            _ = try await client.patch(ExternalSecret.self, namespace: "default", name: "db", patch: .merge(["metadata": ["annotations": ["rotor.dev/force-sync": "1"]]]))
            #expect(await EmulatedCluster.eventually {
                let now = try? await client.get(ExternalSecret.self, namespace: "default", name: "db").status?.syncedResourceVersion
                return now != nil && now != before
            })
            let writesAfter = cluster.emulator.faults.requestCount(verb: "update", resource: "secrets")
                + cluster.emulator.faults.requestCount(verb: "create", resource: "secrets")
            #expect(writesAfter == writesBefore, "a sync that finds the Secret right makes no Secret write")
        }
    }

    /// Force-syncs `db` with `value` and waits until that sync is recorded in its status.
    static func forceSync(_ client: HTTPKubernetesClient, _ value: String) async throws -> Bool {
        _ = try await client.patch(
            ExternalSecret.self, namespace: "default", name: "db", patch: .merge(["metadata": ["annotations": ["rotor.dev/force-sync": .string(value)]]]))
        return await EmulatedCluster.eventually {
            (try? await client.get(ExternalSecret.self, namespace: "default", name: "db"))?.status?.syncedResourceVersion?.hasSuffix("force=\(value)") == true
        }
    }

    @Test("a sync finding its verified Secret unchanged does not read it; an edited Secret is read again, a new spec written")
    func verifiedSecretIsNotReadAgain() async throws {
        try await Self.withOperator { cluster in
            let client = cluster.client
            _ = try await client.create(ExternalSecret.resourceType, namespace: "default", body: try JSONValue(parsing: Self.externalSecret))
            #expect(await EmulatedCluster.eventually { await Self.ready(client)?.reason == "Synced" })
            // Once the managed-Secret cache has seen the Secret the operator wrote, a sync
            // (the provider read again, same data) reads no Secret and writes none.
            var quietSyncs = 0
            for round in 1...20 where quietSyncs == 0 {
                let reads = cluster.emulator.faults.requestCount(verb: "get", resource: "secrets")
                let writes = cluster.emulator.faults.requestCount(verb: "update", resource: "secrets")
                #expect(try await Self.forceSync(client, "quiet-\(round)"))
                if cluster.emulator.faults.requestCount(verb: "get", resource: "secrets") == reads {
                    quietSyncs += 1
                    #expect(cluster.emulator.faults.requestCount(verb: "update", resource: "secrets") == writes)
                }
            }
            #expect(quietSyncs == 1, "a sync of a verified, unchanged Secret skips its read")

            // Someone edits the Secret: its new version sends the next sync back to reading it.
            // (When the edit is undone is `EditedSecretRepairTests`' subject.)
            let reads = cluster.emulator.faults.requestCount(verb: "get", resource: "secrets")
            _ = try await client.patch(Secret.self, namespace: "default", name: "db", patch: .merge(["data": ["password": .string(Data("tampered".utf8).base64EncodedString())]]))
            #expect(await EmulatedCluster.eventually { cluster.emulator.faults.requestCount(verb: "get", resource: "secrets") > reads })

            // A new spec (another key name) is never served from the record either.
            _ = try await client.patch(
                ExternalSecret.self, namespace: "default", name: "db",
                patch: .json([["op": "replace", "path": "/spec/data/1/secretKey", "value": "username"]]))
            #expect(await EmulatedCluster.eventually {
                let data = (try? await client.get(Secret.self, namespace: "default", name: "db"))?.data
                return data?["username"] == Data("app".utf8) && data?["user"] == nil
            })
        }
    }

    @Test("a missing remote key leaves the synced Secret untouched and says why")
    func failureKeepsTheSecret() async throws {
        try await Self.withOperator { cluster in
            let client = cluster.client
            _ = try await client.create(ExternalSecret.resourceType, namespace: "default", body: try JSONValue(parsing: Self.externalSecret))
            #expect(await EmulatedCluster.eventually { await Self.password(client) == "fake-pass-1" })
            _ = try await client.patch(
                ExternalSecret.self, namespace: "default", name: "db",
                patch: .json([["op": "replace", "path": "/spec/data/0/remoteRef/key", "value": "db/nope"]]))
            #expect(await EmulatedCluster.eventually { await Self.ready(client)?.reason == "SecretNotFound" })
            #expect(await Self.ready(client)?.status == "False")
            #expect(await Self.password(client) == "fake-pass-1", "the last good value stays")
            let es = try await client.get(ExternalSecret.self, namespace: "default", name: "db")
            let message = es.status?.conditions?.first { $0.type == "Ready" }?.message ?? ""
            #expect(message.contains("db/nope"))
            #expect(!message.contains("fake-pass"))
        }
    }
}
