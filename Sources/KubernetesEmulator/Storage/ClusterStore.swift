import Foundation
import JSONCore
import KubeAPI

/// Options of a write request (`dryRun`, `fieldValidation`).
struct WriteOptions: Sendable {
    enum FieldValidation: String, Sendable { case ignore = "Ignore", warn = "Warn", strict = "Strict" }
    var dryRun = false
    var fieldValidation: FieldValidation = .warn
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
        guard let stored = tables[resource.id]?.objects[key] else { throw APIError.notFound(resource, name) }
        return stored
    }

    func list(
        _ resource: ResourceDescriptor, namespace: String?, labelSelector: LabelSelectorQuery?,
        fieldSelector: FieldSelectorQuery?, limit: Int?, continueToken: String?,
        resourceVersion: String?, resourceVersionMatch: String?
    ) throws -> ListPage {
        try checkListResourceVersion(resourceVersion, match: resourceVersionMatch)
        var resumed: ContinueToken?
        if let continueToken, !continueToken.isEmpty {
            let token = try ContinueToken(decoding: continueToken)
            if token.resourceVersion <= history.compactedThrough {
                throw APIError.gone(
                    "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list."
                )
            }
            resumed = token
        }
        let startAfter = resumed?.startAfter
        let keys = sortedKeys(resource.id, namespace: resource.namespaced ? namespace : nil)
        let table = tables[resource.id]
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
            if let stored = table?.objects[key], startAfter.map({ key > $0 }) ?? true,
                labelSelector?.matches(object: stored.object) ?? true, fieldSelector!.matches(object: stored.object)
            {
                items.append(stored)
            }
            return ListPage(items: items, resourceVersion: currentResourceVersion)
        }
        while index < keys.endIndex, items.count < pageLimit {
            let stored = table!.objects[keys[index]]!
            index += 1
            if filtered
                || ((labelSelector?.matches(object: stored.object) ?? true)
                    && (fieldSelector?.matches(object: stored.object) ?? true))
            {
                items.append(stored)
            }
        }
        var page = ListPage(items: items, resourceVersion: currentResourceVersion)
        if index < keys.endIndex, let last = items.last {
            // Only hand out a token when something that may match is left.
            // Later pages keep the first page's resourceVersion, as kube-apiserver's tokens do.
            page.continueToken = ContinueToken(
                resourceVersion: resumed?.resourceVersion ?? currentResourceVersion,
                startAfter: ObjectKey(namespace: resource.namespaced ? last.namespace : "", name: last.name)
            ).encoded
            if filtered { page.remainingItemCount = Int64(keys.endIndex - index) }
        }
        return page
    }

    private func checkListResourceVersion(_ resourceVersion: String?, match: String?) throws {
        if let match, !match.isEmpty {
            guard let resourceVersion, !resourceVersion.isEmpty else {
                throw APIError(
                    code: 422, reason: "Invalid",
                    message: "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided")
            }
            guard match == "Exact" || match == "NotOlderThan" else {
                throw APIError(code: 422, reason: "Invalid", message: "resourceVersionMatch: Unsupported value: \"\(match)\": supported values: \"Exact\", \"NotOlderThan\"")
            }
        }
        guard let resourceVersion, !resourceVersion.isEmpty, resourceVersion != "0" else { return }
        guard let rv = Int64(resourceVersion) else {
            throw APIError.badRequest("resourceVersion: Invalid value: \"\(resourceVersion)\": must be a valid resourceVersion")
        }
        if rv > currentResourceVersion {
            throw APIError(code: 504, reason: "Timeout", message: "Too large resource version: \(rv), current resource version: \(currentResourceVersion)")
        }
        if match == "Exact" && rv != currentResourceVersion {
            // We keep no snapshots: an exact list of an older state is as gone as after an etcd compaction.
            throw APIError.gone("The resourceVersion for the provided list is too old.")
        }
    }

    // MARK: Writes

    func create(_ resource: ResourceDescriptor, namespace: String?, body: JSONObject, options: WriteOptions) throws -> WriteResult {
        guard !resource.isVirtual else { throw APIError.methodNotAllowed() }
        var object = body
        var warnings: [String] = []
        try checkTypeMeta(resource, &object)
        var metadata = object["metadata"]?.objectValue ?? [:]
        if resource.namespaced {
            let bodyNamespace = metadata["namespace"]?.stringValue ?? ""
            let ns = namespace ?? ""
            if !bodyNamespace.isEmpty && bodyNamespace != ns {
                throw APIError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
            }
            metadata["namespace"] = .string(ns)
            try checkNamespaceAcceptsContent(ns, resource: resource, name: metadata["name"]?.stringValue ?? "")
        } else {
            metadata["namespace"] = nil
        }
        var name = metadata["name"]?.stringValue ?? ""
        if name.isEmpty, let prefix = metadata["generateName"]?.stringValue, !prefix.isEmpty {
            name = prefix + Self.randomSuffix()
            metadata["name"] = .string(name)
        }
        if name.isEmpty {
            throw APIError.invalid(resource, "", [StatusCause(reason: "FieldValueRequired", message: "Required value: name or generateName is required", field: "metadata.name")])
        }
        let key = ObjectKey(namespace: resource.namespaced ? namespace ?? "" : "", name: name)
        if tables[resource.id]?.objects[key] != nil { throw APIError.alreadyExists(resource, name) }
        let timestamp = KubeTime(now())
        metadata["uid"] = .string(Self.newUID())
        metadata["creationTimestamp"] = .string(timestamp.rfc3339)
        metadata["deletionTimestamp"] = nil
        metadata["deletionGracePeriodSeconds"] = nil
        metadata["generation"] = resource.tracksGeneration ? .int(1) : nil
        object["metadata"] = .object(metadata)
        if resource.hasStatusSubresource { object["status"] = nil }
        try registry.strategy(for: resource).prepareForCreate(&object, now: timestamp)
        warnings += try validate(resource, &object, old: nil, options: options)
        if options.dryRun {
            return WriteResult(object: StoredObject(object, resourceVersion: currentResourceVersion), warnings: warnings)
        }
        let stored = commit(resource, key: key, object: object, type: .added, previous: nil)
        try afterCreate(resource, stored)
        return WriteResult(object: stored, warnings: warnings)
    }

    /// PUT of the object or its `status` subresource.
    func update(
        _ resource: ResourceDescriptor, namespace: String?, name: String, body: JSONObject,
        subresource: String?, options: WriteOptions
    ) throws -> WriteResult {
        let key = ObjectKey(namespace: resource.namespaced ? namespace ?? "" : "", name: name)
        guard let current = tables[resource.id]?.objects[key] else { throw APIError.notFound(resource, name) }
        var object = body
        try checkTypeMeta(resource, &object)
        let bodyName = object.value(at: ["metadata", "name"])?.stringValue ?? ""
        if !bodyName.isEmpty && bodyName != name {
            throw APIError.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
        if let rv = object.value(at: ["metadata", "resourceVersion"])?.stringValue, !rv.isEmpty {
            guard Int64(rv) == current.resourceVersion else {
                throw APIError.conflict(resource, name, "the object has been modified; please apply your changes to the latest version and try again")
            }
        }
        return try replace(resource, key: key, current: current, with: object, subresource: subresource, options: options)
    }

    /// PATCH: applies the patch to the current object, then validates and stores the result
    /// like an update (a `metadata.resourceVersion` in the patch is a precondition).
    func patch(
        _ resource: ResourceDescriptor, namespace: String?, name: String, patchType: PatchType, patch: JSONValue,
        subresource: String?, options: WriteOptions
    ) throws -> WriteResult {
        let key = ObjectKey(namespace: resource.namespaced ? namespace ?? "" : "", name: name)
        guard let current = tables[resource.id]?.objects[key] else { throw APIError.notFound(resource, name) }
        let patched: JSONValue
        do {
            switch patchType {
            case .merge:
                guard patch.objectValue != nil else { throw APIError.badRequest("json: cannot unmarshal \(patch.typeName) into Go value of type map[string]interface {}") }
                patched = Patching.mergePatch(.object(current.object), patch)
            case .json: patched = try Patching.jsonPatch(.object(current.object), patch)
            case .strategic:
                guard registry.strategy(for: resource).supportsStrategicMerge else {
                    throw APIError.unsupportedMediaType(patchType.rawValue, accepted: APIError.patchMediaTypes)
                }
                patched = try Patching.strategicMergePatch(.object(current.object), patch)
            case .apply:
                throw APIError.unsupportedMediaType(patchType.rawValue, accepted: APIError.patchMediaTypes)
            }
        } catch let failure as JSONPatchFailure {
            throw APIError(code: 422, reason: "Invalid", message: failure.message)
        }
        guard var object = patched.objectValue else { throw APIError.badRequest("the patch did not produce an object") }
        // A resourceVersion left in place by the patch is the current one; only a
        // patch that sets a different one acts as a precondition.
        if let rv = object.value(at: ["metadata", "resourceVersion"])?.stringValue, Int64(rv) != current.resourceVersion {
            throw APIError.conflict(resource, name, "the object has been modified; please apply your changes to the latest version and try again")
        }
        if object.value(at: ["metadata", "name"])?.stringValue != name {
            object.set(.string(name), at: ["metadata", "name"])
        }
        return try replace(resource, key: key, current: current, with: object, subresource: subresource, options: options)
    }

    private func replace(
        _ resource: ResourceDescriptor, key: ObjectKey, current: StoredObject, with body: JSONObject,
        subresource: String?, options: WriteOptions
    ) throws -> WriteResult {
        var object: JSONObject
        if subresource == "status" {
            guard resource.hasStatusSubresource else { throw APIError.pathNotFound() }
            // Status writes change only status.
            object = current.object
            object["status"] = body["status"]
        } else {
            object = body
            if resource.hasStatusSubresource { object["status"] = current.object["status"] }
            var metadata = object["metadata"]?.objectValue ?? [:]
            let old = current.metadata
            let oldFinalizers = Set(current.finalizers)
            let newFinalizers = Set(metadata["finalizers"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            if current.isTerminating && !newFinalizers.isSubset(of: oldFinalizers) {
                throw APIError.forbidden(resource, key.name, "no new finalizers can be added if the object is being deleted, found new finalizers \(newFinalizers.subtracting(oldFinalizers).sorted())")
            }
            metadata["managedFields"] = metadata["managedFields"] ?? old["managedFields"]
            object["metadata"] = .object(metadata)
        }
        // Fields the server owns.
        var metadata = object["metadata"]?.objectValue ?? [:]
        let old = current.metadata
        for field in ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "namespace", "name", "generation"] {
            metadata[field] = old[field]
        }
        object["metadata"] = .object(metadata)
        try registry.strategy(for: resource).prepareForUpdate(&object, old: current.object)
        if resource.tracksGeneration, Self.specChanged(resource, object, current.object) {
            let generation = (old["generation"]?.intValue ?? 0) + 1
            object.set(.int(generation), at: ["metadata", "generation"])
        }
        let warnings = try validate(resource, &object, old: current.object, options: options)
        metadata = object["metadata"]?.objectValue ?? [:]
        metadata["resourceVersion"] = old["resourceVersion"]
        object["metadata"] = .object(metadata)
        if object == current.object {
            // A no-op write does not bump the resourceVersion (as with etcd's guaranteed update).
            return WriteResult(object: current, warnings: warnings)
        }
        if options.dryRun { return WriteResult(object: StoredObject(object, resourceVersion: current.resourceVersion), warnings: warnings) }
        if current.isTerminating && (object.value(at: ["metadata", "finalizers"])?.arrayValue ?? []).isEmpty {
            // The last finalizer is gone: the deletion completes.
            let stored = StoredObject(object, resourceVersion: current.resourceVersion)
            remove(resource, key: key, lastState: stored)
            runControllers()
            return WriteResult(object: tables[resource.id]?.objects[key] ?? stored, warnings: warnings)
        }
        let stored = commit(resource, key: key, object: object, type: .modified, previous: current.object)
        runControllers()
        return WriteResult(object: stored, warnings: warnings)
    }

    func delete(_ resource: ResourceDescriptor, namespace: String?, name: String, options: DeleteOptions, dryRun: Bool) throws -> DeleteOutcome {
        let key = ObjectKey(namespace: resource.namespaced ? namespace ?? "" : "", name: name)
        guard let current = tables[resource.id]?.objects[key] else { throw APIError.notFound(resource, name) }
        if let uid = options.preconditions?.uid, uid != current.uid {
            throw APIError.conflict(resource, name, "Precondition failed: UID in precondition: \(uid), UID in object meta: \(current.uid)")
        }
        if let rv = options.preconditions?.resourceVersion, Int64(rv) != current.resourceVersion {
            throw APIError.conflict(resource, name, "Precondition failed: ResourceVersion in precondition: \(rv), ResourceVersion in object meta: \(current.resourceVersion)")
        }
        if dryRun { return .deleted(current) }
        let outcome = try deleteObject(resource, key: key, policy: options.propagationPolicy)
        runControllers()
        if case .deleted = outcome, let stillThere = tables[resource.id]?.objects[key] { return .pending(stillThere) }
        return outcome
    }

    /// Deletes one object: immediately when nothing holds it, else marks it terminating.
    @discardableResult
    func deleteObject(_ resource: ResourceDescriptor, key: ObjectKey, policy: PropagationPolicy?) throws -> DeleteOutcome {
        guard let current = tables[resource.id]?.objects[key] else { throw APIError.notFound(resource, key.name) }
        var finalizers = current.finalizers
        let policy = policy ?? .background
        if resource.id == ResourceRegistry.namespaces && !current.isTerminating {
            // The namespace controller empties it; the `kubernetes` finalizer in spec holds it until then.
            var object = current.object
            object.set(.string(KubeTime(now()).rfc3339), at: ["metadata", "deletionTimestamp"])
            object.set(.int(0), at: ["metadata", "deletionGracePeriodSeconds"])
            object.set(.string("Terminating"), at: ["status", "phase"])
            let stored = commit(resource, key: key, object: object, type: .modified, previous: current.object)
            return .pending(stored)
        }
        if !current.isTerminating {
            if policy == .foreground, !(dependentsByOwner[current.uid] ?? []).isEmpty, !finalizers.contains("foregroundDeletion") {
                finalizers.append("foregroundDeletion")
            }
            if policy == .orphan, !(dependentsByOwner[current.uid] ?? []).isEmpty, !finalizers.contains("orphan") {
                finalizers.append("orphan")
            }
        }
        if finalizers.isEmpty && resource.id != ResourceRegistry.namespaces {
            remove(resource, key: key, lastState: current)
            return .deleted(current)
        }
        if current.isTerminating && finalizers == current.finalizers { return .pending(current) }
        var object = current.object
        object.set(.array(finalizers.map(JSONValue.string)), at: ["metadata", "finalizers"])
        if !current.isTerminating {
            object.set(.string(KubeTime(now()).rfc3339), at: ["metadata", "deletionTimestamp"])
            object.set(.int(0), at: ["metadata", "deletionGracePeriodSeconds"])
            if resource.tracksGeneration {
                object.set(.int((current.metadata["generation"]?.intValue ?? 0) + 1), at: ["metadata", "generation"])
            }
        }
        let stored = commit(resource, key: key, object: object, type: .modified, previous: current.object)
        return .pending(stored)
    }

    // MARK: Bookkeeping

    /// Stores an object under the next resourceVersion, updates indexes and notifies watchers.
    @discardableResult
    func commit(_ resource: ResourceDescriptor, key: ObjectKey, object: JSONObject, type: WatchEventType, previous: JSONObject?) -> StoredObject {
        currentResourceVersion += 1
        var object = object
        object.set(.string(String(currentResourceVersion)), at: ["metadata", "resourceVersion"])
        let stored = StoredObject(object, resourceVersion: currentResourceVersion)
        // Mutated in place: copying the table out and back would copy every object on each write.
        let old = tables[resource.id]?.objects[key]
        tables[resource.id, default: ResourceTable()].put(key, stored)
        if let old { unindex(old, resource: resource.id, key: key) }
        index(stored, resource: resource.id, key: key)
        if old == nil && !key.namespace.isEmpty { objectCountByNamespace[key.namespace, default: 0] += 1 }
        // A dependent whose owners are all gone (e.g. created by a controller that had not
        // yet seen its owner's deletion) is collected, as kube-controller-manager's GC does.
        let owners = stored.ownerUIDs
        if !owners.isEmpty && !stored.isTerminating && owners.allSatisfy({ objectsByUID[$0] == nil }) {
            orphanedDependents.append((resource.id, key))
        }
        publish(ChangeEvent(resourceVersion: currentResourceVersion, resource: resource.id, type: type, key: key, object: stored, previous: previous))
        return stored
    }

    /// Removes an object for good and notifies watchers with its last state.
    func remove(_ resource: ResourceDescriptor, key: ObjectKey, lastState: StoredObject) {
        guard let old = tables[resource.id]?.objects[key] else { return }
        tables[resource.id]?.remove(key)
        unindex(old, resource: resource.id, key: key)
        if !key.namespace.isEmpty { objectCountByNamespace[key.namespace, default: 1] -= 1 }
        currentResourceVersion += 1
        var object = lastState.object
        object.set(.string(String(currentResourceVersion)), at: ["metadata", "resourceVersion"])
        let final = StoredObject(object, resourceVersion: currentResourceVersion)
        publish(ChangeEvent(resourceVersion: currentResourceVersion, resource: resource.id, type: .deleted, key: key, object: final, previous: old.object))
        pendingRemovals.append((resource, final))
    }

    /// Objects removed since the controllers last ran (for GC and CRD cleanup).
    var pendingRemovals: [(ResourceDescriptor, StoredObject)] = []
    /// Objects written with ownerReferences to owners that no longer exist.
    var orphanedDependents: [(ResourceID, ObjectKey)] = []

    private func index(_ stored: StoredObject, resource: ResourceID, key: ObjectKey) {
        let uid = stored.uid
        objectsByUID[uid] = (resource, key)
        noteControllerWork(stored, resource: resource, key: key)
        for owner in stored.ownerUIDs { dependentsByOwner[owner, default: []].insert(uid) }
        if stored.isTerminating && stored.finalizers.contains(where: { $0 == "orphan" || $0 == "foregroundDeletion" }) {
            awaitingDependents.insert(uid)
        }
    }

    /// Keeps the controllers' work lists current (see `runControllers`).
    private func noteControllerWork(_ stored: StoredObject, resource: ResourceID, key: ObjectKey) {
        if resource == ResourceRegistry.customResourceDefinitions { customResourceDefinitionsChanged = true }
        if resource == ResourceRegistry.namespaces && stored.isTerminating { terminatingNamespaces.insert(key.name) }
    }

    private func unindex(_ stored: StoredObject, resource: ResourceID, key: ObjectKey) {
        let uid = stored.uid
        objectsByUID[uid] = nil
        noteControllerWork(stored, resource: resource, key: key)
        if resource == ResourceRegistry.namespaces { terminatingNamespaces.remove(key.name) }
        awaitingDependents.remove(uid)
        for owner in stored.ownerUIDs {
            dependentsByOwner[owner]?.remove(uid)
            if dependentsByOwner[owner]?.isEmpty == true { dependentsByOwner[owner] = nil }
        }
    }

    /// A random (version 4) UUID, as kube-apiserver gives every object. Made from the system
    /// generator directly: Foundation's `UUID()` on Linux opens and reads `/dev/urandom` each
    /// time, a cost the emulator paid on every create.
    static func newUID() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        var bytes: [UInt8] = (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * UInt64($0))) }
            + (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * UInt64($0))) }
        bytes[6] = (bytes[6] & 0x0f) | 0x40  // version 4
        bytes[8] = (bytes[8] & 0x3f) | 0x80  // RFC 4122 variant
        let uuid = UUID(uuid: (
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
        return uuid.uuidString.lowercased()
    }

    private func checkTypeMeta(_ resource: ResourceDescriptor, _ object: inout JSONObject) throws {
        let kind = object["kind"]?.stringValue ?? ""
        let apiVersion = object["apiVersion"]?.stringValue ?? ""
        if kind.isEmpty && apiVersion.isEmpty {
            object["kind"] = .string(resource.kind)
            object["apiVersion"] = .string(resource.type.apiVersion)
            return
        }
        if kind != resource.kind || GroupVersion(apiVersion: apiVersion).group != resource.group {
            throw APIError.badRequest("the API version in the data (\(apiVersion)) does not match the expected API version (\(resource.type.apiVersion))")
        }
        object["apiVersion"] = .string(resource.type.apiVersion)
    }

    /// NamespaceLifecycle admission: no content in a missing or terminating namespace.
    private func checkNamespaceAcceptsContent(_ namespace: String, resource: ResourceDescriptor, name: String) throws {
        let namespaces = registry.namespaces
        guard let ns = tables[ResourceRegistry.namespaces]?.objects[ObjectKey(namespace: "", name: namespace)] else {
            throw APIError.notFound(namespaces, namespace)
        }
        if ns.isTerminating {
            throw APIError.forbidden(resource, name, "unable to create new content in namespace \(namespace) because it is being terminated")
        }
    }

    private func validate(_ resource: ResourceDescriptor, _ object: inout JSONObject, old: JSONObject?, options: WriteOptions) throws -> [String] {
        let strategy = registry.strategy(for: resource)
        var unknown: [String] = []
        var causes = ObjectValidation.validateMetadata(object, resource: resource, unknownFields: &unknown)
        causes += try strategy.validate(&object, old: old, unknownFields: &unknown)
        let name = object.value(at: ["metadata", "name"])?.stringValue ?? ""
        if !causes.isEmpty { throw APIError.invalid(resource, name, causes) }
        switch options.fieldValidation {
        case .strict where !unknown.isEmpty:
            let list = unknown.map { "unknown field \"\($0)\"" }
            throw APIError.badRequest("strict decoding error: " + list.joined(separator: ", "))
        case .warn: return unknown.map { "unknown field \"\($0)\"" }
        default: return []
        }
    }

    static func specChanged(_ resource: ResourceDescriptor, _ a: JSONObject, _ b: JSONObject) -> Bool {
        let keys = Set(a.keys).union(b.keys).subtracting(resource.nonSpecMembers)
        return keys.contains { a[$0] != b[$0] }
    }

    static func randomSuffix() -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        return String((0..<5).map { _ in alphabet.randomElement()! })
    }
}

