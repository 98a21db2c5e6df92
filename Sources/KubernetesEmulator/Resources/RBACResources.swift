import KubeAPI

/// The `rbac.authorization.k8s.io/v1` types (stored like any built-in) and the review
/// APIs of `authorization.k8s.io/v1` and `authentication.k8s.io/v1` (create-only, not
/// stored), registered beside the other built-ins.
extension ResourceRegistry {
    static let rbacGroup = "rbac.authorization.k8s.io"
    static let roles = ResourceID(group: rbacGroup, plural: "roles")
    static let clusterRoles = ResourceID(group: rbacGroup, plural: "clusterroles")
    static let roleBindings = ResourceID(group: rbacGroup, plural: "rolebindings")
    static let clusterRoleBindings = ResourceID(group: rbacGroup, plural: "clusterrolebindings")
    static let tokenReviews = ResourceID(group: "authentication.k8s.io", plural: "tokenreviews")
    static let selfSubjectReviews = ResourceID(group: "authentication.k8s.io", plural: "selfsubjectreviews")
    static let selfSubjectAccessReviews = ResourceID(group: "authorization.k8s.io", plural: "selfsubjectaccessreviews")
    static let subjectAccessReviews = ResourceID(group: "authorization.k8s.io", plural: "subjectaccessreviews")
    static let selfSubjectRulesReviews = ResourceID(group: "authorization.k8s.io", plural: "selfsubjectrulesreviews")
    static let localSubjectAccessReviews = ResourceID(group: "authorization.k8s.io", plural: "localsubjectaccessreviews")

    mutating func registerRBAC() {
        let created = Columns.timestamp("Created At", ["metadata", "creationTimestamp"])
        for (plural, kind, namespaced) in [("roles", "Role", true), ("clusterroles", "ClusterRole", false)] {
            register(
                ResourceDescriptor(
                    type: ResourceType(group: Self.rbacGroup, version: "v1", plural: plural, kind: kind, namespaced: namespaced),
                    singular: kind.lowercased(), columns: [Columns.name, created],
                    description: "\(kind) is a logical grouping of PolicyRules that can be referenced as a unit by a binding."),
                strategy: RoleStrategy(namespaced: namespaced))
        }
        let roleColumn = TableColumn(name: "Role") { object, _ in
            let kind = object.value(at: ["roleRef", "kind"])?.stringValue ?? ""
            return .string("\(kind)/\(object.value(at: ["roleRef", "name"])?.stringValue ?? "")")
        }
        for (plural, kind, namespaced) in [("rolebindings", "RoleBinding", true), ("clusterrolebindings", "ClusterRoleBinding", false)] {
            register(
                ResourceDescriptor(
                    type: ResourceType(group: Self.rbacGroup, version: "v1", plural: plural, kind: kind, namespaced: namespaced),
                    singular: kind.lowercased(), columns: [Columns.name, roleColumn, Columns.age],
                    description: "\(kind) references a role, but does not contain it."),
                strategy: RoleBindingStrategy(namespaced: namespaced))
        }
        for (group, plural, kind, namespaced, text) in [
            ("authentication.k8s.io", "selfsubjectreviews", "SelfSubjectReview", false,
             "SelfSubjectReview contains the user information that the kube-apiserver has about the user making this request."),
            ("authorization.k8s.io", "selfsubjectaccessreviews", "SelfSubjectAccessReview", false,
             "SelfSubjectAccessReview checks whether or the current user can perform an action."),
            ("authorization.k8s.io", "selfsubjectrulesreviews", "SelfSubjectRulesReview", false,
             "SelfSubjectRulesReview enumerates the set of actions the current user can perform within a namespace."),
            ("authorization.k8s.io", "subjectaccessreviews", "SubjectAccessReview", false,
             "SubjectAccessReview checks whether or not a user or group can perform an action."),
            ("authorization.k8s.io", "localsubjectaccessreviews", "LocalSubjectAccessReview", true,
             "LocalSubjectAccessReview checks whether or not a user or group can perform an action in a given namespace."),
        ] {
            register(
                ResourceDescriptor(
                    type: ResourceType(group: group, version: "v1", plural: plural, kind: kind, namespaced: namespaced),
                    singular: kind.lowercased(), verbs: ["create"], isVirtual: true, description: text),
                strategy: BuiltinStrategy(knownMembers: nil))
        }
    }
}
