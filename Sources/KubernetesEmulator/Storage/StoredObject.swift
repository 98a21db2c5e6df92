import JSONCore
import KubeAPI

/// Where an object lives: its namespace (empty for cluster-scoped objects) and name.
/// Ordered like etcd keys, so lists come back sorted by namespace, then name.
struct ObjectKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    var namespace: String
    var name: String

    static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        lhs.namespace == rhs.namespace ? lhs.name < rhs.name : lhs.namespace < rhs.namespace
    }

    var description: String { namespace.isEmpty ? name : "\(namespace)/\(name)" }
}

/// An object as stored: the JSON document and its encoding, made once per write so
/// that lists and watch fan-out reuse the bytes instead of re-encoding per reader.
struct StoredObject: Sendable {
    let object: JSONObject
    let bytes: [UInt8]
    let resourceVersion: Int64

    init(_ object: JSONObject, resourceVersion: Int64) {
        self.object = object
        self.bytes = JSONValue.object(object).serializedBytes()
        self.resourceVersion = resourceVersion
    }

    var metadata: JSONObject { object["metadata"]?.objectValue ?? [:] }
    var uid: String { metadata["uid"]?.stringValue ?? "" }
    var name: String { metadata["name"]?.stringValue ?? "" }
    var namespace: String { metadata["namespace"]?.stringValue ?? "" }
    var finalizers: [String] { metadata["finalizers"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
    var isTerminating: Bool { metadata["deletionTimestamp"] != nil }
    var ownerUIDs: [String] {
        metadata["ownerReferences"]?.arrayValue?.compactMap { $0["uid"]?.stringValue } ?? []
    }
}

/// A change as watchers see it.
struct ChangeEvent: Sendable {
    var resourceVersion: Int64
    var resource: ResourceID
    var type: WatchEventType
    var key: ObjectKey
    /// The object after the change (for `DELETED`: its last state).
    var object: StoredObject
    /// The object before the change, for selector transitions (a label change that
    /// makes an object leave a selector is a `DELETED` for that watcher).
    var previous: JSONObject?
}

/// What a watch stream carries.
enum WatchItem: Sendable {
    case event(WatchEventType, StoredObject)
    case bookmark(resourceVersion: Int64)
    case error(Status)
}

extension StoredObject {
    /// The object as a `meta.k8s.io/v1` PartialObjectMetadata: its metadata only.
    var partialObjectMetadata: JSONValue {
        ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": object["metadata"] ?? .object([:])]
    }
}
