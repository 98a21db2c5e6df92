import Foundation
import KubeAPI
import RotorAPI
import RotorOperator
import Testing

@Suite("Planning: store resolution")
struct PlanningStoreResolutionTests {
    typealias F = PlanningFixtures
    typealias Reason = ExternalSecretConditions.Reason

    @Test("a ready SecretStore in the ExternalSecret's namespace resolves with its provider and identity")
    func resolvesNamespacedStore() throws {
        let store = F.secretStore(generation: 7)
        let resolution = F.resolve(F.externalSecret(), secretStores: [store])
        let resolved = try #require(resolution.store)
        #expect(resolved.identity == .secretStore(namespace: "shop", name: "vault"))
        #expect(resolved.identity.description == "SecretStore/shop/vault")
        #expect(resolved.provider == store.spec.provider)
        #expect(resolved.generation == 7)
    }

    @Test("a missing SecretStore is StoreNotReady naming the store and the namespace")
    func missingSecretStore() throws {
        let failure = try #require(F.resolve(F.externalSecret(namespace: "y", storeName: "x")).failure)
        #expect(failure.reason == Reason.storeNotReady)
        #expect(failure.message == #"SecretStore "x" not found in namespace "y""#)
        #expect(!failure.isTerminal)
    }

    @Test("a SecretStore of the same name in another namespace is not used")
    func storeInOtherNamespaceIsNotUsed() throws {
        let elsewhere = F.secretStore(name: "vault", namespace: "billing")
        let failure = try #require(F.resolve(F.externalSecret(namespace: "shop"), secretStores: [elsewhere]).failure)
        #expect(failure.reason == Reason.storeNotReady)
        #expect(failure.message == #"SecretStore "vault" not found in namespace "shop""#)
    }

    @Test("an unknown store kind is a terminal InvalidSpec naming spec.secretStoreRef.kind and the bad value")
    func unknownKind() throws {
        let es = F.externalSecret(kind: SecretStoreKind(rawValue: "SecretStor"))
        let failure = try #require(F.resolve(es, secretStores: [F.secretStore()]).failure)
        #expect(failure.reason == Reason.invalidSpec)
        #expect(failure.message.hasPrefix("spec.secretStoreRef.kind: "))
        #expect(failure.message.contains(#""SecretStor""#))
        #expect(failure.message.contains("SecretStore or ClusterSecretStore"))
        #expect(failure.isTerminal)
    }

    @Test("an empty store name is InvalidSpec naming spec.secretStoreRef.name")
    func emptyName() throws {
        let failure = try #require(F.resolve(F.externalSecret(storeName: "")).failure)
        #expect(failure.reason == Reason.invalidSpec)
        #expect(failure.message.hasPrefix("spec.secretStoreRef.name: "))
    }

    @Test("a SecretStore whose Ready is False is StoreNotReady with the store's own reason")
    func storeNotReady() throws {
        let store = F.secretStore(ready: .false, reason: "Forbidden", message: "provider.permissionDenied: permission denied")
        let failure = try #require(F.resolve(F.externalSecret(), secretStores: [store]).failure)
        #expect(failure.reason == Reason.storeNotReady)
        #expect(failure.message == #"SecretStore "vault" in namespace "shop" is not ready (Forbidden: provider.permissionDenied: permission denied)"#)
    }

    @Test("a store never checked (no Ready condition) is StoreNotReady, pending: no warning Event at start-up")
    func storeNeverChecked() throws {
        let failure = try #require(F.resolve(F.externalSecret(), secretStores: [F.secretStore(ready: nil)]).failure)
        #expect(failure.reason == Reason.storeNotReady)
        #expect(failure.message == #"SecretStore "vault" in namespace "shop" has not been checked yet"#)
        #expect(failure.isPending)
        let refused = try #require(F.resolve(F.externalSecret(), secretStores: [F.secretStore(ready: .false)]).failure)
        #expect(!refused.isPending, "a store that was checked and refused is a real failure")
    }

    @Test("a ready ClusterSecretStore without conditions admits every namespace")
    func clusterStoreWithoutConditions() throws {
        let es = F.externalSecret(storeName: "shared", kind: .clusterSecretStore)
        let resolved = try #require(F.resolve(es, clusterSecretStores: [F.clusterSecretStore()]).store)
        #expect(resolved.identity == .clusterSecretStore(name: "shared"))
        #expect(resolved.identity.description == "ClusterSecretStore/shared")
        #expect(resolved.generation == 4)
    }

