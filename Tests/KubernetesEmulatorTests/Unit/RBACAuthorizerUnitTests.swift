@testable import KubernetesEmulator
import JSONCore
import Testing

/// The authorizer as a pure function: request attributes and a policy in, a decision
/// with the matching binding and rule out.
@Suite("RBAC authorizer (unit)")
struct RBACAuthorizerUnitTests {
    let robot = UserInfo.serviceAccount(namespace: "shop", name: "robot", uid: "u1")

    func attributes(_ method: String, _ path: String, query: [String: [String]] = [:], user: UserInfo? = nil) -> RequestAttributes {
        RequestAttributes(user: user ?? robot, method: method, path: path, query: query)
    }

    func policy(clusterRole rules: [PolicyRule], bindingNamespace: String? = nil, subject: RBACSubject? = nil) -> RBACPolicy {
        var policy = RBACPolicy()
        policy.clusterRoles["r"] = rules
        let binding = RBACBinding(
            name: "b", namespace: bindingNamespace, roleKind: "ClusterRole", roleName: "r",
            subjects: [subject ?? RBACSubject(kind: "ServiceAccount", name: "robot", namespace: "shop")])
        if let bindingNamespace { policy.roleBindings[bindingNamespace] = [binding] } else { policy.clusterRoleBindings = [binding] }
        return policy
    }

    @Test("paths become kube-apiserver's request attributes")
    func requestInfo() {
        let namespace = attributes("GET", "/api/v1/namespaces/shop")
        #expect(namespace.resource == "namespaces" && namespace.name == "shop" && namespace.namespace == "shop" && namespace.verb == "get")
        let status = attributes("PUT", "/apis/apps/v1/namespaces/shop/deployments/web/status")
        #expect(status.apiGroup == "apps" && status.resourceAndSubresource == "deployments/status" && status.verb == "update")
        #expect(attributes("GET", "/api/v1/secrets", query: ["watch": ["true"]]).verb == "watch")
        #expect(attributes("DELETE", "/api/v1/namespaces/shop/secrets").verb == "deletecollection")
        #expect(attributes("GET", "/api/v1/namespaces/shop/secrets", query: ["fieldSelector": ["metadata.name=db"]]).name == "db")
        let discovery = attributes("GET", "/apis/apps/v1")
        #expect(!discovery.isResourceRequest && discovery.verb == "get")
    }

    @Test("wildcards: * verbs, groups and resources; */status; pods/*; nonResourceURLs ending in *")
    func wildcards() {
        let all = policy(clusterRole: [PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"])])
        #expect(RBACAuthorizer.authorize(attributes("DELETE", "/apis/apps/v1/namespaces/x/deployments/y"), policy: all).allowed)
        let statuses = policy(clusterRole: [PolicyRule(verbs: ["get"], apiGroups: ["apps"], resources: ["*/status"])])
        #expect(RBACAuthorizer.authorize(attributes("GET", "/apis/apps/v1/namespaces/x/deployments/y/status"), policy: statuses).allowed)
        #expect(!RBACAuthorizer.authorize(attributes("GET", "/apis/apps/v1/namespaces/x/deployments/y"), policy: statuses).allowed)
        let urls = policy(clusterRole: [PolicyRule(verbs: ["get"], nonResourceURLs: ["/apis/*"])])
        #expect(RBACAuthorizer.authorize(attributes("GET", "/apis/apps/v1"), policy: urls).allowed)
        #expect(!RBACAuthorizer.authorize(attributes("GET", "/version"), policy: urls).allowed)
    }

    @Test("a RoleBinding's grant names the binding, role and subject; system:masters needs no policy and has no reason")
    func grants() {
        let decision = RBACAuthorizer.authorize(
            attributes("GET", "/api/v1/namespaces/shop/configmaps"),
            policy: policy(clusterRole: [PolicyRule(verbs: ["watch"], resources: ["configmaps"]), PolicyRule(verbs: ["list"], apiGroups: [""], resources: ["configmaps"])], bindingNamespace: "shop"))
        #expect(decision.allowed && decision.grant?.ruleIndex == 1)
        #expect(decision.reason == "RBAC: allowed by RoleBinding \"b/shop\" of ClusterRole \"r\" to ServiceAccount \"robot/shop\"")
        let admin = RBACAuthorizer.authorize(attributes("DELETE", "/api/v1/namespaces/x", user: .admin), policy: RBACPolicy())
        #expect(admin.allowed && admin.reason.isEmpty && admin.privileged)
    }

    @Test("ClusterRole aggregation: the union of the selected roles' rules, in name order, without duplicates")
    func aggregation() {
        let view: JSONObject = ["metadata": ["name": "view"], "aggregationRule": ["clusterRoleSelectors": [["matchLabels": ["agg": "view"]]]]]
        let b: JSONObject = ["metadata": ["name": "b", "labels": ["agg": "view"]], "rules": [["verbs": ["get"], "resources": ["pods"]]]]
        let a: JSONObject = ["metadata": ["name": "a", "labels": ["agg": "view"]], "rules": [["verbs": ["list"], "resources": ["pods"]], ["verbs": ["get"], "resources": ["pods"]]]]
        let other: JSONObject = ["metadata": ["name": "c"], "rules": [["verbs": ["*"], "resources": ["*"]]]]
        let rules = ClusterRoleAggregation.aggregatedRules(for: view, among: [("b", b), ("a", a), ("c", other), ("view", view)])
        #expect(rules == [PolicyRule(verbs: ["list"], resources: ["pods"]), PolicyRule(verbs: ["get"], resources: ["pods"])])
        #expect(ClusterRoleAggregation.aggregatedRules(for: other, among: []) == nil)
    }

    @Test("escalation check: what the owned rules do not cover, compacted with verbs merged; a wildcard is covered only by a wildcard")
    func escalation() {
        let owned = [PolicyRule(verbs: ["get", "list"], apiGroups: [""], resources: ["configmaps", "secrets"], resourceNames: [])]
        let missing = EscalationCheck.notHeld(
            [PolicyRule(verbs: ["get", "delete", "watch"], apiGroups: [""], resources: ["secrets"])], owned: owned)
        #expect(missing.map(EscalationCheck.describe) == [#"{APIGroups:[""], Resources:["secrets"], Verbs:["delete" "watch"]}"#])
        #expect(!EscalationCheck.notHeld([PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["*"])], owned: owned).isEmpty)
        let all = [PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"])]
        #expect(EscalationCheck.notHeld([PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["*"])], owned: all).isEmpty)
        #expect(EscalationCheck.notHeld([PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["secrets"], resourceNames: ["db"])], owned: owned).isEmpty)
    }
}
