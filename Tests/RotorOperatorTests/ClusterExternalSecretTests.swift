import EmulatorTestSupport
import Foundation
import JSONCore
import KubeAPI
import KubeClient
import RotorAPI
import RotorOperator
import Testing
import VaultEmulator

/// ClusterExternalSecret: one object, an ExternalSecret in every namespace it selects.
/// The provider is read once per refresh for all namespaces (counted at the Vault
/// emulator), a namespace labelled later gets its Secret from the Namespace watch (the
/// manual clock does not move, so no `refreshTime` passes), one unlabelled loses it.
@Suite("ClusterExternalSecret", .serialized)
struct ClusterExternalSecretTests {
    static let fanOutNamespaces = (0..<50).map { "team-\($0)" }

    /// Vault with `secret/app/shared`, a ClusterSecretStore `vault` reading it with a token
    /// kept in `default`, and the namespaces (labelled `tier=app` when `labelled`).
    static func withClusterStore(_ body: (RotationHarness, VaultEmulator, RotationHarness.Running) async throws -> Void) async throws {
        var configuration = VaultEmulator.Configuration()
        configuration.tls = false
        let vault = try await VaultEmulator.start(configuration)
        do {
            _ = await vault.write(["password": "fan-v1"], to: "app/shared")
            try await RotationHarness.with(clusterCredentials: true) { h in
                var token = Secret(metadata: ObjectMeta(name: "vault-token", namespace: "default"))
                token.data = ["token": Data(vault.rootToken.utf8)]
                _ = try await h.client.create(token)
                let store = #"{"apiVersion":"rotor.dev/v1alpha1","kind":"ClusterSecretStore","metadata":{"name":"vault"},"spec":{"provider":{"vault":{"server":"\#(vault.url)","insecureAllowHTTP":true,"path":"secret","version":"v2","auth":{"tokenSecretRef":{"name":"vault-token","namespace":"default","key":"token"}}}}}}"#
                _ = try await h.client.create(ClusterSecretStore.resourceType, namespace: nil, body: try JSONValue(parsing: store))
                for name in fanOutNamespaces {
                    _ = try await h.client.create(Namespace(metadata: ObjectMeta(name: name, labels: ["tier": "app"])))
                }
                _ = try await h.client.create(Namespace(metadata: ObjectMeta(name: "other")))
                let running = h.startOperator()
                try await body(h, vault, running)
            }
        } catch {
            await vault.shutdown()
            throw error
        }
        await vault.shutdown()
    }

    static func createClusterExternalSecret(_ h: RotationHarness, refreshInterval: String = "3s", extra: String = "") async throws {
        let json = #"{"apiVersion":"rotor.dev/v1alpha1","kind":"ClusterExternalSecret","metadata":{"name":"shared"},"spec":{"namespaceSelectors":[{"matchLabels":{"tier":"app"}}],"refreshTime":"1h"\#(extra),"externalSecretSpec":{"secretStoreRef":{"name":"vault","kind":"ClusterSecretStore"},"refreshInterval":"\#(refreshInterval)","data":[{"secretKey":"password","remoteRef":{"key":"app/shared","property":"password"}}]}}}"#
        _ = try await h.client.create(ClusterExternalSecret.resourceType, namespace: nil, body: try JSONValue(parsing: json))
    }

    static func password(_ h: RotationHarness, in namespace: String) async -> String? {
        guard let secret = try? await h.client.get(Secret.self, namespace: namespace, name: "shared") else { return nil }
        return secret.data?["password"].map { String(decoding: $0, as: UTF8.self) }
    }

    static func clusterExternalSecret(_ h: RotationHarness) async -> ClusterExternalSecret? {
        try? await h.client.get(ClusterExternalSecret.self, namespace: nil, name: "shared")
    }

    static func reads(_ vault: VaultEmulator) -> Int {
        vault.faults.requestCount(method: "GET", pathPrefix: "secret/data/app/")
    }

    @Test("over 50 namespaces: 50 Secrets, and the provider is read once per refresh for all of them")
    func fanOutReadsOncePerRefresh() async throws {
        try await Self.withClusterStore { h, vault, running in
            try await Self.createClusterExternalSecret(h)
            func allHold(_ value: String) async -> Bool {
                for namespace in Self.fanOutNamespaces where await Self.password(h, in: namespace) != value { return false }
                return true
            }
            #expect(await EmulatedCluster.eventually(timeout: .seconds(60)) { await allHold("fan-v1") })
            #expect(await h.settled(running))
            #expect(Self.reads(vault) == 1, "the first sync of all 50: one read")
            let status = await Self.clusterExternalSecret(h)?.status
            #expect(status?.provisionedNamespaces == Self.fanOutNamespaces.sorted())
            #expect(status?.failedNamespaces == nil)
            #expect(status?.conditions?.first?.reason == "Provisioned")
            #expect(await Self.password(h, in: "other") == nil, "an unselected namespace gets nothing")

            for version in ["fan-v2", "fan-v3"] {
                let before = Self.reads(vault)
                _ = await vault.write(["password": version], to: "app/shared")
                h.advance(to: h.clock.now().addingTimeInterval(3.3))
                #expect(await EmulatedCluster.eventually(timeout: .seconds(60)) { await allHold(version) }, "\(version) everywhere at the next refresh")
                #expect(await h.settled(running))
                #expect(Self.reads(vault) - before == 1, "\(version): one read for 50 namespaces")
            }
        }
    }

