import Foundation
import JSONCore
import KubeAPI

/// The store's side of RBAC: the default roles a new cluster has, the policy the
/// authorizer reads (rebuilt only after an RBAC object changed), and the ClusterRole
/// aggregation controller.
extension ClusterStore {
    /// Creates the default ClusterRoles and ClusterRoleBindings (kube-apiserver's
    /// bootstrap policy), then lets aggregation fill admin, edit and view.
    func bootstrapRBAC() throws {
        for (id, objects) in [
            (ResourceRegistry.clusterRoles, BootstrapPolicy.clusterRoles),
            (ResourceRegistry.clusterRoleBindings, BootstrapPolicy.clusterRoleBindings),
        ] {
            guard let descriptor = registry.lookup(id) else { continue }
            for object in objects { _ = try create(descriptor, namespace: nil, body: object, options: WriteOptions()) }
        }
    }

    /// Every Role, ClusterRole and binding, indexed for the authorizer.
    func rbacPolicy() -> RBACPolicy {
        if let rbacPolicyCache { return rbacPolicyCache }
        var policy = RBACPolicy()
        for (key, stored) in tables[ResourceRegistry.roles]?.objects ?? [:] {
            policy.roles[key.namespace, default: [:]][key.name] = RBACPolicy.rules(of: stored.object)
        }
        for (key, stored) in tables[ResourceRegistry.clusterRoles]?.objects ?? [:] {
            policy.clusterRoles[key.name] = RBACPolicy.rules(of: stored.object)
        }
        for (key, stored) in (tables[ResourceRegistry.roleBindings]?.objects ?? [:]).sorted(by: { $0.key < $1.key }) {
            policy.roleBindings[key.namespace, default: []].append(RBACBinding(json: stored.object, namespace: key.namespace))
        }
        policy.clusterRoleBindings = (tables[ResourceRegistry.clusterRoleBindings]?.objects ?? [:])
            .sorted(by: { $0.key < $1.key }).map { RBACBinding(json: $0.value.object, namespace: nil) }
        rbacPolicyCache = policy
        return policy
    }

    /// Brings every aggregated ClusterRole's rules up to date.
    func aggregateClusterRoles() -> Bool {
        guard clusterRolesChanged, let descriptor = registry.lookup(ResourceRegistry.clusterRoles) else { return false }
        clusterRolesChanged = false
        let all = (tables[ResourceRegistry.clusterRoles]?.objects ?? [:]).map { (key: $0.key, object: $0.value.object) }
        let named = all.map { (name: $0.key.name, object: $0.object) }
        var progressed = false
        for (key, object) in all.sorted(by: { $0.key < $1.key }) {
            guard let wanted = ClusterRoleAggregation.aggregatedRules(for: object, among: named) else { continue }
            let rules = JSONValue.array(wanted.map(\.json))
            if object["rules"] == rules { continue }
            var updated = object
            updated["rules"] = rules
            commit(descriptor, key: key, object: updated, type: .modified, previous: object)
            progressed = true
        }
        return progressed
    }
}
