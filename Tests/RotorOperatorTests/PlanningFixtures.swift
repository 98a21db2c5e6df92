import FakeProvider
import Foundation
import KubeAPI
import RotorAPI
import RotorOperator

/// Objects and helpers shared by the planning tests.
enum PlanningFixtures {
    /// A value that must never appear in any message or status.
    static let canary = "CANARY-7f3a9c-do-not-print"

    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func externalSecret(
        name: String = "db", namespace: String = "shop", storeName: String = "vault", kind: SecretStoreKind? = nil,
        generation: Int64 = 1, annotations: [String: String]? = nil, refreshInterval: String? = nil,
        refreshPolicy: RefreshPolicy? = nil, status: ExternalSecretStatus? = nil
    ) -> ExternalSecret {
        var es = ExternalSecret(
            metadata: ObjectMeta(name: name, namespace: namespace, annotations: annotations),
            spec: ExternalSecretSpec(
                secretStoreRef: SecretStoreRef(name: storeName, kind: kind), refreshInterval: refreshInterval,
                refreshPolicy: refreshPolicy,
                data: [ExternalSecretData(secretKey: "password", remoteRef: ExternalSecretRemoteRef(key: "shop/db"))]),
            status: status)
        es.metadata.generation = generation
        return es
    }

    /// A fake provider whose only value is the canary.
    static var canaryProvider: SecretStoreProvider {
        SecretStoreProvider(fake: FakeStoreConfig(data: [FakeProviderData(key: "shop/db", value: canary, version: "1")]))
    }

    static func storeStatus(ready: ConditionStatus?, reason: String? = nil, message: String? = nil) -> SecretStoreStatus? {
        guard let ready else { return nil }
        return SecretStoreStatus(conditions: [
            Condition(type: SecretStoreConditions.ready, status: ready, reason: reason, message: message)
        ])
    }

    static func secretStore(
        name: String = "vault", namespace: String = "shop", ready: ConditionStatus? = .true, reason: String? = nil,
        message: String? = nil, generation: Int64 = 1
    ) -> SecretStore {
        var store = SecretStore(
            metadata: ObjectMeta(name: name, namespace: namespace), spec: SecretStoreSpec(provider: canaryProvider),
            status: storeStatus(ready: ready, reason: reason, message: message))
        store.metadata.generation = generation
        return store
    }

    static func clusterSecretStore(
        name: String = "shared", conditions: [ClusterSecretStoreCondition]? = nil, ready: ConditionStatus? = .true,
        reason: String? = nil, message: String? = nil
    ) -> ClusterSecretStore {
        var store = ClusterSecretStore(
            metadata: ObjectMeta(name: name),
            spec: ClusterSecretStoreSpec(provider: canaryProvider, conditions: conditions),
            status: storeStatus(ready: ready, reason: reason, message: message))
        store.metadata.generation = 4
        return store
    }

    /// Resolves `es` against the given stores, as the reconciler does against its caches.
    static func resolve(
        _ es: ExternalSecret, namespaceLabels: [String: String] = [:], secretStores: [SecretStore] = [],
        clusterSecretStores: [ClusterSecretStore] = []
    ) -> StoreResolution {
        StoreResolution.resolve(
            es, namespaceLabels: namespaceLabels,
            secretStore: { namespace, name in secretStores.first { $0.namespace == namespace && $0.name == name } },
            clusterSecretStore: { name in clusterSecretStores.first { $0.name == name } })
    }

    static let vaultStore = ResolvedStore(
        identity: .secretStore(namespace: "shop", name: "vault"), provider: canaryProvider, generation: 1)
}

/// A deterministic random source for jitter tests: the hostile-input tests' SplitMix64.
typealias PlanningSeededGenerator = FuzzRandom