/// The objects of one resource type, with a sorted-key cache for lists.
struct ResourceTable: Sendable {
    var objects: [ObjectKey: StoredObject] = [:]
    private var sorted: [ObjectKey]?

    mutating func put(_ key: ObjectKey, _ object: StoredObject) {
        if objects.updateValue(object, forKey: key) == nil { sorted = nil }
    }

    mutating func remove(_ key: ObjectKey) {
        if objects.removeValue(forKey: key) != nil { sorted = nil }
    }

    /// Keys in etcd order, restricted to one namespace when given. The cache is
    /// rebuilt only after an insert or delete, so repeated lists do not re-sort.
    mutating func sortedKeys(namespace: String?) -> ArraySlice<ObjectKey> {
        if sorted == nil { sorted = objects.keys.sorted() }
        let all = sorted![...]
        guard let namespace else { return all }
        let lower = all.partitionPoint { $0.namespace < namespace }
        let upper = all[lower...].partitionPoint { $0.namespace <= namespace }
        return all[lower..<upper]
    }
}

extension ClusterStore {
    /// `sortedKeys` mutates the cache, so lists go through this.
    func sortedKeys(_ resource: ResourceID, namespace: String?) -> ArraySlice<ObjectKey> {
        tables[resource]?.sortedKeys(namespace: namespace) ?? []
    }
}

