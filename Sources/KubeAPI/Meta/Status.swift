import Foundation
import JSONCore

/// Kubernetes `metav1.Status`: the body of every API error response (and of the
/// `ERROR` watch event).
public struct Status: Codable, Sendable, Hashable, Error {
    public var kind: String? = "Status"
    public var apiVersion: String? = "v1"
    public var metadata: ListMeta? = ListMeta()
    /// `Success` or `Failure`.
    public var status: String?
    public var message: String?
    /// A machine-readable reason: `NotFound`, `AlreadyExists`, `Conflict`, `Invalid`, `Expired`, …
    public var reason: String?
    public var details: StatusDetails?
    public var code: Int?

    public init(status: String? = "Failure", message: String? = nil, reason: String? = nil, details: StatusDetails? = nil, code: Int? = nil) {
        self.status = status
        self.message = message
        self.reason = reason
        self.details = details
        self.code = code
    }
}

/// Kubernetes `metav1.StatusDetails`.
public struct StatusDetails: Codable, Sendable, Hashable {
    public var name: String?
    public var group: String?
    public var kind: String?
    public var uid: String?
    public var causes: [StatusCause]?
    public var retryAfterSeconds: Int?

    public init(name: String? = nil, group: String? = nil, kind: String? = nil, uid: String? = nil, causes: [StatusCause]? = nil, retryAfterSeconds: Int? = nil) {
        self.name = name
        self.group = group
        self.kind = kind
        self.uid = uid
        self.causes = causes
        self.retryAfterSeconds = retryAfterSeconds
    }
}

/// Kubernetes `metav1.StatusCause`: one field-level reason of a failure.
public struct StatusCause: Codable, Sendable, Hashable {
    /// e.g. `FieldValueRequired`, `FieldValueInvalid`, `FieldValueNotSupported`.
    public var reason: String?
    public var message: String?
    /// The JSON path of the field, e.g. `spec.refreshInterval`.
    public var field: String?

    public init(reason: String? = nil, message: String? = nil, field: String? = nil) {
        self.reason = reason
        self.message = message
        self.field = field
    }
}

/// A list response: `SecretList`, `NamespaceList`, …
public struct KubeList<Item: Codable & Sendable>: Codable, Sendable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ListMeta
    public var items: [Item]

    public init(apiVersion: String? = nil, kind: String? = nil, metadata: ListMeta = ListMeta(), items: [Item]) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.items = items
    }

    enum CodingKeys: String, CodingKey { case apiVersion, kind, metadata, items }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion)
        kind = try c.decodeIfPresent(String.self, forKey: .kind)
        metadata = try c.decodeIfPresent(ListMeta.self, forKey: .metadata) ?? ListMeta()
        // The API server sends `"items": null` for an empty list of some kinds.
        items = try c.decodeIfPresent([Item].self, forKey: .items) ?? []
    }
}

/// The type of a watch event.
public enum WatchEventType: String, Codable, Sendable, Hashable {
    case added = "ADDED"
    case modified = "MODIFIED"
    case deleted = "DELETED"
    /// Carries only `metadata.resourceVersion`: progress without a change.
    case bookmark = "BOOKMARK"
    /// Carries a `Status`; a 410 `Expired` one means "relist".
    case error = "ERROR"
}

/// One line of a watch stream: `{"type": "ADDED", "object": {...}}`.
public struct WatchEvent<Object: Codable & Sendable>: Codable, Sendable {
    public var type: WatchEventType
    public var object: Object

    public init(type: WatchEventType, object: Object) {
        self.type = type
        self.object = object
    }
}

/// Kubernetes `metav1.DeleteOptions`.
public struct DeleteOptions: Codable, Sendable, Hashable {
    public var kind: String? = "DeleteOptions"
    public var apiVersion: String? = "v1"
    public var gracePeriodSeconds: Int64?
    /// Refuse the delete unless the object still has this uid / resourceVersion.
    public var preconditions: Preconditions?
    public var propagationPolicy: PropagationPolicy?
    public var dryRun: [String]?

    public init(gracePeriodSeconds: Int64? = nil, preconditions: Preconditions? = nil, propagationPolicy: PropagationPolicy? = nil) {
        self.gracePeriodSeconds = gracePeriodSeconds
        self.preconditions = preconditions
        self.propagationPolicy = propagationPolicy
    }

    public struct Preconditions: Codable, Sendable, Hashable {
        public var uid: String?
        public var resourceVersion: String?
        public init(uid: String? = nil, resourceVersion: String? = nil) {
            self.uid = uid
            self.resourceVersion = resourceVersion
        }
    }
}

/// How the garbage collector treats an object's dependents when it is deleted.
public enum PropagationPolicy: String, Codable, Sendable, Hashable {
    /// Dependents are left alone; their ownerReferences to the object are removed.
    case orphan = "Orphan"
    /// The object goes at once; dependents are deleted afterwards.
    case background = "Background"
    /// The object stays (with the `foregroundDeletion` finalizer) until its blocking dependents are gone.
    case foreground = "Foreground"
}
