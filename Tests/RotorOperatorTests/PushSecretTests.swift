import EmulatorTestSupport
import Foundation
import JSONCore
import KubeAPI
import KubeClient
import MotoTestSupport
import RotorAPI
import RotorOperator
import SecretProviders
import Testing
import VaultEmulator

/// PushSecret: a Secret's keys written to Vault KV and AWS Secrets Manager (moto) as
/// properties of JSON documents, conditionally, so other writers' properties survive.
@Suite("PushSecret", .serialized)
struct PushSecretTests {
    static func createSourceSecret(_ h: RotationHarness, password: String) async throws {
        var secret = Secret(metadata: ObjectMeta(name: "app-creds", namespace: "default"))
        secret.data = ["password": Data(password.utf8), "user": Data("app".utf8)]
        if let existing = try? await h.client.get(Secret.self, namespace: "default", name: "app-creds") {
            secret.metadata.resourceVersion = existing.metadata.resourceVersion
            _ = try await h.client.update(secret)
        } else {
            _ = try await h.client.create(secret)
        }
    }

    static func createPushSecret(
        _ h: RotationHarness, name: String = "push", store: String, remoteKey: String, secretKey: String? = "password",
        updatePolicy: String = "Replace", deletionPolicy: String = "None", storeKind: String = "SecretStore"
    ) async throws {
        let key = secretKey.map { #""secretKey":"\#($0)","# } ?? ""
        let json = #"{"apiVersion":"rotor.dev/v1alpha1","kind":"PushSecret","metadata":{"name":"\#(name)","namespace":"default"},"spec":{"secretStoreRef":{"name":"\#(store)","kind":"\#(storeKind)"},"selector":{"secret":{"name":"app-creds"}},"refreshInterval":"3s","updatePolicy":"\#(updatePolicy)","deletionPolicy":"\#(deletionPolicy)","data":[{"match":{\#(key)"remoteRef":{"remoteKey":"\#(remoteKey)"}}}]}}"#
        _ = try await h.client.create(PushSecret.resourceType, namespace: "default", body: try JSONValue(parsing: json))
    }

    static func pushSecret(_ h: RotationHarness, _ name: String = "push") async -> PushSecret? {
        try? await h.client.get(PushSecret.self, namespace: "default", name: name)
    }

    static func vaultDocument(_ vault: VaultEmulator, _ path: String) async -> [String: String] {
        let (_, body) = await vault.request("GET", "secret/data/\(path)")
        var result: [String: String] = [:]
        for (key, value) in body?[path: ["data", "data"]]?.objectValue ?? [:] { result[key] = value.stringValue }
        return result
    }

    static func withVault(_ body: (RotationHarness, VaultEmulator) async throws -> Void) async throws {
        var configuration = VaultEmulator.Configuration()
        configuration.tls = false
        let vault = try await VaultEmulator.start(configuration)
        do {
            try await RotationHarness.with(clusterCredentials: true) { h in
                try await ScheduledRotationVaultTests.createStore(h, vault)
                _ = h.startOperator()
                try await body(h, vault)
            }
        } catch {
            await vault.shutdown()
            throw error
        }
        await vault.shutdown()
    }

    @Test("a key is pushed to Vault as a property, other properties of the document are kept, and a changed Secret is pushed at the next refresh")
    func pushToVault() async throws {
        try await Self.withVault { h, vault in
            _ = await vault.write(["owner": "team-b"], to: "app/pushed")
            try await Self.createSourceSecret(h, password: "p1")
            try await Self.createPushSecret(h, store: "vault", remoteKey: "app/pushed")
            #expect(await EmulatedCluster.eventually { await Self.vaultDocument(vault, "app/pushed") == ["owner": "team-b", "password": "p1"] })
            // The status follows the write.
            #expect(await EmulatedCluster.eventually {
                let status = await Self.pushSecret(h)?.status
                return status?.conditions?.first?.reason == "Synced"
                    && status?.syncedPushSecrets == [PushedDocument(remoteKey: "app/pushed", version: "2", properties: ["password"])]
            })

            try await Self.createSourceSecret(h, password: "p2")
            h.advance(to: h.clock.now().addingTimeInterval(3.3))
            #expect(await EmulatedCluster.eventually { await Self.vaultDocument(vault, "app/pushed")["password"] == "p2" })
            let writes = vault.faults.requestCount(method: "POST", pathPrefix: "secret/data/app/pushed") + vault.faults.requestCount(method: "PUT", pathPrefix: "secret/data/app/pushed")
            h.advance(to: h.clock.now().addingTimeInterval(3.3))
            #expect(await EmulatedCluster.eventually { await Self.pushSecret(h)?.status?.syncedPushSecrets?.first?.version == "3" })
            try await Task.sleep(for: .milliseconds(300))
            let after = vault.faults.requestCount(method: "POST", pathPrefix: "secret/data/app/pushed") + vault.faults.requestCount(method: "PUT", pathPrefix: "secret/data/app/pushed")
            #expect(after == writes, "an unchanged Secret writes no new version")
        }
    }

    @Test("a concurrent write to the document between the push's read and its write is not lost: the conditional write fails, is read again and merged")
    func concurrentWriteIsKept() async throws {
        try await Self.withVault { h, vault in
            _ = await vault.write(["owner": "team-b"], to: "app/raced")
            try await Self.createSourceSecret(h, password: "p1")
            // Another client's write lands just before the push's write is served.
            vault.faults.inject(
                .concurrentWrite(path: "app/raced", data: ["owner": "team-b", "rotatedBy": "team-b-job"]), pathPrefix: "secret/data/app/raced", method: "POST")
            try await Self.createPushSecret(h, store: "vault", remoteKey: "app/raced")
            #expect(await EmulatedCluster.eventually {
                await Self.vaultDocument(vault, "app/raced") == ["owner": "team-b", "rotatedBy": "team-b-job", "password": "p1"]
            })
            #expect(await EmulatedCluster.eventually { await Self.pushSecret(h)?.status?.conditions?.first?.reason == "Synced" })
            #expect(vault.faults.responseCounts[400] == 1, "the first conditional write was refused (check-and-set), then retried on the new version")
        }
    }

    @Test("IfNotExists leaves an existing document as it is and creates a missing one")
    func ifNotExists() async throws {
        try await Self.withVault { h, vault in
            _ = await vault.write(["password": "theirs"], to: "app/existing")
            try await Self.createSourceSecret(h, password: "mine")
            try await Self.createPushSecret(h, name: "keep", store: "vault", remoteKey: "app/existing", updatePolicy: "IfNotExists")
            try await Self.createPushSecret(h, name: "create", store: "vault", remoteKey: "app/new-doc", updatePolicy: "IfNotExists")
            #expect(await EmulatedCluster.eventually { await Self.vaultDocument(vault, "app/new-doc") == ["password": "mine"] })
            #expect(await EmulatedCluster.eventually { await Self.pushSecret(h, "keep")?.status?.conditions?.first?.message?.contains("left \"app/existing\" as found") == true })
            #expect(await Self.vaultDocument(vault, "app/existing") == ["password": "theirs"], "not overwritten")
        }
    }

    @Test("deletionPolicy Delete withdraws the pushed properties when the PushSecret is deleted, and keeps the others")
    func deletionPolicyDelete() async throws {
        try await Self.withVault { h, vault in
            _ = await vault.write(["owner": "team-b"], to: "app/withdrawn")
            try await Self.createSourceSecret(h, password: "p1")
            try await Self.createPushSecret(h, store: "vault", remoteKey: "app/withdrawn", secretKey: nil, deletionPolicy: "Delete")
            #expect(await EmulatedCluster.eventually { await Self.vaultDocument(vault, "app/withdrawn") == ["owner": "team-b", "password": "p1", "user": "app"] })
            #expect(await Self.pushSecret(h)?.metadata.finalizers == [PushSecret.cleanupFinalizer])
            _ = try await h.client.delete(PushSecret.self, namespace: "default", name: "push")
            #expect(await EmulatedCluster.eventually { await Self.pushSecret(h) == nil }, "the finalizer is removed once withdrawn")
            #expect(await Self.vaultDocument(vault, "app/withdrawn") == ["owner": "team-b"])
        }
    }

    @Test("a PushSecret through a ClusterSecretStore is refused as Forbidden, and nothing is written")
    func clusterStoreRefused() async throws {
        try await Self.withVault { h, vault in
            try await Self.createSourceSecret(h, password: "p1")
            try await Self.createPushSecret(h, store: "vault", remoteKey: "app/shared", storeKind: "ClusterSecretStore")
            #expect(await EmulatedCluster.eventually { await Self.pushSecret(h)?.status?.conditions?.first?.reason == "Forbidden" })
            #expect(await Self.vaultDocument(vault, "app/shared").isEmpty)
        }
    }

    @Test("a key the Secret does not hold fails naming it, and nothing is written")
    func missingKey() async throws {
        try await Self.withVault { h, vault in
            try await Self.createSourceSecret(h, password: "p1")
            try await Self.createPushSecret(h, store: "vault", remoteKey: "app/missing", secretKey: "token")
            #expect(await EmulatedCluster.eventually {
                await Self.pushSecret(h)?.status?.conditions?.first?.message == #"spec.data[0].match.secretKey: Secret "app-creds" has no key "token""#
            })
            #expect(await Self.vaultDocument(vault, "app/missing").isEmpty)
        }
    }

    @Test("a key is pushed to AWS Secrets Manager (moto): a new secret is created, then updated with other properties kept")
    func pushToAWS() async throws {
        try await withMoto { moto in
            try await RotationHarness.with(clusterCredentials: true) { h in
                try await ScheduledMotoServerTests.createStore(h, moto)
                _ = h.startOperator()
                try await Self.createSourceSecret(h, password: "p1")
                try await Self.createPushSecret(h, store: "aws", remoteKey: "app/pushed")
                func document() async -> [String: String] {
                    guard let answer = try? await moto.secretsManager("GetSecretValue", ["SecretId": "app/pushed"]),
                        let text = answer["SecretString"] as? String, let object = try? JSONValue(parsing: text).objectValue
                    else { return [:] }
                    return object.compactMapValues(\.stringValue)
                }
                #expect(await EmulatedCluster.eventually(timeout: .seconds(30)) { await document() == ["password": "p1"] }, "created")
                _ = try await moto.secretsManager("PutSecretValue", ["SecretId": "app/pushed", "SecretString": #"{"password":"p1","owner":"team-b"}"#])
                try await Self.createSourceSecret(h, password: "p2")
                h.advance(to: h.clock.now().addingTimeInterval(3.3))
                #expect(await EmulatedCluster.eventually(timeout: .seconds(30)) { await document() == ["password": "p2", "owner": "team-b"] }, "updated, the other property kept")
            }
        }
    }
}
