import Foundation
import JSONCore
import KubeAPI

/// The controllers kube-apiserver and kube-controller-manager run that users see as
/// API behaviour: CRD establishment, garbage collection of dependents,
/// namespace termination and ClusterRole aggregation. They run to completion after every write, so a client
/// sees their effects as soon as its request returns.
extension ClusterStore {
    func afterCreate(_ resource: ResourceDescriptor, _ stored: StoredObject) throws {
        if resource.id == ResourceRegistry.namespaces, let serviceAccounts = registry.lookup(ResourceRegistry.serviceAccounts) {
            // The ServiceAccount controller gives every namespace a `default` ServiceAccount.
            _ = try? create(
                serviceAccounts, namespace: stored.name,
                body: ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "default"]], options: WriteOptions())
        }
        runControllers()
    }

    func runControllers() {
        var rounds = 0
        while rounds < 10_000 {
            rounds += 1
            var progressed = false
            progressed = establishCRDs() || progressed
            progressed = collectGarbage() || progressed
            progressed = finishForegroundAndOrphanDeletions() || progressed
            progressed = terminateNamespaces() || progressed
            progressed = cleanUpDeletedCRDs() || progressed
            progressed = aggregateClusterRoles() || progressed
            if !progressed { return }
        }
    }

    private var crdDescriptor: ResourceDescriptor { registry.lookup(ResourceRegistry.customResourceDefinitions)! }

    /// Registers every CRD's resource and marks it Established; unregisters removed ones.
    private func establishCRDs() -> Bool {
        guard customResourceDefinitionsChanged else { return false }
        customResourceDefinitionsChanged = false
        var progressed = false
        let crds = tables[ResourceRegistry.customResourceDefinitions]?.objects ?? [:]
        var served: Set<ResourceID> = []
        for (key, crd) in crds.sorted(by: { $0.key < $1.key }) {
            guard let (descriptor, strategy) = CRDStrategy.descriptor(for: crd.object) else { continue }
            served.insert(descriptor.id)
            let existing = registry.lookup(descriptor.id)
            if existing?.definedByCRD != nil || existing == nil {
                if existing.map({ $0.type != descriptor.type || $0.schema != descriptor.schema || $0.columns.map(\.name) != descriptor.columns.map(\.name) || $0.shortNames != descriptor.shortNames || $0.hasStatusSubresource != descriptor.hasStatusSubresource || $0.categories != descriptor.categories }) ?? true {
                    registry.register(descriptor, strategy: strategy)
                }
            }
            var status = crd.object["status"]?.objectValue ?? [:]
            let names = crd.object.value(at: ["spec", "names"]) ?? [:]
            let storage = descriptor.type.version
            var wanted = status
            wanted["acceptedNames"] = names
            var stored = status["storedVersions"]?.arrayValue ?? []
            if !stored.contains(.string(storage)) { stored.append(.string(storage)) }
            wanted["storedVersions"] = .array(stored)
            let hasConditions = (status["conditions"]?.arrayValue ?? []).contains { $0["type"]?.stringValue == "Established" }
            if !hasConditions {
                let time = JSONValue.string(KubeTime(now()).rfc3339)
                wanted["conditions"] = [
                    ["type": "NamesAccepted", "status": "True", "reason": "NoConflicts", "message": "no conflicts found", "lastTransitionTime": time],
                    ["type": "Established", "status": "True", "reason": "InitialNamesAccepted", "message": "the initial names have been accepted", "lastTransitionTime": time],
                ]
            }
            if wanted != status {
                status = wanted
                var object = crd.object
                object["status"] = .object(status)
                commit(crdDescriptor, key: key, object: object, type: .modified, previous: crd.object)
                progressed = true
            }
        }
        for descriptor in registry.all where descriptor.definedByCRD != nil && !served.contains(descriptor.id) {
            registry.unregister(descriptor.id)
            tables[descriptor.id] = nil
            progressed = true
        }
        return progressed
    }

    /// Background deletion of dependents whose owners are all gone; dangling owner
    /// references to a gone owner are removed when other owners remain.
    private func collectGarbage() -> Bool {
        var progressed = false
        if !orphanedDependents.isEmpty {
            let candidates = orphanedDependents
            orphanedDependents.removeAll()
            for (resourceID, key) in candidates {
                guard let resource = registry.lookup(resourceID), let dependent = tables[resourceID]?.objects[key],
                    !dependent.isTerminating, dependent.ownerUIDs.allSatisfy({ objectsByUID[$0] == nil })
                else { continue }
                _ = try? deleteObject(resource, key: key, policy: .background)
                progressed = true
            }
        }
        guard !pendingRemovals.isEmpty else { return progressed }
        let removed = pendingRemovals
        pendingRemovals.removeAll()
        for (_, object) in removed {
            let ownerUID = object.uid
            for dependentUID in (dependentsByOwner[ownerUID] ?? []).sorted() {
                guard let (resourceID, key) = objectsByUID[dependentUID], let resource = registry.lookup(resourceID),
                    let dependent = tables[resourceID]?.objects[key]
                else { continue }
                let liveOwners = dependent.ownerUIDs.filter { $0 != ownerUID && objectsByUID[$0] != nil }
                if liveOwners.isEmpty {
                    if !dependent.isTerminating { _ = try? deleteObject(resource, key: key, policy: .background) }
                } else {
                    var patched = dependent.object
                    let refs = (dependent.metadata["ownerReferences"]?.arrayValue ?? []).filter { $0["uid"]?.stringValue != ownerUID }
                    patched.set(.array(refs), at: ["metadata", "ownerReferences"])
                    commit(resource, key: key, object: patched, type: .modified, previous: dependent.object)
                }
            }
            dependentsByOwner[ownerUID] = nil
        }
        return true
    }

    /// Owners deleted with `Foreground` wait for their dependents; with `Orphan` they
    /// first release them.
    private func finishForegroundAndOrphanDeletions() -> Bool {
        var progressed = false
        for ownerUID in awaitingDependents.sorted() {
            guard let (resourceID, key) = objectsByUID[ownerUID], let resource = registry.lookup(resourceID),
                let object = tables[resourceID]?.objects[key]
            else { continue }
            do {
                let finalizers = object.finalizers
                let dependents = (dependentsByOwner[object.uid] ?? []).sorted()
                if finalizers.contains("orphan") {
                    for uid in dependents {
                        guard let (depResourceID, depKey) = objectsByUID[uid], let depResource = registry.lookup(depResourceID),
                            let dependent = tables[depResourceID]?.objects[depKey]
                        else { continue }
                        var patched = dependent.object
                        let refs = (dependent.metadata["ownerReferences"]?.arrayValue ?? []).filter { $0["uid"]?.stringValue != object.uid }
                        patched.set(refs.isEmpty ? nil : .array(refs), at: ["metadata", "ownerReferences"])
                        commit(depResource, key: depKey, object: patched, type: .modified, previous: dependent.object)
                    }
                    removeFinalizer("orphan", from: resource, key: key)
                    progressed = true
                } else if finalizers.contains("foregroundDeletion") {
                    var waiting = false
                    for uid in dependents {
                        guard let (depResourceID, depKey) = objectsByUID[uid], let depResource = registry.lookup(depResourceID),
                            let dependent = tables[depResourceID]?.objects[depKey]
                        else { continue }
                        waiting = true
                        if !dependent.isTerminating {
                            _ = try? deleteObject(depResource, key: depKey, policy: .foreground)
                            progressed = true
                        }
                    }
                    if !waiting {
                        removeFinalizer("foregroundDeletion", from: resource, key: key)
                        progressed = true
                    }
                }
            }
        }
        return progressed
    }

    /// Removes a finalizer; the object goes when it was the last one of a terminating object.
    func removeFinalizer(_ finalizer: String, from resource: ResourceDescriptor, key: ObjectKey) {
        guard let current = tables[resource.storageID]?.objects[key] else { return }
        let remaining = current.finalizers.filter { $0 != finalizer }
        var object = current.object
        object.set(remaining.isEmpty ? nil : .array(remaining.map(JSONValue.string)), at: ["metadata", "finalizers"])
        if remaining.isEmpty && current.isTerminating {
            remove(resource, key: key, lastState: StoredObject(object, resourceVersion: current.resourceVersion))
        } else {
            commit(resource, key: key, object: object, type: .modified, previous: current.object)
        }
    }

    /// Deletes the contents of terminating namespaces, then the namespaces once empty.
    private func terminateNamespaces() -> Bool {
        var progressed = false
        let namespaces = registry.namespaces
        for name in terminatingNamespaces.sorted() {
            let key = ObjectKey(namespace: "", name: name)
            guard let ns = tables[ResourceRegistry.namespaces]?.objects[key], ns.isTerminating else { continue }
            if objectCountByNamespace[key.name, default: 0] > 0 && !sweptNamespaces.contains(key.name) {
                // No new content can be created in a terminating namespace, so one sweep suffices.
                sweptNamespaces.insert(key.name)
                for descriptor in registry.all where descriptor.namespaced && !descriptor.isVirtual {
                    for (objectKey, object) in tables[descriptor.id]?.objects ?? [:] where objectKey.namespace == key.name && !object.isTerminating {
                        _ = try? deleteObject(descriptor, key: objectKey, policy: .background)
                        progressed = true
                    }
                }
            }
            if objectCountByNamespace[key.name, default: 0] > 0 {
                // Content held by finalizers: the namespace says what remains.
                if let current = tables[ResourceRegistry.namespaces]?.objects[key], updateNamespaceConditions(current, key: key) {
                    progressed = true
                }
            }
            if objectCountByNamespace[key.name, default: 0] == 0 {
                var object = ns.object
                object.set(nil, at: ["spec", "finalizers"])
                // Progress only when something was written: a namespace held by a
                // metadata finalizer waits here without spinning the controllers.
                if ns.finalizers.isEmpty {
                    remove(namespaces, key: key, lastState: StoredObject(object, resourceVersion: ns.resourceVersion))
                    objectCountByNamespace[key.name] = nil
                    sweptNamespaces.remove(key.name)
                    progressed = true
                } else if ns.object.value(at: ["spec", "finalizers"]) != nil {
                    commit(namespaces, key: key, object: object, type: .modified, previous: ns.object)
                    progressed = true
                }
            }
        }
        return progressed
    }

    /// A deleted CRD takes its custom resources with it, then releases its finalizer.
    private func cleanUpDeletedCRDs() -> Bool {
        var progressed = false
        for (key, crd) in tables[ResourceRegistry.customResourceDefinitions]?.objects ?? [:]
        where crd.isTerminating && crd.finalizers.contains(CRDStrategy.cleanupFinalizer) {
            if let (descriptor, _) = CRDStrategy.descriptor(for: crd.object), let registered = registry.lookup(descriptor.id) {
                let remaining = tables[registered.id]?.objects ?? [:]
                for (objectKey, object) in remaining where !object.isTerminating {
                    _ = try? deleteObject(registered, key: objectKey, policy: .background)
                    progressed = true
                }
                if !(tables[registered.id]?.objects.isEmpty ?? true) { continue }
            }
            removeFinalizer(CRDStrategy.cleanupFinalizer, from: crdDescriptor, key: key)
            progressed = true
        }
        return progressed
    }
}
