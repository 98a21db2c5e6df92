import EmulatorTestSupport
import Foundation
import KubeClient
import KubeRuntime
import JSONCore
import KubeAPI
import RotorAPI
import RotorOperator
import SecretProviders
import Testing
import VaultEmulator
import VaultProvider

/// Scheduled rotation against the Vault emulator (KV v2): the
/// provider write is a check-and-set write, and a crash before or after it ends with exactly
/// one new Vault version and a Secret with new + previous.
@Suite("Scheduled rotation with Vault", .serialized)
struct ScheduledRotationVaultTests {
    /// A cluster with a SecretStore `vault` (token auth from the Secret `vault-token`) and
    /// `secret/db/creds` = {password: old-pass, user: app} at version 1.
    static func with(_ body: (RotationHarness, VaultEmulator, any SecretReader) async throws -> Void) async throws {
        var configuration = VaultEmulator.Configuration()
        configuration.tls = false
        let vault = try await VaultEmulator.start(configuration)
        do {
            let version = await vault.write(["password": "old-pass", "user": "app"], to: "db/creds")
            #expect(version == 1)
            try await RotationHarness.with(clusterCredentials: true) { h in
                try await ScheduledRotationVaultTests.createStore(h, vault)
                // A reader of its own, to look at Vault's versions as a client would.
                let spec = try JSONValue(parsing: #"{"server":"\#(vault.url)","insecureAllowHTTP":true,"path":"secret","version":"v2","auth":{"tokenSecretRef":{"name":"vault-token","key":"token"}}}"#)
                let reader = try VaultProviderFactory().makeProvider(ProviderContext(
                    storeName: "SecretStore/default/vault", config: try JSONValue(encoding: spec),
                    secrets: RootToken(token: vault.rootToken)))
                try await body(h, vault, reader)
            }
        } catch {
            await vault.shutdown()
            throw error
        }
        await vault.shutdown()
    }

    /// The Secret `vault-token` (the root token) and the SecretStore `vault` using it (KV v2
    /// at `secret/`, plain HTTP).
    static func createStore(_ h: RotationHarness, _ vault: VaultEmulator) async throws {
        var token = Secret(metadata: ObjectMeta(name: "vault-token", namespace: "default"))
        token.data = ["token": Data(vault.rootToken.utf8)]
        _ = try await h.client.create(token)
        let store = #"{"apiVersion":"rotor.dev/v1alpha1","kind":"SecretStore","metadata":{"name":"vault","namespace":"default"},"spec":{"provider":{"vault":{"server":"\#(vault.url)","insecureAllowHTTP":true,"path":"secret","version":"v2","auth":{"tokenSecretRef":{"name":"vault-token","key":"token"}}}}}}"#
        _ = try await h.client.create(SecretStore.resourceType, namespace: "default", body: try JSONValue(parsing: store))
    }

    struct RootToken: CredentialResolver {
        let token: String
        func credential(name: String, key: String, namespace: String?) async throws -> SecretValue { SecretValue(utf8: token) }
    }

    static let spec = #"{"secretStoreRef":{"name":"vault"},"refreshInterval":"1h","data":[{"secretKey":"password","remoteRef":{"key":"db/creds","property":"password"}},{"secretKey":"user","remoteRef":{"key":"db/creds","property":"user"}}],"rotation":{"gracePeriod":"10m","generate":[{"property":"password","length":24}]}}"#

    static func current(_ reader: any SecretReader) async throws -> (version: String?, password: String?, user: String?) {
        let secret = try await reader.read(RemoteSecretID(key: "db/creds"))
        let properties = try secret.extract(for: RemoteSecretID(key: "db/creds"))
        return (secret.version, properties["password"]?.revealedString(), properties["user"]?.revealedString())
    }

    static func run(crashAfter step: RotationStep) async throws {
        try await with { h, _, reader in
            let crashes = CrashRecorder()
            let first = h.startOperator(hooks: crashes.crashing(after: step))
            try await h.createExternalSecret(spec: Self.spec)
            #expect(await EmulatedCluster.eventually { await h.data()["password"] == "old-pass" })
            #expect(await h.settled(first))
            _ = try await h.client.patch(
                ExternalSecret.self, namespace: "default", name: "db", patch: .merge(["metadata": ["annotations": ["rotor.dev/rotate": "1"]]]))
            #expect(await EmulatedCluster.eventually { await crashes.reached == [step] })
            await first.stop()
            let before = try await Self.current(reader)
            #expect(before.version == (step == .pendingRecorded ? "1" : "2"))
            #expect(await h.data()["password"] == "old-pass")

            let second = h.startOperator()
            #expect(await EmulatedCluster.eventually { await h.data()["password_previous"] == "old-pass" })
            #expect(await EmulatedCluster.eventually { await h.rotationStatus()?.pendingID == nil })
            let after = try await Self.current(reader)
            #expect(after.version == "2", "exactly one new Vault version")
            #expect(after.password != "old-pass" && after.password?.count == 24)
            #expect(after.user == "app", "the other properties are kept")
            #expect(await h.data()["password"] == after.password)
            await second.stop()
        }
    }

    @Test("Vault: a crash between recording pendingID and the write ends with one new version and new + previous in the Secret")
    func crashBeforeWrite() async throws {
        try await Self.run(crashAfter: .pendingRecorded)
    }

    @Test("Vault: a crash between the write and the sync ends with one new version and new + previous in the Secret")
    func crashAfterWrite() async throws {
        try await Self.run(crashAfter: .providerWritten)
    }

    /// A JSON number as JSONSerialization decoded it.
    static func number(_ value: Any?) -> Double? {
        if let value = value as? Int { return Double(value) }
        if let value = value as? Double { return value }
        return (value as? NSNumber)?.doubleValue
    }

    @Test("Vault: a rotation keeps every other property with its JSON type: numbers, booleans, null, objects and arrays")
    func keepsJSONTypes() async throws {
        try await Self.with { h, _, reader in
            // Version 2: a typed secret, written through the provider as a client would.
            let writer = try #require(reader as? any SecretWriter)
            let typed = #"{"user":"app","port":5432,"ratio":1.5,"tls":true,"legacy":false,"proxy":null,"#
                + #""pool":{"min":1,"hosts":["db-1","db-2"]},"tags":["a",2,false],"note":"caf\u00e9","password":"old-pass"}"#
            #expect(try await writer.write(key: "db/creds", document: SecretValue(utf8: typed), idempotencyToken: "seed", expectedVersion: "1") == "2")
            let running = h.startOperator()
            try await h.createExternalSecret(spec: Self.spec)
            #expect(await EmulatedCluster.eventually { await h.data()["password"] == "old-pass" })
            #expect(await h.settled(running))
            _ = try await h.client.patch(
                ExternalSecret.self, namespace: "default", name: "db", patch: .merge(["metadata": ["annotations": ["rotor.dev/rotate": "1"]]]))
            #expect(await EmulatedCluster.eventually { await h.data()["password_previous"] == "old-pass" })
            #expect(await EmulatedCluster.eventually { await h.rotationStatus()?.pendingID == nil })

            let after = try await reader.read(RemoteSecretID(key: "db/creds"))
            #expect(after.version == "3", "one new Vault version")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(after.value.revealedBytes())) as? [String: Any])
            #expect(!(object["port"] is String) && Self.number(object["port"]) == 5432, "a number stays a number")
            #expect(Self.number(object["ratio"]) == 1.5)
            #expect(object["tls"] as? Bool == true)
            #expect(object["legacy"] as? Bool == false)
            #expect(object["proxy"] is NSNull)
            let pool = try #require(object["pool"] as? [String: Any])
            #expect(Self.number(pool["min"]) == 1)
            #expect(pool["hosts"] as? [String] == ["db-1", "db-2"])
            let tags = try #require(object["tags"] as? [Any])
            #expect(tags.count == 3 && tags[0] as? String == "a" && Self.number(tags[1]) == 2 && tags[2] as? Bool == false)
            #expect(object["note"] as? String == "café")
            #expect(object["user"] as? String == "app")
            let password = try #require(object["password"] as? String)
            #expect(password != "old-pass" && password.count == 24)
            #expect(await h.data()["password"] == password)
            await running.stop()
        }
    }
}
