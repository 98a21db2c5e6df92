import Foundation
import JSONCore
import KubeAPI

/// Bookkeeping behind every write: resourceVersions, the uid and owner indexes, the
/// controllers' work lists, and the watch events.
extension ClusterStore {

    /// Stores an object under the next resourceVersion, updates indexes and notifies watchers.
    @discardableResult
    func commit(_ resource: ResourceDescriptor, key: ObjectKey, object: JSONObject, type: WatchEventType, previous: JSONObject?) -> StoredObject {
        currentResourceVersion += 1
        var object = resource.stored(object)
        let previous = previous.map(resource.stored)
        object.set(.string(String(currentResourceVersion)), at: ["metadata", "resourceVersion"])
        let stored = StoredObject(object, resourceVersion: currentResourceVersion)
        // Mutated in place: copying the table out and back would copy every object on each write.
        let old = tables[resource.storageID]?.objects[key]
        tables[resource.storageID, default: ResourceTable()].put(key, stored)
        if let old { unindex(old, resource: resource.storageID, key: key) }
        index(stored, resource: resource.storageID, key: key)
        if old == nil && !key.namespace.isEmpty { objectCountByNamespace[key.namespace, default: 0] += 1 }
        // A dependent whose owners are all gone (e.g. created by a controller that had not
        // yet seen its owner's deletion) is collected, as kube-controller-manager's GC does.
        let owners = stored.ownerUIDs
        if !owners.isEmpty && !stored.isTerminating && owners.allSatisfy({ objectsByUID[$0] == nil }) {
            orphanedDependents.append((resource.storageID, key))
        }
        publish(ChangeEvent(resourceVersion: currentResourceVersion, resource: resource.storageID, type: type, key: key, object: stored, previous: previous))
        return stored
    }

    /// Removes an object for good and notifies watchers with its last state.
    func remove(_ resource: ResourceDescriptor, key: ObjectKey, lastState: StoredObject) {
        guard let old = tables[resource.storageID]?.objects[key] else { return }
        tables[resource.storageID]?.remove(key)
        unindex(old, resource: resource.storageID, key: key)
        if !key.namespace.isEmpty { objectCountByNamespace[key.namespace, default: 1] -= 1 }
        currentResourceVersion += 1
        var object = resource.stored(lastState.object)
        object.set(.string(String(currentResourceVersion)), at: ["metadata", "resourceVersion"])
        let final = StoredObject(object, resourceVersion: currentResourceVersion)
        publish(ChangeEvent(resourceVersion: currentResourceVersion, resource: resource.storageID, type: .deleted, key: key, object: final, previous: old.object))
        pendingRemovals.append((resource, final))
    }

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
        if resource.group == ResourceRegistry.rbacGroup { rbacPolicyCache = nil }
        if resource == ResourceRegistry.clusterRoles { clusterRolesChanged = true }
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
}