extension Collection {
    /// The first index whose element does not satisfy `belongsInFirstPartition`
    /// (the collection must be partitioned by it).
    func partitionPoint(_ belongsInFirstPartition: (Element) -> Bool) -> Index {
        var low = startIndex
        var count = self.count
        while count > 0 {
            let half = count / 2
            let mid = index(low, offsetBy: half)
            if belongsInFirstPartition(self[mid]) {
                low = index(after: mid)
                count -= half + 1
            } else {
                count = half
            }
        }
        return low
    }
}

/// The `continue` token of a paginated list, in kube-apiserver's format:
/// base64url of `{"v":"meta.k8s.io/v1","rv":N,"start":"KEY\u0000"}`.
struct ContinueToken: Sendable {
    var resourceVersion: Int64
    var startAfter: ObjectKey

    init(resourceVersion: Int64, startAfter: ObjectKey) {
        self.resourceVersion = resourceVersion
        self.startAfter = startAfter
    }

    init(decoding token: String) throws {
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let json = try? JSONValue(parsing: data),
            json["v"]?.stringValue == "meta.k8s.io/v1", let rv = json["rv"]?.intValue, let start = json["start"]?.stringValue
        else {
            throw APIError.badRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
        }
        let key = start.hasSuffix("\u{0}") ? String(start.dropLast()) : start
        let parts = key.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        startAfter = parts.count == 2 ? ObjectKey(namespace: String(parts[0]), name: String(parts[1])) : ObjectKey(namespace: "", name: key)
        resourceVersion = rv
    }

    var encoded: String {
        let key = startAfter.namespace.isEmpty ? startAfter.name : "\(startAfter.namespace)/\(startAfter.name)"
        let json: JSONValue = ["v": "meta.k8s.io/v1", "rv": .int(resourceVersion), "start": .string(key + "\u{0}")]
        return Data(json.serializedBytes()).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
