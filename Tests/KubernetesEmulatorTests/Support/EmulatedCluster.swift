import Foundation
import KubeClient
import KubernetesEmulator
import RotorAPI
import Testing

/// An emulator and a `KubeClient` connected to it over TLS with the admin token,
/// built from the kubeconfig the emulator writes (as any user's client would be).
struct EmulatedCluster: Sendable {
    let emulator: KubernetesEmulator
    let client: HTTPKubernetesClient

    static func start(_ configure: (inout KubernetesEmulator.Configuration) -> Void = { _ in }) async throws -> EmulatedCluster {
        var configuration = KubernetesEmulator.Configuration()
        configure(&configuration)
        let emulator = try await KubernetesEmulator.start(configuration)
        let clientConfiguration = try KubeConfig.parse(yaml: emulator.kubeconfig()).clientConfiguration()
        return EmulatedCluster(emulator: emulator, client: try HTTPKubernetesClient(configuration: clientConfiguration))
    }

    /// Stops the server first: that ends open watches, so the client's pool drains at once.
    func stop() async {
        await emulator.shutdown()
        try? await client.shutdown()
    }

    /// Runs `body` with a started cluster and always stops it.
    static func with<T>(
        _ configure: (inout KubernetesEmulator.Configuration) -> Void = { _ in },
        _ body: (EmulatedCluster) async throws -> T
    ) async throws -> T {
        let cluster = try await start(configure)
        do {
            let result = try await body(cluster)
            await cluster.stop()
            return result
        } catch {
            await cluster.stop()
            throw error
        }
    }
}

/// The error kind a throwing call fails with, or nil if it succeeded.
func errorKind<T>(_ call: () async throws -> T) async -> KubeAPIError.Kind? {
    do {
        _ = try await call()
        return nil
    } catch let error as KubeAPIError {
        return error.kind
    } catch {
        return nil
    }
}

/// The KubeAPIError a call fails with.
func apiError<T>(_ call: () async throws -> T, sourceLocation: SourceLocation = #_sourceLocation) async -> KubeAPIError? {
    do {
        _ = try await call()
        Issue.record("expected the call to fail", sourceLocation: sourceLocation)
        return nil
    } catch let error as KubeAPIError {
        return error
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

extension ResourceType {
    static let testSecrets = ResourceType(group: "", version: "v1", plural: "secrets", kind: "Secret", namespaced: true)
    static let testConfigMaps = ResourceType(group: "", version: "v1", plural: "configmaps", kind: "ConfigMap", namespaced: true)
    static let testNamespaces = ResourceType(group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false)
    static let testDeployments = ResourceType(group: "apps", version: "v1", plural: "deployments", kind: "Deployment", namespaced: true)
    static let testCRDs = ResourceType(group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions", kind: "CustomResourceDefinition", namespaced: false)
    static let widgets = ResourceType(group: "example.com", version: "v1", plural: "widgets", kind: "Widget", namespaced: true)
}

func secretBody(_ name: String, labels: [String: String] = [:], data: [String: String] = ["k": "dg=="], finalizers: [String] = [], owners: [JSONValue] = []) -> JSONValue {
    var metadata: JSONObject = ["name": .string(name)]
    if !labels.isEmpty { metadata["labels"] = .object(labels.mapValues(JSONValue.string)) }
    if !finalizers.isEmpty { metadata["finalizers"] = .array(finalizers.map(JSONValue.string)) }
    if !owners.isEmpty { metadata["ownerReferences"] = .array(owners) }
    return ["apiVersion": "v1", "kind": "Secret", "metadata": .object(metadata), "data": .object(data.mapValues(JSONValue.string))]
}

func ownerReference(to object: JSONValue, blockOwnerDeletion: Bool = false) -> JSONValue {
    [
        "apiVersion": object["apiVersion"] ?? "v1", "kind": object["kind"] ?? "", "name": object[path: ["metadata", "name"]] ?? "",
        "uid": object[path: ["metadata", "uid"]] ?? "", "blockOwnerDeletion": .bool(blockOwnerDeletion),
    ]
}

/// Polls an async condition until it holds (bounded), for effects that arrive through a watch.
func eventually(timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

/// Reads watch events until `count` arrived or the stream ended.
func collect(_ stream: WatchEventStream, count: Int) async throws -> [WatchEvent<JSONValue>] {
    var events: [WatchEvent<JSONValue>] = []
    for try await event in stream {
        events.append(event)
        if events.count == count { break }
    }
    return events
}

extension JSONValue {
    var name: String? { self[path: ["metadata", "name"]]?.stringValue }
    var resourceVersion: String? { self[path: ["metadata", "resourceVersion"]]?.stringValue }
    var items: [JSONValue] { self["items"]?.arrayValue ?? [] }
}
