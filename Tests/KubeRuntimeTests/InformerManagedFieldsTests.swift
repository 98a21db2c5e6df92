import EmulatorTestSupport
import Foundation
import JSONCore
import KubeAPI
import KubeClient
import KubeRuntime
import Testing

@Suite("Informer cache")
struct InformerManagedFieldsTests {
    @Test("typed objects are cached without managedFields, which the server keeps")
    func managedFieldsAreNotCached() async throws {
        try await EmulatedCluster.with { cluster in
            let client = cluster.client
            let managed: JSONValue = [
                ["manager": "kubectl", "operation": "Update", "apiVersion": "v1", "fieldsType": "FieldsV1",
                 "fieldsV1": ["f:data": ["f:mode": [:]]]],
            ]
            _ = try await client.create(ResourceTypes.configMaps, namespace: "default", body: [
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": ["name": "settings", "namespace": "default", "managedFields": managed], "data": ["mode": "fast"],
            ])
            let stored = try await client.get(ResourceTypes.configMaps, namespace: "default", name: "settings")
            try #require(stored[path: ["metadata", "managedFields"]]?.arrayValue?.isEmpty == false, "the server keeps managedFields")
            let informer = Informer<ConfigMap>(client: client)
            let running = Task { try await informer.run { _ in } }
            defer { running.cancel() }
            await informer.store.waitUntilSynced()
            let cached = try #require(await informer.store.get(ObjectKey(namespace: "default", name: "settings")))
            #expect(cached.metadata.managedFields == nil)
            #expect(cached.data?["mode"] == "fast")
        }
    }
}