    @Test("a missing ClusterSecretStore is StoreNotReady naming it")
    func missingClusterStore() throws {
        let es = F.externalSecret(storeName: "shared", kind: .clusterSecretStore)
        let failure = try #require(F.resolve(es).failure)
        #expect(failure.reason == Reason.storeNotReady)
        #expect(failure.message == #"ClusterSecretStore "shared" not found"#)
    }

    @Test("a ClusterSecretStore admits a namespace named in its conditions and refuses others as Forbidden")
    func clusterStoreByNamespaceList() throws {
        let store = F.clusterSecretStore(conditions: [ClusterSecretStoreCondition(namespaces: ["shop", "billing"])])
        let admitted = F.resolve(
            F.externalSecret(namespace: "billing", storeName: "shared", kind: .clusterSecretStore), clusterSecretStores: [store])
        #expect(admitted.store != nil)

        let refused = F.resolve(
            F.externalSecret(namespace: "dev", storeName: "shared", kind: .clusterSecretStore), clusterSecretStores: [store])
        let failure = try #require(refused.failure)
        #expect(failure.reason == Reason.forbidden)
        #expect(failure.message == #"ClusterSecretStore "shared" does not admit namespace "dev" (see its spec.conditions)"#)
    }

    @Test("a ClusterSecretStore admits namespaces by namespaceSelector on the namespace's labels")
    func clusterStoreBySelector() throws {
        let selector = LabelSelector(matchLabels: ["team": "shop"])
        let store = F.clusterSecretStore(conditions: [ClusterSecretStoreCondition(namespaceSelector: selector)])
        let es = F.externalSecret(namespace: "payments", storeName: "shared", kind: .clusterSecretStore)

        #expect(F.resolve(es, namespaceLabels: ["team": "shop", "env": "prod"], clusterSecretStores: [store]).store != nil)
        let failure = try #require(F.resolve(es, namespaceLabels: ["team": "ads"], clusterSecretStores: [store]).failure)
        #expect(failure.reason == Reason.forbidden)
        #expect(failure.message.contains(#""payments""#))
        #expect(F.resolve(es, namespaceLabels: [:], clusterSecretStores: [store]).failure?.reason == Reason.forbidden)
    }

    @Test("an empty condition entry opens a ClusterSecretStore to nobody")
    func emptyConditionAdmitsNothing() {
        let store = F.clusterSecretStore(conditions: [ClusterSecretStoreCondition()])
        let es = F.externalSecret(storeName: "shared", kind: .clusterSecretStore)
        #expect(F.resolve(es, namespaceLabels: ["team": "shop"], clusterSecretStores: [store]).failure?.reason == Reason.forbidden)
    }

    @Test("a ClusterSecretStore is checked for admission before readiness, so a refused namespace learns nothing of its state")
    func admissionBeforeReadiness() {
        let store = F.clusterSecretStore(
            conditions: [ClusterSecretStoreCondition(namespaces: ["shop"])], ready: .false, reason: "ProviderError",
            message: "vault sealed")
        let refused = F.resolve(
            F.externalSecret(namespace: "dev", storeName: "shared", kind: .clusterSecretStore), clusterSecretStores: [store])
        #expect(refused.failure?.reason == Reason.forbidden)
        #expect(refused.failure?.message.contains("sealed") == false)
        let notReady = F.resolve(
            F.externalSecret(namespace: "shop", storeName: "shared", kind: .clusterSecretStore), clusterSecretStores: [store])
        #expect(notReady.failure?.reason == Reason.storeNotReady)
        #expect(notReady.failure?.message == #"ClusterSecretStore "shared" is not ready (ProviderError: vault sealed)"#)
    }

    @Test("no resolution failure mentions a value held in the store's spec")
    func failuresNeverContainStoreValues() {
        let failures: [SyncFailure?] = [
            F.resolve(F.externalSecret(), secretStores: [F.secretStore(ready: .false)]).failure,
            F.resolve(F.externalSecret(), secretStores: [F.secretStore(ready: nil)]).failure,
            F.resolve(F.externalSecret(storeName: "x")).failure,
            F.resolve(F.externalSecret(kind: "Nope"), secretStores: [F.secretStore()]).failure,
            F.resolve(
                F.externalSecret(storeName: "shared", kind: .clusterSecretStore),
                clusterSecretStores: [F.clusterSecretStore(conditions: [ClusterSecretStoreCondition(namespaces: ["x"])])]
            ).failure,
        ]
        #expect(failures.allSatisfy { $0 != nil })
        for failure in failures.compactMap({ $0 }) {
            #expect(!failure.message.contains(F.canary))
            #expect(!failure.description.contains(F.canary))
            #expect(!String(reflecting: failure).contains(F.canary))
        }
    }
}
