import JSONCore
import KubeAPI

/// The conditions kube-controller-manager's namespace deleter writes on a terminating
/// namespace whose content is not gone yet: which resources remain and which finalizers
/// hold them, worded as it words them (`Some resources are remaining: configmaps. has 1
/// resource instances`), and the "ok" variant of the other three condition types.
extension ClusterStore {
    static let namespaceConditionTypes = [
        "NamespaceDeletionDiscoveryFailure", "NamespaceDeletionGroupVersionParsingFailure", "NamespaceDeletionContentFailure",
        "NamespaceContentRemaining", "NamespaceFinalizersRemaining",
    ]

    private static let settledConditions: [String: (reason: String, message: String)] = [
        "NamespaceDeletionDiscoveryFailure": ("ResourcesDiscovered", "All resources successfully discovered"),
        "NamespaceDeletionGroupVersionParsingFailure": ("ParsedGroupVersions", "All legacy kube types successfully parsed"),
        "NamespaceDeletionContentFailure": ("ContentDeleted", "All content successfully deleted, may be waiting on finalization"),
        "NamespaceContentRemaining": ("ContentRemoved", "All content successfully removed"),
        "NamespaceFinalizersRemaining": ("ContentHasNoFinalizers", "All content-preserving finalizers finished"),
    ]

    /// Writes the conditions of terminating namespace `key` from what it still holds;
    /// true when they changed (a condition's time changes only with its status).
    func updateNamespaceConditions(_ namespace: StoredObject, key: ObjectKey) -> Bool {
        var remainingResources: [String] = []
        var byFinalizer: [String: Int] = [:]
        for descriptor in registry.all where descriptor.namespaced && !descriptor.isVirtual && descriptor.view == nil {
            let objects = (tables[descriptor.id]?.objects ?? [:]).filter { $0.key.namespace == key.name }
            guard !objects.isEmpty else { continue }
            remainingResources.append("\(descriptor.plural).\(descriptor.group) has \(objects.count) resource instances")
            for object in objects.values {
                for finalizer in object.finalizers { byFinalizer[finalizer, default: 0] += 1 }
            }
        }
        var wanted: [String: (status: String, reason: String, message: String)] = [:]
        if !remainingResources.isEmpty {
            wanted["NamespaceContentRemaining"] = ("True", "SomeResourcesRemain", "Some resources are remaining: " + remainingResources.sorted().joined(separator: ", "))
        }
        if !byFinalizer.isEmpty {
            let list = byFinalizer.map { "\($0.key) in \($0.value) resource instances" }.sorted().joined(separator: ", ")
            wanted["NamespaceFinalizersRemaining"] = ("True", "SomeFinalizersRemain", "Some content in the namespace has finalizers remaining: " + list)
        }
        let now = JSONValue.string(KubeTime(self.now()).rfc3339)
        var conditions = namespace.object.value(at: ["status", "conditions"])?.arrayValue ?? []
        var changed = false
        for type in Self.namespaceConditionTypes {
            let settled = Self.settledConditions[type]!
            let target = wanted[type] ?? ("False", settled.reason, settled.message)
            if let index = conditions.firstIndex(where: { $0["type"]?.stringValue == type }), case .object(var old) = conditions[index] {
                guard old["status"]?.stringValue != target.status || old["reason"]?.stringValue != target.reason
                    || old["message"]?.stringValue != target.message
                else { continue }
                if old["status"]?.stringValue != target.status { old["lastTransitionTime"] = now }
                old["status"] = .string(target.status)
                old["reason"] = .string(target.reason)
                old["message"] = .string(target.message)
                conditions[index] = .object(old)
            } else {
                conditions.append([
                    "type": .string(type), "status": .string(target.status), "lastTransitionTime": now,
                    "reason": .string(target.reason), "message": .string(target.message),
                ])
            }
            changed = true
        }
        guard changed else { return false }
        var object = namespace.object
        object.set(.array(conditions), at: ["status", "conditions"])
        commit(registry.namespaces, key: key, object: object, type: .modified, previous: namespace.object)
        return true
    }
}
