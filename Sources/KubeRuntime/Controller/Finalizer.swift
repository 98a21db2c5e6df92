import Foundation
import KubeClient
import JSONCore
import KubeAPI

/// Runs a reconcile under a finalizer, like kube-rs's `finalizer` helper:
///
/// - Not being deleted and no finalizer yet: adds it, so cleanup is guaranteed a
///   chance to run, then runs `apply` in the same pass (a new object's first sync
///   must not wait for the metadata-only update to come back as a low-priority event).
/// - Not being deleted: runs `apply`.
/// - Being deleted with the finalizer: runs `cleanup`, then removes the finalizer.
///   If removal fails, or the operator restarts in between, the next reconcile
///   runs `cleanup` again: it must be idempotent. The finalizer is removed with a
///   JSON patch that tests the list it read, so a concurrent change is not lost.
/// - Being deleted without the finalizer: nothing to do.
public struct Finalizer: Sendable {
    public let name: String
    public let client: any KubernetesClient
    public let resource: ResourceType

    public init(name: String, client: any KubernetesClient, resource: ResourceType) {
        self.name = name
        self.client = client
        self.resource = resource
    }

    public func reconcile(
        _ object: JSONValue,
        apply: () async throws -> ReconcileAction,
        cleanup: () async throws -> Void
    ) async throws -> ReconcileAction {
        let metadata = object["metadata"] ?? [:]
        let finalizers = metadata["finalizers"]?.arrayValue ?? []
        let has = finalizers.contains(.string(name))
        let namespace = metadata["namespace"]?.stringValue
        let objectName = metadata["name"]?.stringValue ?? ""
        if metadata["deletionTimestamp"] == nil {
            if has { return try await apply() }
            let operations: [JSONValue] = finalizers.isEmpty
                ? [["op": "test", "path": "/metadata/resourceVersion", "value": metadata["resourceVersion"] ?? .null],
                   ["op": "add", "path": "/metadata/finalizers", "value": [.string(name)]]]
                : [["op": "test", "path": "/metadata/finalizers", "value": .array(finalizers)],
                   ["op": "add", "path": "/metadata/finalizers/-", "value": .string(name)]]
            _ = try await client.patch(resource, namespace: namespace, name: objectName, patch: .json(operations))
            return try await apply()
        }
        guard has else { return .done }
        try await cleanup()
        let remaining = finalizers.filter { $0 != .string(name) }
        _ = try await client.patch(
            resource, namespace: namespace, name: objectName,
            patch: .json([
                ["op": "test", "path": "/metadata/finalizers", "value": .array(finalizers)],
                ["op": "replace", "path": "/metadata/finalizers", "value": .array(remaining)],
            ]))
        return .done
    }
}
