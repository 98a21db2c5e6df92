import JSONCore
import KubeAPI

/// kube-apiserver's `OwnerReferencesPermissionEnforcement` admission plugin (off by
/// default upstream; on in OpenShift), which the emulator runs when
/// ``KubernetesEmulator/Configuration/ownerReferencesPermissionEnforcement`` is set:
/// - changing an object's `ownerReferences` (except on create) needs `delete` on the object;
/// - a new reference with `blockOwnerDeletion: true`, or one switched to true, needs
///   `update` on the owner's `finalizers` subresource (so a user cannot stop the deletion
///   of an object they cannot finalize).
///
/// This is the pure part: which references changed, and what must be asked of RBAC.
enum OwnerReferencesAdmission {
    /// One owner reference, as the plugin compares them.
    struct Reference: Equatable {
        var apiVersion: String
        var kind: String
        var name: String
        var uid: String
        var blocksOwnerDeletion: Bool
        var raw: JSONValue

        init(_ value: JSONValue) {
            apiVersion = value["apiVersion"]?.stringValue ?? ""
            kind = value["kind"]?.stringValue ?? ""
            name = value["name"]?.stringValue ?? ""
            uid = value["uid"]?.stringValue ?? ""
            blocksOwnerDeletion = value["blockOwnerDeletion"]?.boolValue ?? false
            raw = value
        }
    }

    static func references(of object: JSONObject?) -> [Reference] {
        object?.value(at: ["metadata", "ownerReferences"])?.arrayValue?.map(Reference.init) ?? []
    }

    /// Whether the write changes `ownerReferences` at all (a create: whether it has any).
    static func isChanging(new: JSONObject, old: JSONObject?) -> Bool {
        let after = references(of: new)
        guard let old else { return !after.isEmpty }
        return after.map(\.raw) != references(of: old).map(\.raw)
    }

    /// The references that block their owner's deletion now and did not before (matched by uid).
    static func newBlockingReferences(new: JSONObject, old: JSONObject?) -> [Reference] {
        let before = Dictionary(references(of: old).map { ($0.uid, $0.blocksOwnerDeletion) }, uniquingKeysWith: { first, _ in first })
        return references(of: new).filter { $0.blocksOwnerDeletion && before[$0.uid] != true }
    }

    /// The plugin's denials, worded as kube-apiserver's admission.NewForbidden words them
    /// (`<resource> "<name>" is forbidden: <why>`; RBAC gives no reason or error, hence `: , <nil>`).
    static func forbidden(_ resource: ResourceDescriptor, name: String, _ why: String) -> APIError {
        let subject = name.isEmpty ? resource.qualifiedName : "\(resource.qualifiedName) \"\(name)\""
        return APIError(
            code: 403, reason: "Forbidden", message: "\(subject) is forbidden: \(why)",
            details: StatusDetails(name: name.isEmpty ? nil : name, group: resource.statusGroup, kind: resource.plural))
    }

    static let cannotDelete = "cannot set an ownerRef on a resource you can't delete: , <nil>"
    static let cannotFinalize = "cannot set blockOwnerDeletion if an ownerReference refers to a resource you can't set finalizers on: , <nil>"
    static func noMapping(_ reference: Reference) -> String {
        "cannot set blockOwnerDeletion in this case because cannot find RESTMapping for APIVersion \(reference.apiVersion) Kind \(reference.kind): "
            + "no matches for kind \"\(reference.kind)\" in version \"\(reference.apiVersion)\""
    }
}

extension RequestAuthorization {
    /// Whether writes of `user` go through the owner-references plugin (the privileged
    /// group is allowed everything the plugin asks, so it is not asked).
    func checksOwnerReferences(by user: UserInfo) -> Bool {
        enabled && enforcesOwnerReferencePermissions && !user.isPrivileged
    }

    /// Runs the plugin for a write of `new` (replacing `old`; nil on create) to `resource`
    /// in `namespace`, and throws its 403. The checks it makes are recorded like requests.
    func checkOwnerReferences(
        by user: UserInfo, writing resource: ResourceDescriptor, subresource: String?, namespace: String?, new: JSONObject, old: JSONObject?
    ) async throws {
        guard checksOwnerReferences(by: user), OwnerReferencesAdmission.isChanging(new: new, old: old) else { return }
        let name = new.value(at: ["metadata", "name"])?.stringValue ?? ""
        if old != nil {
            let delete = RequestAttributes(
                user: user, verb: "delete", isResourceRequest: true, apiGroup: resource.group, apiVersion: resource.type.version,
                resource: resource.plural, subresource: subresource ?? "", namespace: namespace ?? "", name: name)
            if !(await decide(delete).allowed) {
                throw OwnerReferencesAdmission.forbidden(resource, name: name, OwnerReferencesAdmission.cannotDelete)
            }
        }
        let blocking = OwnerReferencesAdmission.newBlockingReferences(new: new, old: old)
        guard !blocking.isEmpty else { return }
        // One check first: may the user finalize anything at all?
        let anything = RequestAttributes(
            user: user, verb: "update", isResourceRequest: true, apiGroup: "*", apiVersion: "*", resource: "*", subresource: "finalizers", name: "*")
        if await decide(anything).allowed { return }
        let descriptors = await store.allDescriptors()
        for reference in blocking {
            let parts = reference.apiVersion.split(separator: "/", maxSplits: 1).map(String.init)
            let (group, version) = parts.count == 2 ? (parts[0], parts[1]) : ("", parts.first ?? "")
            let owners = descriptors.filter { $0.group == group && $0.type.version == version && $0.kind == reference.kind }
            guard !owners.isEmpty else {
                throw OwnerReferencesAdmission.forbidden(resource, name: name, OwnerReferencesAdmission.noMapping(reference))
            }
            for owner in owners {
                let finalize = RequestAttributes(
                    user: user, verb: "update", isResourceRequest: true, apiGroup: owner.group, apiVersion: owner.type.version,
                    resource: owner.plural, subresource: "finalizers", namespace: owner.namespaced ? namespace ?? "" : "", name: reference.name)
                if !(await decide(finalize).allowed) {
                    throw OwnerReferencesAdmission.forbidden(resource, name: name, OwnerReferencesAdmission.cannotFinalize)
                }
            }
        }
    }
}
