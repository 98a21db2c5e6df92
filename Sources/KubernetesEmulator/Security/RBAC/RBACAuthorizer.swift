/// Which binding and rule allowed a request: what SubjectAccessReview's reason words and
/// what the emulator's authorization log records.
struct RBACGrant: Sendable, Equatable {
    var binding: RBACBinding
    var subject: RBACSubject
    /// Index of the rule in the role's `rules`.
    var ruleIndex: Int
    var rule: PolicyRule

    /// `RBAC: allowed by RoleBinding "reader/conf-rbac" of Role "cm-reader" to ServiceAccount "reader/conf-rbac"`.
    var reason: String {
        let binding = self.binding.namespace.map { "\(self.binding.name)/\($0)" } ?? self.binding.name
        return "RBAC: allowed by \(self.binding.kind) \"\(binding)\" of \(self.binding.roleKind) \"\(self.binding.roleName)\" to \(subject.describedForReason)"
    }
}

/// An authorizer's answer.
struct AuthorizationDecision: Sendable, Equatable {
    var allowed: Bool
    /// Why: the grant's wording when allowed by RBAC; on a denial, RBAC's errors (roles
    /// that bindings name but that do not exist), or empty.
    var reason: String
    var grant: RBACGrant?
    /// Allowed because the user is in `system:masters`, before RBAC is asked.
    var privileged = false
}

/// kube-apiserver's authorizer chain as the emulator configures it: the privileged
/// group (`system:masters`) first, then RBAC. Pure: attributes and policy in, decision
/// out; it reads nothing else.
enum RBACAuthorizer {
    static func authorize(_ attributes: RequestAttributes, policy: RBACPolicy) -> AuthorizationDecision {
        if attributes.user.isPrivileged { return AuthorizationDecision(allowed: true, reason: "", privileged: true) }
        var errors: [String] = []
        // ClusterRoleBindings first, then the RoleBindings of the request's namespace.
        var bindings = policy.clusterRoleBindings
        if !attributes.namespace.isEmpty { bindings += policy.roleBindings[attributes.namespace] ?? [] }
        for binding in bindings {
            guard let subject = binding.subjects.first(where: { applies($0, to: attributes.user, bindingNamespace: binding.namespace) }) else { continue }
            guard let rules = rules(of: binding, policy: policy) else {
                let kind = binding.roleKind == "Role" ? "role" : "clusterrole"
                errors.append("\(kind).rbac.authorization.k8s.io \"\(binding.roleName)\" not found")
                continue
            }
            if let index = rules.firstIndex(where: { allows($0, attributes) }) {
                let grant = RBACGrant(binding: binding, subject: subject, ruleIndex: index, rule: rules[index])
                return AuthorizationDecision(allowed: true, reason: grant.reason, grant: grant)
            }
        }
        let reason = errors.isEmpty ? "" : "RBAC: " + (errors.count == 1 ? errors[0] : "[" + errors.joined(separator: ", ") + "]")
        return AuthorizationDecision(allowed: false, reason: reason)
    }

    /// Every rule granted to `user` in `namespace` (ClusterRoleBindings, then the namespace's
    /// RoleBindings), as SelfSubjectRulesReview lists them; `incomplete` when a bound role is missing.
    static func rules(for user: UserInfo, namespace: String, policy: RBACPolicy) -> (rules: [PolicyRule], incomplete: Bool) {
        var bindings = policy.clusterRoleBindings
        if !namespace.isEmpty { bindings += policy.roleBindings[namespace] ?? [] }
        var rules: [PolicyRule] = []
        var incomplete = false
        for binding in bindings where binding.subjects.contains(where: { applies($0, to: user, bindingNamespace: binding.namespace) }) {
            guard let granted = self.rules(of: binding, policy: policy) else {
                incomplete = true
                continue
            }
            rules += granted
        }
        return (rules, incomplete)
    }

    /// The rules a binding grants; nil when the role it names does not exist.
    static func rules(of binding: RBACBinding, policy: RBACPolicy) -> [PolicyRule]? {
        switch (binding.roleKind, binding.namespace) {
        case ("ClusterRole", _): return policy.clusterRoles[binding.roleName]
        case ("Role", let namespace?): return policy.roles[namespace]?[binding.roleName]
        default: return nil
        }
    }

    /// Whether a subject names the user (a ServiceAccount subject without a namespace, in
    /// a RoleBinding, means one of the binding's namespace).
    static func applies(_ subject: RBACSubject, to user: UserInfo, bindingNamespace: String?) -> Bool {
        switch subject.kind {
        case "User": return subject.name == user.name
        case "Group": return user.groups.contains(subject.name)
        case "ServiceAccount":
            let namespace = subject.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? bindingNamespace ?? ""
            return user.name == "system:serviceaccount:\(namespace):\(subject.name)"
        default: return false
        }
    }

    static func allows(_ rule: PolicyRule, _ a: RequestAttributes) -> Bool {
        guard matches(rule.verbs, a.verb) else { return false }
        guard a.isResourceRequest else {
            return rule.nonResourceURLs.contains { url in
                url == "*" || url == a.path || (url.hasSuffix("*") && a.path.hasPrefix(String(url.dropLast())))
            }
        }
        guard matches(rule.apiGroups, a.apiGroup) else { return false }
        let combined = a.resourceAndSubresource
        let resourceMatches = rule.resources.contains { r in
            if r == "*" || r == combined { return true }
            // `*/status` is every resource's status; `pods/*` every subresource of pods.
            if !a.subresource.isEmpty {
                if r == "*/\(a.subresource)" { return true }
                if r == "\(a.resource)/*" { return true }
            }
            return false
        }
        guard resourceMatches else { return false }
        return rule.resourceNames.isEmpty || rule.resourceNames.contains(a.name)
    }

    private static func matches(_ allowed: [String], _ value: String) -> Bool {
        allowed.contains("*") || allowed.contains(value)
    }
}
