import JSONCore
import KubeAPI

/// Applies ``EscalationCheck`` to writes of RBAC objects, as kube-apiserver's RBAC
/// storage does: a Role or ClusterRole only with rules the writer holds (or the
/// `escalate` verb), a binding only to a role whose rules the writer holds (or the
/// `bind` verb). `system:masters` and a switched-off authorizer skip it.
extension RequestAuthorization {
    /// Whether writes of `resource` by `user` are checked.
    func checksEscalation(by user: UserInfo, writing resource: ResourceDescriptor) -> Bool {
        enabled && !user.isPrivileged && resource.group == ResourceRegistry.rbacGroup
    }

    func checkEscalation(by user: UserInfo, writing resource: ResourceDescriptor, namespace: String?, body: JSONObject) async throws {
        guard checksEscalation(by: user, writing: resource) else { return }
        let namespace = namespace ?? ""
        let name = body.value(at: ["metadata", "name"])?.stringValue ?? ""
        let policy = await store.rbacPolicy()
        func allowed(_ verb: String, _ plural: String, _ name: String) -> Bool {
            RBACAuthorizer.authorize(
                RequestAttributes(user: user, verb: verb, isResourceRequest: true, apiGroup: ResourceRegistry.rbacGroup, resource: plural, namespace: namespace, name: name),
                policy: policy
            ).allowed
        }
        func forbidden(_ why: String) -> APIError {
            APIError(
                code: 403, reason: "Forbidden", message: "\(resource.qualifiedName) \"\(name)\" is forbidden: \(why)",
                details: StatusDetails(name: name, group: ResourceRegistry.rbacGroup, kind: resource.plural))
        }
        let requested: [PolicyRule]
        switch resource.plural {
        case "roles", "clusterroles":
            if allowed("escalate", resource.plural, name) { return }
            if body["aggregationRule"] != nil && body["aggregationRule"] != .null {
                let everything = [PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"]), PolicyRule(verbs: ["*"], nonResourceURLs: ["*"])]
                if !EscalationCheck.notHeld(everything, owned: RBACAuthorizer.rules(for: user, namespace: "", policy: policy).rules).isEmpty {
                    throw forbidden("must have cluster-admin privileges to use the aggregationRule")
                }
            }
            requested = RBACPolicy.rules(of: body)
        case "rolebindings", "clusterrolebindings":
            let kind = body.value(at: ["roleRef", "kind"])?.stringValue ?? ""
            let roleName = body.value(at: ["roleRef", "name"])?.stringValue ?? ""
            let plural = kind == "Role" ? "roles" : "clusterroles"
            if allowed("bind", plural, roleName) { return }
            let rules = kind == "Role" ? policy.roles[namespace]?[roleName] : policy.clusterRoles[roleName]
            guard let rules else {
                throw APIError(
                    code: 404, reason: "NotFound", message: "\(plural).rbac.authorization.k8s.io \"\(roleName)\" not found",
                    details: StatusDetails(name: roleName, group: ResourceRegistry.rbacGroup, kind: plural))
            }
            requested = rules
        default:
            return
        }
        let owned = RBACAuthorizer.rules(for: user, namespace: namespace, policy: policy).rules
        let missing = EscalationCheck.notHeld(requested, owned: owned)
        if !missing.isEmpty { throw forbidden(EscalationCheck.message(user: user, missing: missing)) }
    }
}
