import Foundation
import JSONCore
import KubeAPI

/// Options of a write request (`dryRun`, `fieldValidation`).
struct WriteOptions: Sendable {
    enum FieldValidation: String, Sendable { case ignore = "Ignore", warn = "Warn", strict = "Strict" }
    var dryRun = false
    var fieldValidation: FieldValidation = .warn
    /// Paths of member names the body repeated (its last value was kept): reported with
    /// the unknown fields, as Go's strict decoder reports both.
    var duplicateFields: [String] = []
    /// `fieldManager`: who the write's fields belong to (required for an apply).
    var fieldManager: String?
    /// The manager when none is named: the client's User-Agent up to its first `/`.
    var defaultManager = "unknown"
    /// `force`: an apply takes the fields it conflicts on.
    var force = false
    /// Set by an apply: the managed fields it computed (not an `Update` of them).
    var appliedFields: [ManagedFields.Entry]?

    var manager: String { fieldManager.flatMap { $0.isEmpty ? nil : $0 } ?? defaultManager }
}

/// The result of a write: the stored object and any `Warning` headers.
struct WriteResult: Sendable {
    var object: StoredObject
    var warnings: [String] = []
}

/// What a delete did.
enum DeleteOutcome: Sendable {
    /// The object is gone.
    case deleted(StoredObject)
    /// The object stays until its finalizers are removed (`deletionTimestamp` is set).
    case pending(StoredObject)
}

/// A page of a list.
struct ListPage: Sendable {
    var items: [StoredObject]
    var resourceVersion: Int64
    var continueToken: String?
    var remainingItemCount: Int64?
}

