import EmulatorTestSupport
import Foundation
import KubeClient
import KubernetesEmulator
import JSONCore
import KubeAPI
import Testing

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

/// Reads watch events until `count` arrived or the stream ended.
/// The first `count` change events of `stream`. Bookmarks are skipped: the emulator sends
/// them on a timer (every 5 s), so on a loaded machine one can fall between two changes.
func collect(_ stream: WatchEventStream, count: Int) async throws -> [WatchEvent<JSONValue>] {
    var events: [WatchEvent<JSONValue>] = []
    for try await event in stream where event.type != .bookmark {
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
