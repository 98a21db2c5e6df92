import Foundation
import KubeClient
import KubeRuntime
import JSONCore
import KubeAPI
import RotorAPI

/// What is known of a namespace's labels, for the `namespaceSelector` conditions of a
/// ClusterSecretStore: the labels, or why they are not known. Unknown never admits
/// (``StoreResolution``): a selector such as `NotIn` or `DoesNotExist` would otherwise
/// match the empty set a failed lookup leaves and open the store to any namespace.
public enum NamespaceLabelLookup: Sendable, Hashable {
    case known([String: String])
    /// Why the labels are not known, as a phrase: `503 ServiceUnavailable`, `the namespace
    /// cache has not synced`, `not found`. `forbidden`: the operator may not read them.
    case unknown(String, forbidden: Bool = false)
}

/// Where the reconciler gets the labels of an ExternalSecret's namespace.
///
/// - ``cache(_:)``: an informer cache of Namespaces (list and watch of `namespaces`, which
///   the chart's ClusterRole grants in a cluster-wide install): no request per reconcile,
///   and a label change re-evaluates the ExternalSecrets of that namespace (see
///   ``ExternalSecretController``). A namespace the synced cache does not hold, or a cache
///   not synced yet, is unknown.
/// - ``get(_:)``: one `GET namespaces/NAME` per resolution (`get` only, as a namespaced
///   install grants): any failure of the request (429, 5xx, 403, 404, a timeout) is unknown.
public struct NamespaceLabelSource: Sendable {
    private let lookup: @Sendable (String) async -> NamespaceLabelLookup

    public init(_ lookup: @escaping @Sendable (String) async -> NamespaceLabelLookup) {
        self.lookup = lookup
    }

    public func labels(of namespace: String) async -> NamespaceLabelLookup {
        await lookup(namespace)
    }

    /// Labels from an informer cache of namespaces (``NamespaceLabels`` projections).
    public static func cache(_ store: Store<NamespaceLabels>) -> NamespaceLabelSource {
        NamespaceLabelSource { namespace in
            if let labels = await store.get(ObjectKey(namespace: nil, name: namespace)) { return .known(labels.labels) }
            guard await store.hasSynced else { return .unknown("the namespace cache has not synced yet") }
            return .unknown("not found")
        }
    }

    /// Labels read from the API server at each lookup.
    public static func get(_ client: any KubernetesClient) -> NamespaceLabelSource {
        NamespaceLabelSource { namespace in
            do {
                return .known(try await client.get(Namespace.self, namespace: nil, name: namespace).metadata.labels ?? [:])
            } catch let error as KubeAPIError {
                let status = [error.httpStatus.map(String.init), error.reason].compactMap { $0 }.joined(separator: " ")
                return .unknown(status.isEmpty ? error.kind.rawValue : status, forbidden: error.kind == .forbidden)
            } catch {
                return .unknown(error is CancellationError ? "cancelled" : "request failed")
            }
        }
    }
}

/// What the namespace cache keeps of a Namespace: its name and labels (not its
/// annotations, status or managed fields).
public struct NamespaceLabels: Sendable, Hashable {
    public var name: String
    public var labels: [String: String]

    public init(name: String, labels: [String: String]) {
        self.name = name
        self.labels = labels
    }

    init(projecting json: JSONValue) throws {
        let metadata = json["metadata"]
        name = metadata?["name"]?.stringValue ?? ""
        var labels: [String: String] = [:]
        for (key, value) in metadata?["labels"]?.objectValue ?? [:] {
            if let text = value.stringValue { labels[key] = text }
        }
        self.labels = labels
    }

    var key: ObjectKey { ObjectKey(namespace: nil, name: name) }

    /// Changes only when the labels do: a Namespace change that leaves them alone (its
    /// status, annotations) wakes no ExternalSecret.
    var labelsVersion: String {
        labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\n")
    }
}
