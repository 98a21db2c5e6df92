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

private typealias F = PlanningFixtures

/// A ClusterSecretStore's namespace conditions fail closed: a namespace whose labels are not
/// known (the lookup failed, the cache does not hold it) is refused, never admitted, and a
/// change of its labels re-evaluates the ExternalSecrets there.
@Suite("ClusterSecretStore namespace conditions")
struct ClusterSecretStoreNamespaceTests {
    typealias Reason = ExternalSecretConditions.Reason

    static let crds = ResourceType(group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions", kind: "CustomResourceDefinition", namespaced: false)

    /// A fake ClusterSecretStore `shared` with these conditions (JSON).
    static func clusterStore(conditions: String) throws -> JSONValue {
        try JSONValue(parsing: #"{"apiVersion":"rotor.dev/v1alpha1","kind":"ClusterSecretStore","metadata":{"name":"shared"},"spec":{"conditions":"# + conditions + #","provider":{"fake":{"data":[{"key":"db/password","value":"shared-pass-1","version":"1"}]}}}}"#)
    }

    static let externalSecret = #"{"apiVersion":"rotor.dev/v1alpha1","kind":"ExternalSecret","metadata":{"name":"db","namespace":"default"},"spec":{"secretStoreRef":{"name":"shared","kind":"ClusterSecretStore"},"refreshInterval":"1h","data":[{"secretKey":"password","remoteRef":{"key":"db/password"}}]}}"#

    static func ready(_ client: HTTPKubernetesClient) async -> Condition? {
        (try? await client.get(ExternalSecret.self, namespace: "default", name: "db"))?.status?.conditions?.first { $0.type == "Ready" }
    }

    static func password(_ client: HTTPKubernetesClient) async -> String? {
        (try? await client.get(Secret.self, namespace: "default", name: "db"))?.data?["password"].map { String(decoding: $0, as: UTF8.self) }
    }

    static func label(_ client: HTTPKubernetesClient, team: String) async throws {
        _ = try await client.patch(Namespace.self, namespace: nil, name: "default", patch: .merge(["metadata": ["labels": ["team": .string(team)]]]))
    }

    /// The CRDs, the store and the operator's controllers watching `scope`.
    static func withOperator(scope: NamespaceScope, conditions: String, _ body: (EmulatedCluster) async throws -> Void) async throws {
        try await EmulatedCluster.with { cluster in
            for definition in RotorCRDs.shipped {
                _ = try await cluster.client.create(Self.crds, namespace: nil, body: definition.object)
            }
            _ = try await cluster.client.create(ClusterSecretStore.resourceType, namespace: nil, body: try Self.clusterStore(conditions: conditions))
            let events = EventRecorder(client: cluster.client, configuration: .init(reportingComponent: "rotor", reportingInstance: "test"))
            let controllers = OperatorControllers(client: cluster.client, scope: scope, fingerprintKey: SymmetricKey(size: .bits256), events: events)
            let running = Task { try await controllers.run() }
            defer { running.cancel() }
            try await body(cluster)
            running.cancel()
            _ = try? await running.value
        }
    }

    @Test("a 503 on the Namespace lookup refuses a ClusterSecretStore whose NotIn selector would admit an unlabelled namespace")
    func failedNamespaceLookupRefuses() async throws {
        // A namespaced install reads the labels with a GET per lookup.
        let notIn = #"[{"namespaceSelector":{"matchExpressions":[{"key":"team","operator":"NotIn","values":["blocked"]}]}}]"#
        try await Self.withOperator(scope: .set(["default"]), conditions: notIn) { cluster in
            let client = cluster.client
            cluster.emulator.faults.failNext(100_000, matching: .init(verb: "get", resource: "namespaces"), code: 503)
            _ = try await client.create(ExternalSecret.resourceType, namespace: "default", body: try JSONValue(parsing: Self.externalSecret))
            #expect(await EmulatedCluster.eventually { await Self.ready(client)?.message?.contains("cannot read namespace") == true })
            let ready = try #require(await Self.ready(client))
            #expect(ready.reason == Reason.storeNotReady)
            #expect(ready.status == .false)
            #expect(ready.message?.contains(#"cannot read namespace "default"'s labels (503"#) == true, "\(ready.message ?? "")")
            #expect(ready.message?.contains(#"ClusterSecretStore "shared""#) == true)
            #expect(await Self.password(client) == nil, "nothing read from the store, no Secret written")

            // Once the API answers, the namespace (not labelled blocked) is admitted.
            cluster.emulator.faults.reset()
            _ = try await client.patch(
                ExternalSecret.self, namespace: "default", name: "db", patch: .merge(["metadata": ["annotations": ["rotor.dev/force-sync": "1"]]]))
            #expect(await EmulatedCluster.eventually { await Self.password(client) == "shared-pass-1" })
        }
    }

    @Test("with the namespace cache, a label change re-admits or refuses the ExternalSecrets of that namespace at once")
    func labelChangeReEvaluates() async throws {
        let shopOnly = #"[{"namespaceSelector":{"matchLabels":{"team":"shop"}}}]"#
        try await Self.withOperator(scope: .all, conditions: shopOnly) { cluster in
            let client = cluster.client
            try await Self.label(client, team: "shop")
            _ = try await client.create(ExternalSecret.resourceType, namespace: "default", body: try JSONValue(parsing: Self.externalSecret))
            #expect(await EmulatedCluster.eventually { await Self.password(client) == "shared-pass-1" })
            #expect(await EmulatedCluster.eventually { await Self.ready(client)?.reason == Reason.synced })
            #expect(cluster.emulator.faults.requestCount(verb: "get", resource: "namespaces") == 0, "labels come from the cache")

            // Relabelled: refused at once (not at the next refresh in an hour), the Secret kept.
            try await Self.label(client, team: "ads")
            #expect(await EmulatedCluster.eventually { await Self.ready(client)?.reason == Reason.forbidden })
            #expect(await Self.ready(client)?.status == .false)
            #expect(await Self.password(client) == "shared-pass-1")

            // Labelled back: admitted again.
            try await Self.label(client, team: "shop")
            #expect(await EmulatedCluster.eventually { await Self.ready(client)?.reason == Reason.synced })
        }
    }

    @Test("unknown namespace labels refuse NotIn and DoesNotExist selectors; a namespace named in the conditions needs no labels")
    func unknownLabelsRefuse() throws {
        let es = F.externalSecret(namespace: "payments", storeName: "shared", kind: .clusterSecretStore)
        for requirement in [
            LabelSelectorRequirement(key: "team", operator: "NotIn", values: ["blocked"]),
            LabelSelectorRequirement(key: "quarantined", operator: "DoesNotExist"),
        ] {
            let store = F.clusterSecretStore(conditions: [
                ClusterSecretStoreCondition(namespaceSelector: LabelSelector(matchExpressions: [requirement]))
            ])
            #expect(StoreResolution.needsNamespaceLabels(store, namespace: "payments"))
            let unavailable = StoreResolution.resolve(
                es, namespaceLabels: .unknown("503 ServiceUnavailable"), secretStore: { _, _ in nil }, clusterSecretStore: { _ in store })
            let failure = try #require(unavailable.failure, "\(requirement.operator) admitted a namespace of unknown labels")
            #expect(failure.reason == Reason.storeNotReady)
            #expect(failure.message == #"cannot read namespace "payments"'s labels (503 ServiceUnavailable); ClusterSecretStore "shared"'s spec.conditions need them"#)
            let forbidden = StoreResolution.resolve(
                es, namespaceLabels: .unknown("403 Forbidden", forbidden: true), secretStore: { _, _ in nil }, clusterSecretStore: { _ in store })
            #expect(forbidden.failure?.reason == Reason.forbidden)
        }
        let named = F.clusterSecretStore(conditions: [
            ClusterSecretStoreCondition(namespaces: ["payments"]),
            ClusterSecretStoreCondition(namespaceSelector: LabelSelector(matchLabels: ["team": "shop"])),
        ])
        #expect(!StoreResolution.needsNamespaceLabels(named, namespace: "payments"))
        #expect(StoreResolution.resolve(es, namespaceLabels: .unknown("not found"), secretStore: { _, _ in nil }, clusterSecretStore: { _ in named }).store != nil)
    }

    @Test("the namespace cache answers unknown until it has synced and for a namespace it does not hold")
    func cacheLookup() async {
        let store = Store<NamespaceLabels>(key: { ObjectKey(namespace: nil, name: $0.name) })
        let source = NamespaceLabelSource.cache(store)
        #expect(await source.labels(of: "shop") == .unknown("the namespace cache has not synced yet"))
        _ = await store.apply(.restarted([NamespaceLabels(name: "shop", labels: ["team": "shop"])], namespace: nil))
        #expect(await source.labels(of: "shop") == .known(["team": "shop"]))
        #expect(await source.labels(of: "ads") == .unknown("not found"))
    }
}
