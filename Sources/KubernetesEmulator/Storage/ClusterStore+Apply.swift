import Foundation
import JSONCore
import KubeAPI

/// Server-side apply and the managed fields of every write (``ManagedFields``).
extension ClusterStore {
    /// `PATCH` with `application/apply-patch+yaml`: `config` applied as `options.fieldManager`
    /// (required), creating the object when it does not exist. Returns whether it created.
    func apply(
        _ resource: ResourceDescriptor, namespace: String?, name: String, config body: JSONValue, subresource: String?,
        options: WriteOptions
    ) throws -> (result: WriteResult, created: Bool) {
        guard let manager = options.fieldManager, !manager.isEmpty else {
            let message = "Required value: is required for apply patch"
            throw APIError(
                code: 422, reason: "Invalid", message: "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: \(message)",
                details: StatusDetails(group: "meta.k8s.io", kind: "PatchOptions", causes: [StatusCause(reason: "FieldValueRequired", message: message, field: "fieldManager")]))
        }
        guard var config = body.objectValue else {
            throw APIError.badRequest("error decoding YAML: the apply configuration is not an object")
        }
        let kind = config["kind"]?.stringValue ?? ""
        let apiVersion = config["apiVersion"]?.stringValue ?? ""
        guard !kind.isEmpty, !apiVersion.isEmpty else {
            let gv = GroupVersion(apiVersion: apiVersion)
            throw APIError.badRequest("invalid object type: \(gv.group)/\(gv.version), Kind=\(kind)")
        }
        if let bodyName = config.value(at: ["metadata", "name"])?.stringValue, !bodyName.isEmpty, bodyName != name {
            throw APIError.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
        let key = ObjectKey(namespace: resource.namespaced ? namespace ?? "" : "", name: name)
        let live = tables[resource.storageID]?.objects[key].map(resource.presented)
        if let rv = config.value(at: ["metadata", "resourceVersion"])?.stringValue, !rv.isEmpty, Int64(rv) != live?.resourceVersion {
            throw APIError.conflict(resource, name, "the object has been modified; please apply your changes to the latest version and try again")
        }
        if live == nil && subresource != nil { throw APIError.notFound(resource, name) }
        config.set(.string(name), at: ["metadata", "name"])
        let entries = (live?.object.value(at: ["metadata", "managedFields"])?.arrayValue ?? []).compactMap(ManagedFields.Entry.init)
        let outcome = ManagedFields.apply(
            config: config, to: live?.object, entries: entries, manager: manager, apiVersion: resource.type.apiVersion,
            subresource: subresource, force: options.force, scope: Self.scope(resource, subresource: subresource),
            kinds: resource.listKinds, time: KubeTime(now()).rfc3339)
        switch outcome {
        case .conflicts(let conflicts):
            throw APIError(
                code: 409, reason: "Conflict", message: ManagedFields.conflictMessage(conflicts),
                details: StatusDetails(causes: conflicts.map { StatusCause(reason: "FieldManagerConflict", message: "conflict with \($0.manager)", field: $0.path) }))
        case .applied(var object, let applied):
            var options = options
            options.appliedFields = applied
            guard let live else {
                object["apiVersion"] = .string(apiVersion)
                object["kind"] = .string(kind)
                return (try create(resource, namespace: namespace, body: object, options: options), true)
            }
            object.set(.string(String(live.resourceVersion)), at: ["metadata", "resourceVersion"])
            return (try replace(resource, key: key, current: live, with: object, subresource: subresource, options: options), false)
        }
    }

    /// Which top-level members a write to `subresource` manages.
    static func scope(_ resource: ResourceDescriptor, subresource: String?) -> @Sendable (String) -> Bool {
        if subresource == "status" { return { $0 == "status" } }
        if resource.hasStatusSubresource { return { $0 != "status" } }
        return { _ in true }
    }

    /// Sets `new`'s `metadata.managedFields`: an apply's (its new entries without a time
    /// when the object did not change), those the client sent (an empty list, or a list of
    /// one empty entry, clears them), or the old ones updated for what this write changed.
    func manageFields(
        _ resource: ResourceDescriptor, old: JSONObject?, new object: inout JSONObject, sent: JSONValue?, subresource: String?,
        options: WriteOptions
    ) {
        let previous = (old?.value(at: ["metadata", "managedFields"])?.arrayValue ?? []).compactMap(ManagedFields.Entry.init)
        var entries: [ManagedFields.Entry]
        if var applied = options.appliedFields {
            if let old, Self.withoutManagedFields(old) == Self.withoutManagedFields(object) {
                for index in applied.indices {
                    applied[index].time = previous.first { $0.isSameSlot(as: applied[index]) }?.time
                }
            }
            entries = applied
        } else {
            var base = previous
            if let sent, let list = sent.arrayValue {
                if list.isEmpty || (list.count == 1 && list[0].objectValue?.isEmpty == true) {
                    var metadata = object["metadata"]?.objectValue ?? [:]
                    metadata["managedFields"] = nil
                    object["metadata"] = .object(metadata)
                    return
                }
                base = list.compactMap(ManagedFields.Entry.init)
            }
            entries = ManagedFields.update(
                old: old, new: object, entries: base, manager: options.manager, apiVersion: resource.type.apiVersion,
                subresource: subresource, scope: Self.scope(resource, subresource: subresource), kinds: resource.listKinds,
                time: KubeTime(now()).rfc3339)
        }
        var metadata = object["metadata"]?.objectValue ?? [:]
        metadata["managedFields"] = entries.isEmpty ? nil : .array(entries.map(\.json))
        object["metadata"] = .object(metadata)
    }

    private static func withoutManagedFields(_ object: JSONObject) -> JSONObject {
        var copy = object
        var metadata = copy["metadata"]?.objectValue ?? [:]
        metadata["managedFields"] = nil
        metadata["resourceVersion"] = nil
        copy["metadata"] = .object(metadata)
        return copy
    }
}

extension ResourceDescriptor {
    /// How this resource's lists merge and are owned: from the CRD schema's
    /// `x-kubernetes-list-type`, and for built-in types `metadata.finalizers` (a set) and
    /// `metadata.ownerReferences` (keyed by `uid`); every other list is atomic.
    var listKinds: ManagedFields.ListKinds {
        let schema = self.schema
        return { names in
            if names == ["metadata", "finalizers"] { return .set }
            if names == ["metadata", "ownerReferences"] { return .map(keys: ["uid"]) }
            guard let schema, var node = Optional(schema) else { return .atomic }
            for name in names {
                if node["type"]?.stringValue == "array", let items = node["items"] { node = items }
                if let property = node["properties"]?[name] {
                    node = property
                } else if let additional = node["additionalProperties"], additional.objectValue != nil {
                    node = additional
                } else {
                    return .atomic
                }
            }
            switch node["x-kubernetes-list-type"]?.stringValue {
            case "set": return .set
            case "map": return .map(keys: node["x-kubernetes-list-map-keys"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            default: return .atomic
            }
        }
    }
}
