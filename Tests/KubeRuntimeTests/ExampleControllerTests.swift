import EmulatorTestSupport
import Foundation
import KubeClient
import KubeRuntime
import KubernetesEmulator
import KubeAPI
import Testing

/// The public API in one small controller: every ConfigMap labelled `mirror=true`
/// gets an owned Secret with the same data; deleting the ConfigMap lets the
/// garbage collector take the Secret.
struct ConfigMapMirror {
    let client: any KubernetesClient

    func reconcile(_ key: ObjectKey, _ configMap: ConfigMap?) async throws -> ReconcileAction {
        guard let configMap, configMap.metadata.labels?["mirror"] == "true", configMap.metadata.deletionTimestamp == nil else {
            return .done  // gone or not ours: the ownerReference cleans up
        }
        var secret = Secret(metadata: ObjectMeta(name: key.name, namespace: key.namespace))
        secret.metadata.ownerReferences = [
            OwnerReference(apiVersion: "v1", kind: "ConfigMap", name: key.name, uid: configMap.metadata.uid ?? "", controller: true)
        ]
        secret.data = (configMap.data ?? [:]).mapValues { Data($0.utf8) }
        do {
            _ = try await client.create(secret)
        } catch let error as KubeAPIError where error.kind == .alreadyExists {
            var current = try await client.get(Secret.self, namespace: key.namespace, name: key.name)
            guard current.data != secret.data else { return .requeue(after: .seconds(300)) }
            current.data = secret.data
            _ = try await client.update(current)  // a 409 here is retried with backoff
        }
        return .requeue(after: .seconds(300))
    }

    func run() async throws {
        let informer = Informer<ConfigMap>(client: client, configuration: WatcherConfiguration(labelSelector: "mirror=true"))
        let controller = Controller(primary: informer, queue: WorkQueue(), workers: 2, reconcile: reconcile)
        try await controller.run()
    }
}

@Suite("Example controller")
struct ExampleControllerTests {
    @Test("the ConfigMap mirror example creates, updates and (through GC) removes Secrets")
    func mirror() async throws {
        let cluster = try await EmulatedCluster.start()
        let client = cluster.client
        let running = Task { try await ConfigMapMirror(client: client).run() }
        var configMap = ConfigMap(metadata: ObjectMeta(name: "settings", namespace: "default", labels: ["mirror": "true"]))
        configMap.data = ["mode": "fast"]
        configMap = try await client.create(configMap)
        func mirrored() async -> String? {
            (try? await client.get(Secret.self, namespace: "default", name: "settings"))?.data?["mode"].map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(await EmulatedCluster.eventually { await mirrored() == "fast" })
        configMap.data = ["mode": "slow"]
        _ = try await client.update(configMap)
        #expect(await EmulatedCluster.eventually { await mirrored() == "slow" })
        _ = try await client.delete(ConfigMap.self, namespace: "default", name: "settings")
        #expect(await EmulatedCluster.eventually { await mirrored() == nil })
        running.cancel()
        _ = try? await running.value
        await cluster.stop()
    }
}
