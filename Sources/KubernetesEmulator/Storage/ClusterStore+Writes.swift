import Foundation
import JSONCore
import KubeAPI

/// Writes: create, update, patch, delete, with the admission checks and validation
/// kube-apiserver applies before storing.
extension ClusterStore {

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
        if tables[resource.storageID]?.objects[key] != nil { throw APIError.alreadyExists(resource, name) }
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
        manageFields(resource, old: nil, new: &object, sent: nil, subresource: nil, options: options)
        if options.dryRun {
            return WriteResult(object: StoredObject(object, resourceVersion: currentResourceVersion), warnings: warnings)
        }
        let stored = commit(resource, key: key, object: object, type: .added, previous: nil)
        try afterCreate(resource, stored)
        return WriteResult(object: resource.presented(stored), warnings: warnings)
    }

    /// PUT of the object, its `status` subresource, or a namespace's `finalize`.
    func update(
        _ resource: ResourceDescriptor, namespace: String?, name: String, body: JSONObject,
        subresource: String?, options: WriteOptions
    ) throws -> WriteResult {
        let key = ObjectKey(namespace: resource.namespaced ? namespace ?? "" : "", name: name)
        guard let stored = tables[resource.storageID]?.objects[key] else { throw APIError.notFound(resource, name) }
        let current = resource.presented(stored)
        var object = body
        try checkTypeMeta(resource, &object)
        let bodyName = object.value(at: ["metadata", "name"])?.stringValue ?? ""
        if !bodyName.isEmpty && bodyName != name {
            throw APIError.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
        let bodyVersion = object.value(at: ["metadata", "resourceVersion"])?.stringValue ?? ""
        if bodyVersion.isEmpty && resource.definedByCRD != nil {
            // Custom resources allow no unconditional update (built-in types mostly do).
            let message = "Invalid value: 0x0: must be specified for an update"
            throw APIError(
                code: 422, reason: "Invalid", message: "\(resource.qualifiedName) \"\(name)\" is invalid: metadata.resourceVersion: \(message)",
                details: StatusDetails(
                    name: name, group: resource.statusGroup, kind: resource.plural,
                    causes: [StatusCause(reason: "FieldValueInvalid", message: message, field: "metadata.resourceVersion")]))
        }
        if let rv = object.value(at: ["metadata", "resourceVersion"])?.stringValue, !rv.isEmpty {
            // The storage parses the precondition as a number: one that is not fails as an
            // internal error, as kube-apiserver's does.
            if case .failure(let error) = GoSyntax.parseUInt64(rv) { throw APIError.internalError(error.message) }
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
        guard let stored = tables[resource.storageID]?.objects[key] else { throw APIError.notFound(resource, name) }
        // The patch applies to the object as this resource serves it.
        let current = resource.presented(stored)
        let patched: JSONValue
        do {
            switch patchType {
            case .merge:
                guard patch.objectValue != nil else {
                    // Decoded strictly (Warn and Strict) the patch names Go's map type; unchecked,
                    // the merge library refuses it.
                    if options.fieldValidation == .ignore { throw APIError.badRequest("Invalid JSON Patch") }
                    throw APIError.badRequest("error decoding patch: json: cannot unmarshal \(BodyDecoding.goTypeName(patch)) into Go value of type map[string]interface {}")
                }
                patched = Patching.mergePatch(.object(current.object), patch)
            case .json: patched = try Patching.jsonPatch(.object(current.object), patch, strictDecoding: options.fieldValidation != .ignore)
            case .strategic:
                guard registry.strategy(for: resource).supportsStrategicMerge else {
                    // The custom resource handler's wording: what it accepts, nothing more.
                    throw APIError(
                        code: 415, reason: "UnsupportedMediaType",
                        message: "the body of the request was in an unknown format - accepted media types include: \([PatchType.json, .merge, .apply].map(\.rawValue).joined(separator: ", "))")
                }
                patched = try Patching.strategicMergePatch(.object(current.object), patch)
            case .apply:
                throw APIError.unsupportedMediaType(patchType.rawValue, accepted: APIError.patchMediaTypes)
            }
        } catch is JSONPatchFailure {
            throw APIError(code: 422, reason: "Invalid", message: "the server rejected our request due to an error in our request", details: StatusDetails())
        }
        guard var object = patched.objectValue else { throw APIError.badRequest("the patch did not produce an object") }
        // A resourceVersion left in place by the patch is the current one; only a
        // patch that sets a different one acts as a precondition.
        if let rv = object.value(at: ["metadata", "resourceVersion"])?.stringValue, Int64(rv) != current.resourceVersion {
            throw APIError.conflict(resource, name, "the object has been modified; please apply your changes to the latest version and try again")
        }
        let patchedName = object.value(at: ["metadata", "name"])?.stringValue ?? ""
        if !patchedName.isEmpty && patchedName != name {
            throw APIError.badRequest("the name of the object (\(patchedName)) does not match the name on the URL (\(name))")
        }
        object.set(.string(name), at: ["metadata", "name"])
        return try replace(resource, key: key, current: current, with: object, subresource: subresource, options: options)
    }

    func replace(
        _ resource: ResourceDescriptor, key: ObjectKey, current: StoredObject, with body: JSONObject,
        subresource: String?, options: WriteOptions
    ) throws -> WriteResult {
        var object: JSONObject
        if subresource == "status" {
            guard resource.hasStatusSubresource else { throw APIError.pathNotFound() }
            // Status writes change only status.
            object = current.object
            object["status"] = body["status"]
        } else if subresource == "finalize" {
            guard resource.id == ResourceRegistry.namespaces else { throw APIError.pathNotFound() }
            // A namespace's finalize subresource changes only spec.finalizers.
            object = current.object
            object.set(body.value(at: ["spec", "finalizers"]), at: ["spec", "finalizers"])
        } else {
            object = body
            if resource.hasStatusSubresource { object["status"] = current.object["status"] }
            var metadata = object["metadata"]?.objectValue ?? [:]
            let old = current.metadata
            let oldFinalizers = Set(current.finalizers)
            let newFinalizers = Set(metadata["finalizers"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            if current.isTerminating && !newFinalizers.isSubset(of: oldFinalizers) {
                // As ValidateObjectMetaUpdate words it: a 422 with a Forbidden field cause.
                let added = newFinalizers.subtracting(oldFinalizers).sorted().map { "\"\($0)\"" }.joined(separator: ", ")
                throw APIError.invalid(resource, key.name, [StatusCause(
                    reason: "FieldValueForbidden",
                    message: "Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{\(added)}",
                    field: "metadata.finalizers")])
            }
            object["metadata"] = .object(metadata)
        }
        // Fields the server owns.
        var metadata = object["metadata"]?.objectValue ?? [:]
        let old = current.metadata
        if let uid = metadata["uid"]?.stringValue, !uid.isEmpty, uid != old["uid"]?.stringValue {
            throw APIError.invalid(resource, key.name, [StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \"\(uid)\": field is immutable", field: "metadata.uid")])
        }
        // Empty lists and maps are not kept (omitempty).
        for field in ["finalizers", "ownerReferences", "labels", "annotations"] {
            if metadata[field]?.arrayValue?.isEmpty == true || metadata[field]?.objectValue?.isEmpty == true { metadata[field] = nil }
        }
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
        manageFields(
            resource, old: current.object, new: &object, sent: subresource == "status" ? nil : body.value(at: ["metadata", "managedFields"]),
            subresource: subresource, options: options)
        if object == current.object {
            // A no-op write does not bump the resourceVersion (as with etcd's guaranteed update).
            return WriteResult(object: current, warnings: warnings)
        }
        if options.dryRun { return WriteResult(object: StoredObject(object, resourceVersion: current.resourceVersion), warnings: warnings) }
        let specFinalizers = resource.id == ResourceRegistry.namespaces ? object.value(at: ["spec", "finalizers"])?.arrayValue ?? [] : []
        if current.isTerminating && (object.value(at: ["metadata", "finalizers"])?.arrayValue ?? []).isEmpty && specFinalizers.isEmpty {
            // The last finalizer is gone: the deletion completes.
            let stored = StoredObject(object, resourceVersion: current.resourceVersion)
            remove(resource, key: key, lastState: stored)
            runControllers()
            return WriteResult(object: resource.presented(tables[resource.storageID]?.objects[key] ?? stored), warnings: warnings)
        }
        let stored = commit(resource, key: key, object: object, type: .modified, previous: current.object)
        runControllers()
        return WriteResult(object: resource.presented(stored), warnings: warnings)
    }

    func delete(_ resource: ResourceDescriptor, namespace: String?, name: String, options: DeleteOptions, dryRun: Bool) throws -> DeleteOutcome {
        let key = ObjectKey(namespace: resource.namespaced ? namespace ?? "" : "", name: name)
        guard let current = tables[resource.storageID]?.objects[key] else { throw APIError.notFound(resource, name) }
        if let uid = options.preconditions?.uid, uid != current.uid {
            throw APIError.preconditionFailed(resource, name, "UID", expected: uid, actual: current.uid)
        }
        if let rv = options.preconditions?.resourceVersion, Int64(rv) != current.resourceVersion {
            throw APIError.preconditionFailed(resource, name, "ResourceVersion", expected: rv, actual: String(current.resourceVersion))
        }
        if dryRun { return .deleted(resource.presented(current)) }
        let outcome = try deleteObject(resource, key: key, policy: options.propagationPolicy)
        runControllers()
        if case .deleted = outcome, let stillThere = tables[resource.storageID]?.objects[key] { return .pending(resource.presented(stillThere)) }
        switch outcome {
        case .deleted(let object): return .deleted(resource.presented(object))
        case .pending(let object): return .pending(resource.presented(object))
        }
    }

    /// Deletes one object: immediately when nothing holds it, else marks it terminating.
    @discardableResult
    func deleteObject(_ resource: ResourceDescriptor, key: ObjectKey, policy: PropagationPolicy?) throws -> DeleteOutcome {
        guard let current = tables[resource.storageID]?.objects[key] else { throw APIError.notFound(resource, key.name) }
        var finalizers = current.finalizers
        let policy = policy ?? .background
        if resource.id == ResourceRegistry.namespaces && !current.isTerminating {
            // The namespace controller empties it; the `kubernetes` finalizer in spec holds it until then.
            var object = current.object
            // kube-apiserver gives a namespace no deletionGracePeriodSeconds.
            object.set(.string(KubeTime(now()).rfc3339), at: ["metadata", "deletionTimestamp"])
            object.set(.string("Terminating"), at: ["status", "phase"])
            let stored = commit(resource, key: key, object: object, type: .modified, previous: current.object)
            return .pending(stored)
        }
        if !current.isTerminating {
            if policy == .foreground, !(dependentsByOwner[current.uid] ?? []).isEmpty, !finalizers.contains("foregroundDeletion") {
                finalizers.append("foregroundDeletion")
            }
            // As kube-apiserver: the orphan finalizer is added even without dependents (the
            // garbage collector removes it, and the object, soon after).
            if policy == .orphan, !finalizers.contains("orphan") {
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
            if resource.id == ResourceRegistry.customResourceDefinitions {
                // The CRD says it is going while its custom resources are removed.
                var conditions = (object.value(at: ["status", "conditions"])?.arrayValue ?? []).filter { $0["type"]?.stringValue != "Terminating" }
                conditions.append([
                    "type": "Terminating", "status": "True", "reason": "InstanceDeletionPending",
                    "message": "CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon",
                    "lastTransitionTime": .string(KubeTime(now()).rfc3339),
                ])
                object.set(.array(conditions), at: ["status", "conditions"])
            }
            object.set(.string(KubeTime(now()).rfc3339), at: ["metadata", "deletionTimestamp"])
            object.set(.int(0), at: ["metadata", "deletionGracePeriodSeconds"])
            if resource.tracksGeneration {
                object.set(.int((current.metadata["generation"]?.intValue ?? 0) + 1), at: ["metadata", "generation"])
            }
        }
        let stored = commit(resource, key: key, object: object, type: .modified, previous: current.object)
        return .pending(stored)
    }

    private func checkTypeMeta(_ resource: ResourceDescriptor, _ object: inout JSONObject) throws {
        let kind = object["kind"]?.stringValue ?? ""
        let apiVersion = object["apiVersion"]?.stringValue ?? ""
        if kind.isEmpty && apiVersion.isEmpty {
            object["kind"] = .string(resource.kind)
            object["apiVersion"] = .string(resource.type.apiVersion)
            return
        }
        if resource.definedByCRD != nil {
            // The custom resource handler: another version is refused as it is decoded,
            // another kind by validation.
            if apiVersion != resource.type.apiVersion {
                throw APIError.badRequest("the API version in the data (\(apiVersion)) does not match the expected API version (\(resource.type.apiVersion))")
            }
            if kind != resource.kind {
                let name = object.value(at: ["metadata", "name"])?.stringValue ?? ""
                let message = "Invalid value: \"\(kind)\": must be \(resource.kind)"
                throw APIError(
                    code: 422, reason: "Invalid", message: "\(kind).\(resource.group) \"\(name)\" is invalid: kind: \(message)",
                    details: StatusDetails(name: name, group: resource.group, kind: kind, causes: [StatusCause(reason: "FieldValueInvalid", message: message, field: "kind")]))
            }
        }
        if resource.definedByCRD == nil {
            // As kube-apiserver's decoder: another kind or version it knows has no conversion,
            // one it does not know is not registered.
            let builtins = registry.all.filter { $0.definedByCRD == nil }
            try BodyDecoding.checkKind(object, of: resource.kind, apiVersion: resource.type.apiVersion) { apiVersion, kind in
                builtins.contains { $0.type.apiVersion == apiVersion && $0.kind == kind }
            }
        }
        object["kind"] = .string(resource.kind)
        object["apiVersion"] = .string(resource.type.apiVersion)
    }

    /// NamespaceLifecycle admission: no content in a missing or terminating namespace.
    private func checkNamespaceAcceptsContent(_ namespace: String, resource: ResourceDescriptor, name: String) throws {
        let namespaces = registry.namespaces
        guard let ns = tables[ResourceRegistry.namespaces]?.objects[ObjectKey(namespace: "", name: namespace)] else {
            throw APIError.notFound(namespaces, namespace)
        }
        if ns.isTerminating {
            var error = APIError.forbidden(resource, name, "unable to create new content in namespace \(namespace) because it is being terminated")
            error.status.details?.causes = [
                StatusCause(reason: "NamespaceTerminating", message: "namespace \(namespace) is being terminated", field: "metadata.namespace")
            ]
            throw error
        }
    }

    private func validate(_ resource: ResourceDescriptor, _ object: inout JSONObject, old: JSONObject?, options: WriteOptions) throws -> [String] {
        let strategy = registry.strategy(for: resource)
        var unknown: [String] = []
        var causes = ObjectValidation.validateMetadata(object, resource: resource, unknownFields: &unknown)
        causes += try strategy.validate(&object, old: old, unknownFields: &unknown)
        let name = object.value(at: ["metadata", "name"])?.stringValue ?? ""
        // A view is validated as its stored type, and named so.
        let named = resource.view.flatMap { registry.lookup($0.storedAs) } ?? resource
        // Unknown fields are found as the body is decoded, before validation: a strict
        // refusal comes first, worded as the decoder's.
        let problems = options.duplicateFields.map { "duplicate field \"\($0)\"" } + unknown.map { "unknown field \"\($0)\"" }
        if options.fieldValidation == .strict && !problems.isEmpty {
            throw BodyDecoding.cannotBeHandled(
                bodyKind: named.kind, version: named.type.version, as: named.kind, "strict decoding error: " + problems.joined(separator: ", "))
        }
        if !causes.isEmpty { throw APIError.invalid(named, name, causes) }
        return options.fieldValidation == .warn ? problems : []
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