/// The cluster's state: every object of every resource, the resourceVersion counter,
/// the bounded change history that watches resume from, open watches, and the
/// controllers the API server itself runs (garbage collector, namespace lifecycle,
/// CRD registration). One actor, so every request sees a consistent state and
/// resourceVersions are strictly increasing.
actor ClusterStore {
    struct Configuration: Sendable {
        /// Changes kept for watches that resume from a resourceVersion; older ones get 410.
        var historyLimit = 100_000
        /// Events buffered for one slow watcher before the server drops it (as kube-apiserver does).
        var watchBufferLimit = 50_000
    }

    let configuration: Configuration
    let now: @Sendable () -> Date
    var registry: ResourceRegistry
    var tables: [ResourceID: ResourceTable] = [:]
    var currentResourceVersion: Int64 = 1
    var history: ChangeHistory
    var watchers: [Int: Watcher] = [:]
    var nextWatcherID = 0
    /// uid → where the object is, for ownerReference garbage collection.
    var objectsByUID: [String: (ResourceID, ObjectKey)] = [:]
    /// owner uid → dependents' uids.
    var dependentsByOwner: [String: Set<String>] = [:]
    /// namespace → number of namespaced objects in it (namespace deletion waits for 0).
    var objectCountByNamespace: [String: Int] = [:]
    /// uids of terminating objects held by the `orphan` or `foregroundDeletion` finalizer.
    var awaitingDependents: Set<String> = []
    /// Terminating namespaces whose contents have been asked to go.
    var sweptNamespaces: Set<String> = []
    /// Names of namespaces marked for deletion (the namespace controller's work list), so a
    /// write elsewhere does not look at every namespace.
    var terminatingNamespaces: Set<String> = []
    /// Set when a CustomResourceDefinition was written or removed: the CRD controller has work.
    /// Deriving a CRD's resource (schema, columns) is costly; it is not redone on unrelated writes.
    var customResourceDefinitionsChanged = true
    /// Set when a ClusterRole was written or removed: the aggregation controller has work.
    var clusterRolesChanged = true
    /// The RBAC objects as the authorizer reads them; dropped when one of them changes.
    var rbacPolicyCache: RBACPolicy?
    /// Objects removed since the controllers last ran (for GC and CRD cleanup).
    var pendingRemovals: [(ResourceDescriptor, StoredObject)] = []
    /// Objects written with ownerReferences to owners that no longer exist.
    var orphanedDependents: [(ResourceID, ObjectKey)] = []

    init(configuration: Configuration = Configuration(), now: @escaping @Sendable () -> Date = Date.init) {
        self.configuration = configuration
        self.now = now
        self.registry = ResourceRegistry.builtin()
        self.history = ChangeHistory(limit: configuration.historyLimit)
    }

    // MARK: Reads

    func descriptor(group: String, version: String, plural: String) -> ResourceDescriptor? {
        registry.lookup(group: group, version: version, plural: plural)
    }

    func allDescriptors() -> [ResourceDescriptor] { registry.all }

    func get(_ resource: ResourceDescriptor, namespace: String?, name: String) throws -> StoredObject {
        let key = ObjectKey(namespace: resource.namespaced ? (namespace ?? "") : "", name: name)
        guard let stored = tables[resource.storageID]?.objects[key] else { throw APIError.notFound(resource, name) }
        return resource.presented(stored)
    }

    func list(
        _ resource: ResourceDescriptor, namespace: String?, labelSelector: LabelSelectorQuery?,
        fieldSelector: FieldSelectorQuery?, limit: Int?, continueToken: String?,
        resourceVersion: String?, resourceVersionMatch: String?
    ) throws -> ListPage {
        var page = try listStored(
            resource, namespace: namespace, labelSelector: labelSelector, fieldSelector: fieldSelector, limit: limit,
            continueToken: continueToken, resourceVersion: resourceVersion, resourceVersionMatch: resourceVersionMatch)
        if resource.view != nil { page.items = page.items.map(resource.presented) }
        return page
    }

    /// The page in the storage's form (selectors match stored objects).
    private func listStored(
        _ resource: ResourceDescriptor, namespace: String?, labelSelector: LabelSelectorQuery?,
        fieldSelector: FieldSelectorQuery?, limit: Int?, continueToken: String?,
        resourceVersion: String?, resourceVersionMatch: String?
    ) throws -> ListPage {
        try checkListResourceVersion(resourceVersion, match: resourceVersionMatch, continueToken: continueToken)
        var resumed: ContinueToken?
        if let continueToken, !continueToken.isEmpty {
            let token = try ContinueToken(decoding: continueToken)
            // A token at resourceVersion -1 continues at the latest state (kube-apiserver hands
            // one out with the 410 of a compacted token, as this one does).
            if token.resourceVersion > 0 && token.resourceVersion <= history.compactedThrough {
                var error = APIError.gone(
                    "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list."
                )
                error.status.metadata = ListMeta(continue: ContinueToken(resourceVersion: -1, startAfter: token.startAfter).encoded)
                throw error
            }
            resumed = token
        }
        let startAfter = resumed?.startAfter
        // A continued list, and an Exact one, show the state at their resourceVersion.
        var revision = currentResourceVersion
        if let token = resumed, token.resourceVersion > 0 {
            revision = min(token.resourceVersion, currentResourceVersion)
        } else if resourceVersionMatch == "Exact", let exact = Int64(resourceVersion ?? ""), exact > 0 {
            revision = exact
        }
        let scope = resource.namespaced ? namespace : nil
        let keys: ArraySlice<ObjectKey>
        let objects: [ObjectKey: StoredObject]
        if revision < currentResourceVersion {
            guard let past = snapshot(resource.storageID, namespace: scope, at: revision) else {
                throw APIError.gone("The resourceVersion for the provided list is too old.")
            }
            objects = past
            keys = past.keys.sorted()[...]
        } else {
            objects = tables[resource.storageID]?.objects ?? [:]
            keys = sortedKeys(resource.storageID, namespace: scope)
        }
        var startIndex = keys.startIndex
        if let startAfter {
            startIndex = keys.partitionPoint { $0 <= startAfter }
        }
        let filtered = (labelSelector?.isEmpty ?? true) && (fieldSelector?.isEmpty ?? true)
        var items: [StoredObject] = []
        var index = startIndex
        let pageLimit = (limit ?? 0) > 0 ? limit! : Int.max
        if let pinned = fieldSelector?.pinnedName, !resource.namespaced || namespace != nil {
            // A name-pinned selector (kubectl's wait and watch of one object) needs no scan.
            let key = ObjectKey(namespace: resource.namespaced ? namespace! : "", name: pinned)
            if let stored = objects[key], startAfter.map({ key > $0 }) ?? true,
                labelSelector?.matches(object: stored.object) ?? true, fieldSelector!.matches(object: stored.object)
            {
                items.append(stored)
            }
            return ListPage(items: items, resourceVersion: revision)
        }
        while index < keys.endIndex, items.count < pageLimit {
            guard let stored = objects[keys[index]] else { break }
            index += 1
            if filtered
                || ((labelSelector?.matches(object: stored.object) ?? true)
                    && (fieldSelector?.matches(object: stored.object) ?? true))
            {
                items.append(stored)
            }
        }
        var page = ListPage(items: items, resourceVersion: revision)
        if index < keys.endIndex, let last = items.last {
            // Only hand out a token when something that may match is left.
            // Later pages keep the first page's resourceVersion, as kube-apiserver's tokens do.
            page.continueToken = ContinueToken(
                resourceVersion: revision,
                startAfter: ObjectKey(namespace: resource.namespaced ? last.namespace : "", name: last.name)
            ).encoded
            if filtered { page.remainingItemCount = Int64(keys.endIndex - index) }
        }
        return page
    }

    /// ValidateListOptions (a 422 naming `ListOptions`, every finding one cause), then the
    /// resourceVersion as the storage parses it (`strconv.ParseUint`, a 400).
    private func checkListResourceVersion(_ resourceVersion: String?, match: String?, continueToken: String?) throws {
        let resourceVersion = resourceVersion ?? ""
        if let match, !match.isEmpty {
            var causes: [StatusCause] = []
            func forbid(_ why: String) {
                causes.append(StatusCause(reason: "FieldValueForbidden", message: "Forbidden: " + why, field: "resourceVersionMatch"))
            }
            if resourceVersion.isEmpty { forbid("resourceVersionMatch is forbidden unless resourceVersion is provided") }
            if !(continueToken ?? "").isEmpty { forbid("resourceVersionMatch is forbidden when continue is provided") }
            if match != "Exact" && match != "NotOlderThan" {
                causes.append(StatusCause(
                    reason: "FieldValueNotSupported", message: "Unsupported value: \(GoSyntax.quoted(match)): supported values: \"Exact\", \"NotOlderThan\", \"\"",
                    field: "resourceVersionMatch"))
            }
            if match == "Exact" && resourceVersion == "0" { forbid("resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"") }
            if !causes.isEmpty { throw APIError.invalid(kind: "ListOptions", group: "meta.k8s.io", name: "", causes) }
        }
        guard !resourceVersion.isEmpty, resourceVersion != "0" else { return }
        let rv: Int64
        switch GoSyntax.parseUInt64(resourceVersion) {
        case .failure(let error):
            throw APIError.badRequest("invalid resource version: resourceVersion: Invalid value: \(GoSyntax.quoted(resourceVersion)): \(error.message)")
        case .success(let value):
            rv = Int64(clamping: value)
        }
        if rv > currentResourceVersion {
            throw APIError(
                code: 504, reason: "Timeout", message: "Timeout: Too large resource version: \(rv), current: \(currentResourceVersion)",
                details: StatusDetails(causes: [StatusCause(reason: "ResourceVersionTooLarge", message: "Too large resource version")], retryAfterSeconds: 1))
        }
    }

    /// The objects of `resource` (in `namespace`, if given) as they were at `revision`:
    /// the current ones with the history's later changes undone, newest first. nil when
    /// the history no longer reaches back that far (as after an etcd compaction).
    func snapshot(_ resource: ResourceID, namespace: String?, at revision: Int64) -> [ObjectKey: StoredObject]? {
        guard revision >= history.compactedThrough else { return nil }
        var objects = tables[resource]?.objects ?? [:]
        if let namespace { objects = objects.filter { $0.key.namespace == namespace } }
        for event in history.since(revision).reversed() where event.resource == resource {
            if let namespace, event.key.namespace != namespace { continue }
            switch event.type {
            case .added:
                objects[event.key] = nil
            default:
                guard let previous = event.previous else {
                    objects[event.key] = nil
                    continue
                }
                let version = Int64(previous.value(at: ["metadata", "resourceVersion"])?.stringValue ?? "") ?? 0
                objects[event.key] = StoredObject(previous, resourceVersion: version)
            }
        }
        return objects
    }
}
