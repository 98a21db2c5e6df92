import KubeClient
import JSONCore
import KubeAPI

/// Names an object: namespace (nil for cluster-scoped) and name. The key of the
/// informer cache and of the work queue.
public struct ObjectKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var namespace: String?
    public var name: String

    public init(namespace: String?, name: String) {
        self.namespace = namespace
        self.name = name
    }

    /// The key of a Kubernetes object in JSON form, if it has a name.
    public init?(of object: JSONValue) {
        guard let name = object[path: ["metadata", "name"]]?.stringValue else { return nil }
        self.init(namespace: object[path: ["metadata", "namespace"]]?.stringValue, name: name)
    }

    /// The key of a typed object.
    public init<Object: KubernetesResource>(of object: Object) {
        self.init(namespace: object.metadata.namespace, name: object.metadata.name ?? "")
    }

    /// The key of an object just written (from the server's receipt).
    public init(of receipt: WriteReceipt) {
        self.init(namespace: receipt.namespace, name: receipt.name)
    }

    public var description: String { namespace.map { "\($0)/\(name)" } ?? name }

    public static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        (lhs.namespace ?? "", lhs.name) < (rhs.namespace ?? "", rhs.name)
    }
}
