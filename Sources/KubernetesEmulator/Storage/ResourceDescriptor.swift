import JSONCore
import KubeAPI

/// Everything the emulator knows about one served resource type: how it is named in
/// URLs and discovery, which verbs and subresources it has, how `kubectl get` prints
/// it and how its objects are validated. Built-in types are described in
/// `BuiltinResources`; custom resources get one when their CRD is created.
struct ResourceDescriptor: Sendable {
    var type: ResourceType
    var singular: String
    var shortNames: [String] = []
    var categories: [String] = []
    var verbs: [String] = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
    /// `status` when the resource has a status subresource: writes to the main
    /// resource then ignore `status` and writes to `/status` ignore everything else.
    var hasStatusSubresource = false
    /// Whether `scale` (an `autoscaling/v1` Scale of `spec.replicas`) is served.
    var hasScaleSubresource = false
    /// Whether `metadata.generation` is maintained (bumped on spec changes).
    var tracksGeneration = false
    /// Top-level members that are not "spec" for generation purposes.
    var nonSpecMembers: Set<String> = ["apiVersion", "kind", "metadata", "status"]
    /// Columns of the server-side Table output (`kubectl get`).
    var columns: [TableColumn] = []
    /// The OpenAPI v3 schema of the objects (for CRDs: from the CRD; for built-ins: a
    /// permissive sketch with the fields kubectl explains).
    var schema: JSONValue?
    /// Whether the schema is structural and enforced (pruning, types, defaults).
    var enforcesSchema = false
    /// Field selectors accepted besides `metadata.name` and `metadata.namespace`.
    var extraFieldSelectors: [String: [String]] = [:]
    /// Set for custom resources: the name of the CRD that defines them.
    var definedByCRD: String?
    /// Resources that only accept `create` (TokenReview) are not stored.
    var isVirtual = false
    /// Describes the resource to kubectl (`kubectl explain`).
    var description: String = ""
    /// Whether a completed delete answers with the deleted object (ServiceAccounts), not a Status.
    var returnsDeletedObject = false
    /// Set when the objects live in another resource's storage (`events.k8s.io` Events
    /// are core Events): how they are converted. Field selectors then name stored paths.
    var view: StorageView?

    var kind: String { type.kind }
    var plural: String { type.plural }
    var group: String { type.group }
    var namespaced: Bool { type.namespaced }
    /// `secrets` or `externalsecrets.rotor.dev`: how error messages name the resource.
    var qualifiedName: String { type.group.isEmpty ? type.plural : "\(type.plural).\(type.group)" }
    /// The group as Status details carry it: omitted for the core group.
    var statusGroup: String? { type.group.isEmpty ? nil : type.group }
    /// Identity, independent of version.
    var id: ResourceID { ResourceID(group: type.group, plural: type.plural) }
    /// Where the objects are stored: ``id``, or the storage this resource is a view of.
    var storageID: ResourceID { view?.storedAs ?? id }

    /// `stored` as this resource serves it (converted from the storage's form for a view).
    func presented(_ stored: StoredObject) -> StoredObject {
        guard let view else { return stored }
        return StoredObject(view.fromStorage(stored.object), resourceVersion: stored.resourceVersion)
    }

    /// `object` in the storage's form.
    func stored(_ object: JSONObject) -> JSONObject {
        view?.toStorage(object) ?? object
    }
}

/// The storage identity of a resource type: group and plural.
struct ResourceID: Hashable, Sendable, CustomStringConvertible {
    var group: String
    var plural: String
    var description: String { group.isEmpty ? plural : "\(plural).\(group)" }
}

/// One column of a server-side Table.
struct TableColumn: Sendable {
    var name: String
    var type: String = "string"
    var format: String = ""
    var description: String = ""
    var priority: Int = 0
    var value: @Sendable (JSONObject, ColumnContext) -> JSONValue
}

/// What a column computation may need besides the object.
struct ColumnContext: Sendable {
    var now: Double
}
