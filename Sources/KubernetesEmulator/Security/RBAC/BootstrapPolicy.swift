import JSONCore

/// The ClusterRoles and ClusterRoleBindings a new kube-apiserver creates (its
/// `rbac/bootstrap-roles` post-start hook), reduced to the resources the emulator serves
/// and the ones users expect to bind: cluster-admin, the aggregated admin/edit/view with
/// their `system:aggregate-to-*` parts, system:auth-delegator, and the discovery roles
/// bound to the groups kube-apiserver binds them to.
enum BootstrapPolicy {
    static let aggregateLabelPrefix = "rbac.authorization.k8s.io/aggregate-to-"

    private static let read = ["get", "list", "watch"]
    private static let write = ["create", "delete", "deletecollection", "patch", "update"]

    /// The ClusterRoles, as stored.
    static var clusterRoles: [JSONObject] {
        [
            clusterRole("cluster-admin", rules: [
                PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"]),
                PolicyRule(verbs: ["*"], nonResourceURLs: ["*"]),
            ]),
            aggregated("admin", selecting: "admin"),
            aggregated("edit", selecting: "edit", labels: ["admin"]),
            aggregated("view", selecting: "view", labels: ["admin", "edit"]),
            clusterRole("system:aggregate-to-admin", aggregateTo: ["admin"], rules: [
                PolicyRule(verbs: read + write, apiGroups: ["rbac.authorization.k8s.io"], resources: ["rolebindings", "roles"]),
                PolicyRule(verbs: ["create"], apiGroups: ["authorization.k8s.io"], resources: ["localsubjectaccessreviews"]),
            ]),
            clusterRole("system:aggregate-to-edit", aggregateTo: ["admin", "edit"], rules: [
                PolicyRule(verbs: ["create", "delete", "deletecollection", "patch", "update"], apiGroups: [""],
                    resources: ["configmaps", "events", "persistentvolumeclaims", "pods", "replicationcontrollers",
                                "replicationcontrollers/scale", "secrets", "serviceaccounts", "services", "services/proxy", "endpoints"]),
                PolicyRule(verbs: ["create"], apiGroups: [""], resources: ["serviceaccounts/token"]),
                PolicyRule(verbs: ["create", "delete", "deletecollection", "patch", "update"], apiGroups: ["apps"],
                    resources: ["daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets",
                                "replicasets/scale", "statefulsets", "statefulsets/scale"]),
                PolicyRule(verbs: read, apiGroups: [""], resources: ["secrets"]),
                PolicyRule(verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
                    apiGroups: ["coordination.k8s.io"], resources: ["leases"]),
            ]),
            clusterRole("system:aggregate-to-view", aggregateTo: ["admin", "edit", "view"], rules: [
                PolicyRule(verbs: read, apiGroups: [""],
                    resources: ["configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "pods",
                                "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services",
                                "services/status", "bindings", "events", "limitranges", "namespaces/status", "pods/log",
                                "pods/status", "replicationcontrollers/status", "resourcequotas", "resourcequotas/status"]),
                PolicyRule(verbs: read, apiGroups: [""], resources: ["namespaces"]),
                PolicyRule(verbs: read, apiGroups: ["apps"],
                    resources: ["controllerrevisions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale",
                                "deployments/status", "replicasets", "replicasets/scale", "replicasets/status", "statefulsets",
                                "statefulsets/scale", "statefulsets/status"]),
                PolicyRule(verbs: read, apiGroups: ["events.k8s.io"], resources: ["events"]),
            ]),
            clusterRole("system:auth-delegator", rules: [
                PolicyRule(verbs: ["create"], apiGroups: ["authentication.k8s.io"], resources: ["tokenreviews"]),
                PolicyRule(verbs: ["create"], apiGroups: ["authorization.k8s.io"], resources: ["subjectaccessreviews"]),
            ]),
            clusterRole("system:basic-user", rules: [
                PolicyRule(verbs: ["create"], apiGroups: ["authentication.k8s.io"], resources: ["selfsubjectreviews"]),
                PolicyRule(verbs: ["create"], apiGroups: ["authorization.k8s.io"], resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]),
            ]),
            clusterRole("system:discovery", rules: [
                PolicyRule(verbs: ["get"], nonResourceURLs: [
                    "/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz",
                    "/version", "/version/",
                ]),
            ]),
            clusterRole("system:public-info-viewer", rules: [
                PolicyRule(verbs: ["get"], nonResourceURLs: ["/healthz", "/livez", "/readyz", "/version", "/version/"]),
            ]),
            clusterRole("system:service-account-issuer-discovery", rules: [
                PolicyRule(verbs: ["get"], nonResourceURLs: ["/.well-known/openid-configuration", "/.well-known/openid-configuration/", "/openid/v1/jwks", "/openid/v1/jwks/"]),
            ]),
        ]
    }

    static var clusterRoleBindings: [JSONObject] {
        [
            binding("cluster-admin", groups: [UserInfo.mastersGroup]),
            binding("system:basic-user", groups: ["system:authenticated"]),
            binding("system:discovery", groups: ["system:authenticated"]),
            binding("system:public-info-viewer", groups: ["system:authenticated", "system:unauthenticated"]),
            binding("system:service-account-issuer-discovery", groups: ["system:serviceaccounts"]),
        ]
    }

    private static var bootstrapMetadata: JSONObject {
        [
            "labels": ["kubernetes.io/bootstrapping": "rbac-defaults"],
            "annotations": ["rbac.authorization.kubernetes.io/autoupdate": "true"],
        ]
    }

    private static func clusterRole(_ name: String, aggregateTo: [String] = [], rules: [PolicyRule]) -> JSONObject {
        var metadata = bootstrapMetadata
        metadata["name"] = .string(name)
        for target in aggregateTo { metadata.set("true", at: ["labels", aggregateLabelPrefix + target]) }
        return [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": .object(metadata),
            "rules": .array(rules.map(\.json)),
        ]
    }

    /// A ClusterRole whose rules the aggregation controller fills from the ClusterRoles
    /// labelled `aggregate-to-<selecting>`; itself labelled to aggregate into `labels`.
    private static func aggregated(_ name: String, selecting: String, labels: [String] = []) -> JSONObject {
        var role = clusterRole(name, aggregateTo: labels, rules: [])
        role["aggregationRule"] = ["clusterRoleSelectors": [["matchLabels": .object([aggregateLabelPrefix + selecting: "true"])]]]
        return role
    }

    private static func binding(_ name: String, groups: [String]) -> JSONObject {
        var metadata = bootstrapMetadata
        metadata["name"] = .string(name)
        return [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": .object(metadata),
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": .string(name)],
            "subjects": .array(groups.map { ["apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": .string($0)] }),
        ]
    }
}
