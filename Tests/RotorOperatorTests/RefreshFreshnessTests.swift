import EmulatorTestSupport
import Foundation
import JSONCore
import KubeAPI
import KubeClient
import MotoTestSupport
import RotorAPI
import RotorOperator
import Testing
import VaultEmulator

/// A store's reads are cached and shared, yet an ExternalSecret follows its provider as
/// closely as its own `refreshInterval` says: a version written between two refreshes is
/// read at the first refresh after it, even when the interval (3 s) is much shorter than
/// the cache's 30 s TTL; and ExternalSecrets of one key that come due together still cost
/// one provider read. The operator runs on a manual clock (the caches age by it too).
@Suite("Refresh freshness", .serialized)
struct RefreshFreshnessTests {
    /// Vault (KV v2, token auth, plain HTTP) with `secret/app/<key>` = {password: value}
    /// for each entry of `keys`, a cluster with the SecretStore `vault`, and an operator.
    static func withVault(
        keys: [String: String], _ body: (RotationHarness, VaultEmulator, RotationHarness.Running) async throws -> Void
    ) async throws {
        var configuration = VaultEmulator.Configuration()
        configuration.tls = false
        let vault = try await VaultEmulator.start(configuration)
        do {
            for (key, value) in keys { _ = await vault.write(["password": value], to: "app/\(key)") }
            try await RotationHarness.with(clusterCredentials: true) { h in
                try await ScheduledRotationVaultTests.createStore(h, vault)
                let running = h.startOperator()
                try await body(h, vault, running)
            }
        } catch {
            await vault.shutdown()
            throw error
        }
        await vault.shutdown()
    }

    /// An ExternalSecret `name` refreshed every `interval`, its Secret's `password` from
    /// the remote `key` of `store`.
    static func createExternalSecret(_ h: RotationHarness, name: String, store: String, key: String, interval: String = "3s") async throws {
        let json = #"{"apiVersion":"rotor.dev/v1alpha1","kind":"ExternalSecret","metadata":{"name":"\#(name)","namespace":"default"},"spec":{"secretStoreRef":{"name":"\#(store)"},"refreshInterval":"\#(interval)","data":[{"secretKey":"password","remoteRef":{"key":"\#(key)","property":"password"}}]}}"#
        _ = try await h.client.create(ExternalSecret.resourceType, namespace: "default", body: try JSONValue(parsing: json))
    }

    static func password(_ h: RotationHarness, secret name: String) async -> String? {
        guard let secret = try? await h.client.get(Secret.self, namespace: "default", name: name) else { return nil }
        return secret.data?["password"].map { String(decoding: $0, as: UTF8.self) }
    }

    /// Past the latest a 3 s refresh can come (+10 % jitter).
    static let oneInterval: TimeInterval = 3.3

    /// KV v2 reads of `secret/app/…` that reached the emulator.
    static func reads(_ vault: VaultEmulator) -> Int {
        vault.faults.requestCount(method: "GET", pathPrefix: "secret/data/app/")
    }

    @Test func aNewVaultVersionIsReadAtTheFirstRefreshAfterItWasWritten() async throws {
        try await Self.withVault(keys: ["db": "v1"]) { h, vault, running in
            try await Self.createExternalSecret(h, name: "db", store: "vault", key: "app/db")
            #expect(await EmulatedCluster.eventually { await Self.password(h, secret: "db") == "v1" })
            #expect(await h.settled(running))

            for version in ["v2", "v3"] {
                let before = Self.reads(vault)
                _ = await vault.write(["password": version], to: "app/db")
                h.advance(to: h.clock.now().addingTimeInterval(Self.oneInterval))
                #expect(await EmulatedCluster.eventually { await Self.password(h, secret: "db") == version }, "\(version) at the next refresh")
                #expect(await h.settled(running))
                #expect(Self.reads(vault) == before + 1, "one read per refresh")
            }
        }
    }

    @Test func aNewAWSVersionIsReadAtTheFirstRefreshAfterItWasWritten() async throws {
        try await withMoto { moto in
            try await moto.secretsManager("CreateSecret", ["Name": "app/db", "SecretString": #"{"password":"v1"}"#])
            try await RotationHarness.with(clusterCredentials: true) { h in
                try await ScheduledMotoServerTests.createStore(h, moto)
                let running = h.startOperator()
                try await Self.createExternalSecret(h, name: "db", store: "aws", key: "app/db")
                #expect(await EmulatedCluster.eventually(timeout: .seconds(30)) { await Self.password(h, secret: "db") == "v1" })
                #expect(await h.settled(running))

                for version in ["v2", "v3"] {
                    try await moto.secretsManager("PutSecretValue", ["SecretId": "app/db", "SecretString": #"{"password":"\#(version)"}"#])
                    h.advance(to: h.clock.now().addingTimeInterval(Self.oneInterval))
                    #expect(
                        await EmulatedCluster.eventually(timeout: .seconds(30)) { await Self.password(h, secret: "db") == version },
                        "\(version) at the next refresh")
                    #expect(await h.settled(running))
                }
            }
        }
    }

    @Test func aThousandExternalSecretsOnTenKeysCostTenReadsPerInterval() async throws {
        let keys = (0..<10).map { "k\($0)" }
        try await Self.withVault(keys: Dictionary(uniqueKeysWithValues: keys.map { ($0, "\($0)-v1") })) { h, vault, running in
            for index in 0..<1_000 {
                try await Self.createExternalSecret(h, name: "es-\(index)", store: "vault", key: "app/\(keys[index % 10])")
            }
            func refreshedAll(after time: Date) async -> Bool {
                guard let list = try? await h.client.list(ExternalSecret.self, namespace: "default") else { return false }
                return list.items.count == 1_000 && list.items.allSatisfy { ($0.status?.refreshTime?.date).map { $0 >= time } ?? false }
            }
            let created = h.clock.now()
            #expect(await EmulatedCluster.eventually(timeout: .seconds(120)) { await refreshedAll(after: created) })
            #expect(await h.settled(running))
            #expect(Self.reads(vault) == 10, "the first sync of all 1,000: one read per key")

            for interval in 1...2 {
                _ = await vault.write(["password": "k3-v\(interval + 1)"], to: "app/k3")
                let before = Self.reads(vault)
                h.advance(to: h.clock.now().addingTimeInterval(Self.oneInterval))
                let due = h.clock.now().addingTimeInterval(-1)
                #expect(await EmulatedCluster.eventually(timeout: .seconds(120)) { await refreshedAll(after: due) })
                #expect(await h.settled(running))
                #expect(Self.reads(vault) - before == 10, "interval \(interval): one read per key")
                #expect(await Self.password(h, secret: "es-3") == "k3-v\(interval + 1)")
            }
        }
    }
}