    @Test("a namespace labelled later gets its Secret without waiting for refreshTime; one unlabelled loses its ExternalSecret and Secret")
    func namespaceWatch() async throws {
        try await Self.withClusterStore { h, _, running in
            try await Self.createClusterExternalSecret(h, refreshInterval: "1h")
            #expect(await EmulatedCluster.eventually(timeout: .seconds(60)) { await Self.password(h, in: "team-0") == "fan-v1" })
            #expect(await h.settled(running))

            // The manual clock stands still: only the Namespace watch can bring these.
            _ = try await h.client.patch(Namespace.self, namespace: nil, name: "other", patch: .merge(["metadata": ["labels": ["tier": "app"]]]))
            #expect(await EmulatedCluster.eventually { await Self.password(h, in: "other") == "fan-v1" }, "labelled: its Secret arrives")
            _ = try await h.client.patch(Namespace.self, namespace: nil, name: "team-0", patch: .merge(["metadata": ["labels": ["tier": nil]]]))
            let removed = await EmulatedCluster.eventually {
                let es = try? await h.client.get(ExternalSecret.self, namespace: "team-0", name: "shared")
                let password = await Self.password(h, in: "team-0")
                return es == nil && password == nil
            }
            #expect(removed, "unlabelled: its ExternalSecret and Secret go")
            let reported = await EmulatedCluster.eventually {
                let provisioned = await Self.clusterExternalSecret(h)?.status?.provisionedNamespaces ?? []
                return provisioned.contains("other") && !provisioned.contains("team-0") && provisioned.count == 50
            }
            #expect(reported)
        }
    }

    @Test("an ExternalSecret of the same name it does not manage is left as it is, and the namespace is reported failed")
    func foreignExternalSecretIsNotOverwritten() async throws {
        try await Self.withClusterStore { h, _, _ in
            let foreign = #"{"apiVersion":"rotor.dev/v1alpha1","kind":"ExternalSecret","metadata":{"name":"shared","namespace":"team-7"},"spec":{"secretStoreRef":{"name":"vault","kind":"ClusterSecretStore"},"refreshInterval":"1h","data":[{"secretKey":"mine","remoteRef":{"key":"app/shared","property":"password"}}]}}"#
            _ = try await h.client.create(ExternalSecret.resourceType, namespace: "team-7", body: try JSONValue(parsing: foreign))
            try await Self.createClusterExternalSecret(h, refreshInterval: "1h")
            let failed = await EmulatedCluster.eventually {
                let status = await Self.clusterExternalSecret(h)?.status
                return status?.failedNamespaces?.map(\.namespace) == ["team-7"] && status?.provisionedNamespaces?.count == 49
            }
            #expect(failed)
            let status = await Self.clusterExternalSecret(h)?.status
            #expect(status?.failedNamespaces?.first?.reason == "ExternalSecret \"shared\" exists and is not managed by this ClusterExternalSecret")
            #expect(status?.conditions?.first?.status == .false && status?.conditions?.first?.reason == "NamespacesFailed")
            let kept = try await h.client.get(ExternalSecret.self, namespace: "team-7", name: "shared")
            #expect(kept.spec.data?.first?.secretKey == "mine", "its spec is untouched")
            #expect(kept.metadata.ownerReferences == nil)
        }
    }

    @Test("an invalid spec is Ready=False InvalidSpec naming the field, and no ExternalSecret is made", arguments: [
        (#","externalSecretMetadata":{"labels":{"rotor.dev/managed":"x"}}"#, "spec.externalSecretMetadata.labels"),
        (#","externalSecretName":"Not_A_Name""#, "spec.externalSecretName"),
    ])
    func invalidSpec(_ extra: String, field: String) async throws {
        try await Self.withClusterStore { h, _, _ in
            try await Self.createClusterExternalSecret(h, refreshInterval: "1h", extra: extra)
            let refused = await EmulatedCluster.eventually {
                let ready = await Self.clusterExternalSecret(h)?.status?.conditions?.first
                return ready?.reason == "InvalidSpec" && ready?.message?.hasPrefix(field + ":") == true
            }
            #expect(refused)
            let made = try await h.client.list(ExternalSecret.self, namespace: nil)
            #expect(made.items.isEmpty)
        }
    }
}
