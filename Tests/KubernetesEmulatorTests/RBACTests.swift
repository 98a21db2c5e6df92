import EmulatorTestSupport
import Foundation
import JSONCore
import KubeAPI
import KubeClient
import KubernetesEmulator
import Testing

/// RBAC authorization as kube-apiserver applies it: who may do what, where, and how a
/// denial and the access reviews are worded.
@Suite("RBAC authorization")
struct RBACTests {
    /// Runs `body` with a cluster and a client authenticated as ServiceAccount `shop:robot`.
    private func withRobot(_ body: (EmulatedCluster, HTTPKubernetesClient) async throws -> Void) async throws {
        try await EmulatedCluster.with { cluster in
            let robot = try await cluster.serviceAccountClient(namespace: "shop", name: "robot")
            do {
                try await body(cluster, robot)
                try await robot.shutdown()
            } catch {
                try? await robot.shutdown()
                throw error
            }
        }
    }

    private let robotUser = "system:serviceaccount:shop:robot"

    @Test("a ServiceAccount without bindings is denied, worded as kube-apiserver words it")
    func denialWording() async throws {
        try await withRobot { _, robot in
            let list = await apiError { try await robot.list(.testConfigMaps, namespace: "shop") }
            #expect(list?.kind == .forbidden)
            #expect(list?.status?.message == "configmaps is forbidden: User \"\(robotUser)\" cannot list resource \"configmaps\" in API group \"\" in the namespace \"shop\"")
            #expect(list?.status?.details?.kind == "configmaps")
            let get = await apiError { try await robot.get(.testSecrets, namespace: "shop", name: "db") }
            #expect(get?.status?.message == "secrets \"db\" is forbidden: User \"\(robotUser)\" cannot get resource \"secrets\" in API group \"\" in the namespace \"shop\"")
            #expect(get?.status?.details?.name == "db")
            let cluster = await apiError { try await robot.list(.testNamespaces, namespace: nil) }
            #expect(cluster?.status?.message == "namespaces is forbidden: User \"\(robotUser)\" cannot list resource \"namespaces\" in API group \"\" at the cluster scope")
            let apps = await apiError { try await robot.list(.testDeployments, namespace: "shop") }
            #expect(apps?.status?.message == "deployments.apps is forbidden: User \"\(robotUser)\" cannot list resource \"deployments\" in API group \"apps\" in the namespace \"shop\"")
            #expect(apps?.status?.details?.group == "apps")
        }
    }

    @Test("a RoleBinding grants in its own namespace only; a ClusterRoleBinding in every namespace")
    func bindingScope() async throws {
        try await withRobot { cluster, robot in
            _ = try await cluster.client.create(.testNamespaces, namespace: nil, body: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "other"]])
            _ = try await cluster.client.create(.testClusterRoles, namespace: nil, body: roleBody("ClusterRole", "cm-read", rules: [rule(["list"], ["configmaps"])]))
            _ = try await cluster.client.create(.testRoleBindings, namespace: "shop", body: bindingBody(
                "RoleBinding", "robot-cm", roleKind: "ClusterRole", role: "cm-read", subjects: [serviceAccountSubject("shop", "robot")]))
            _ = try await robot.list(.testConfigMaps, namespace: "shop")
            #expect(await errorKind { try await robot.list(.testConfigMaps, namespace: "other") } == .forbidden)
            #expect(await errorKind { try await robot.list(.testConfigMaps, namespace: nil) } == .forbidden, "all namespaces is the cluster scope")
            _ = try await cluster.client.create(.testClusterRoleBindings, namespace: nil, body: bindingBody(
                "ClusterRoleBinding", "robot-cm", roleKind: "ClusterRole", role: "cm-read", subjects: [serviceAccountSubject("shop", "robot")]))
            _ = try await robot.list(.testConfigMaps, namespace: "other")
            _ = try await robot.list(.testConfigMaps, namespace: nil)
            _ = try await cluster.client.delete(.testClusterRoleBindings, namespace: nil, name: "robot-cm")
            #expect(await errorKind { try await robot.list(.testConfigMaps, namespace: "other") } == .forbidden, "a deleted binding grants nothing")
        }
    }

    @Test("a Role grants only its verbs; a subject without a namespace in a RoleBinding is of the binding's namespace")
    func roleVerbs() async throws {
        try await withRobot { cluster, robot in
            _ = try await cluster.client.create(.testRoles, namespace: "shop", body: roleBody("Role", "cm-reader", rules: [rule(["get", "list", "watch"], ["configmaps"])]))
            _ = try await cluster.client.create(.testRoleBindings, namespace: "shop", body: bindingBody(
                "RoleBinding", "reader", roleKind: "Role", role: "cm-reader", subjects: [["kind": "ServiceAccount", "name": "robot"]]))
            _ = try await cluster.client.create(.testConfigMaps, namespace: "shop", body: ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "visible"]])
            _ = try await robot.get(.testConfigMaps, namespace: "shop", name: "visible")
            let delete = await apiError { try await robot.delete(.testConfigMaps, namespace: "shop", name: "visible") }
            #expect(delete?.status?.message == "configmaps \"visible\" is forbidden: User \"\(robotUser)\" cannot delete resource \"configmaps\" in API group \"\" in the namespace \"shop\"")
        }
    }

    @Test("resourceNames allow the named objects only, and never a list")
    func resourceNames() async throws {
        try await withRobot { cluster, robot in
            _ = try await cluster.client.create(.testRoles, namespace: "shop", body: roleBody("Role", "one-secret", rules: [rule(["get", "list"], ["secrets"], names: ["db"])]))
            _ = try await cluster.client.create(.testRoleBindings, namespace: "shop", body: bindingBody(
                "RoleBinding", "one-secret", roleKind: "Role", role: "one-secret", subjects: [serviceAccountSubject("shop", "robot")]))
            _ = try await cluster.client.create(.testSecrets, namespace: "shop", body: secretBody("db"))
            _ = try await cluster.client.create(.testSecrets, namespace: "shop", body: secretBody("other"))
            _ = try await robot.get(.testSecrets, namespace: "shop", name: "db")
            #expect(await errorKind { try await robot.get(.testSecrets, namespace: "shop", name: "other") } == .forbidden)
            #expect(await errorKind { try await robot.list(.testSecrets, namespace: "shop") } == .forbidden)
            // A list narrowed to the name by a field selector is a request for that name.
            let narrowed = try await robot.list(.testSecrets, namespace: "shop", options: ListOptions(fieldSelector: "metadata.name=db"))
            #expect(narrowed.items.map(\.name) == ["db"])
        }
    }

    @Test("subresources need their own rule: serviceaccounts does not grant serviceaccounts/token, and */status is any status")
    func subresources() async throws {
        try await withRobot { cluster, robot in
            _ = try await cluster.client.create(.testRoles, namespace: "shop", body: roleBody("Role", "sa", rules: [
                rule(["get", "create"], ["serviceaccounts"]), rule(["get"], ["*/status"], group: "apps"),
            ]))
            _ = try await cluster.client.create(.testRoleBindings, namespace: "shop", body: bindingBody(
                "RoleBinding", "sa", roleKind: "Role", role: "sa", subjects: [serviceAccountSubject("shop", "robot")]))
            _ = try await robot.get(.testServiceAccounts, namespace: "shop", name: "robot")
            let token = await apiError {
                try await robot.createToken(serviceAccount: "robot", namespace: "shop", request: ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": [:]])
            }
            #expect(token?.status?.message == "serviceaccounts \"robot\" is forbidden: User \"\(robotUser)\" cannot create resource \"serviceaccounts/token\" in API group \"\" in the namespace \"shop\"")
            _ = try await cluster.client.create(.testDeployments, namespace: "shop", body: [
                "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "web"],
                "spec": [
                    "replicas": 1, "selector": ["matchLabels": ["app": "web"]],
                    "template": ["metadata": ["labels": ["app": "web"]], "spec": ["containers": [["name": "web", "image": "web:1"]]]],
                ],
            ])
            _ = try await robot.get(.testDeployments, namespace: "shop", name: "web", subresource: "status")
            #expect(await errorKind { try await robot.get(.testDeployments, namespace: "shop", name: "web") } == .forbidden)
        }
    }

    @Test("Group subjects match the groups of ServiceAccounts: system:serviceaccounts:NS")
    func groups() async throws {
        try await withRobot { cluster, robot in
            _ = try await cluster.client.create(.testClusterRoleBindings, namespace: nil, body: bindingBody(
                "ClusterRoleBinding", "shop-accounts-view", roleKind: "ClusterRole", role: "view",
                subjects: [["kind": "Group", "name": "system:serviceaccounts:shop", "apiGroup": "rbac.authorization.k8s.io"]]))
            _ = try await robot.list(.testConfigMaps, namespace: "default")
            #expect(await errorKind { try await robot.list(.testSecrets, namespace: "default") } == .forbidden, "view does not read secrets")
            let stranger = try await cluster.serviceAccountClient(namespace: "elsewhere", name: "robot")
            #expect(await errorKind { try await stranger.list(.testConfigMaps, namespace: "default") } == .forbidden)
            try await stranger.shutdown()
        }
    }

    @Test("aggregation: a ClusterRole labelled aggregate-to-view adds its rules to view, edit and admin, and leaves with its label")
    func aggregation() async throws {
        try await withRobot { cluster, robot in
            _ = try await cluster.client.create(.testRoleBindings, namespace: "shop", body: bindingBody(
                "RoleBinding", "robot-view", roleKind: "ClusterRole", role: "view", subjects: [serviceAccountSubject("shop", "robot")]))
            _ = try await robot.list(.testConfigMaps, namespace: "shop")
            #expect(await errorKind { try await robot.list(.widgets, namespace: "shop") } == .forbidden)
            _ = try await cluster.client.create(.testClusterRoles, namespace: nil, body: roleBody(
                "ClusterRole", "widget-view", rules: [rule(["get", "list", "watch"], ["widgets"], group: "example.com")],
                labels: ["rbac.authorization.k8s.io/aggregate-to-view": "true"]))
            for role in ["view", "edit", "admin"] {
                let rules = try await cluster.client.get(.testClusterRoles, namespace: nil, name: role)["rules"]?.arrayValue ?? []
                #expect(rules.contains { $0["resources"] == ["widgets"] }, "\(role) aggregates the new rule")
            }
            let request = await apiError { try await robot.list(.widgets, namespace: "shop") }
            #expect(request?.kind == .notFound, "allowed now: the resource just does not exist")
            _ = try await cluster.client.patch(.testClusterRoles, namespace: nil, name: "widget-view", patch: .merge(["metadata": ["labels": nil]]))
            let view = try await cluster.client.get(.testClusterRoles, namespace: nil, name: "view")["rules"]?.arrayValue ?? []
            #expect(!view.contains { $0["resources"] == ["widgets"] })
            #expect(await errorKind { try await robot.list(.widgets, namespace: "shop") } == .forbidden)
        }
    }

    @Test("the default roles: cluster-admin for system:masters, view/edit/admin aggregated, discovery for everyone signed in")
    func defaults() async throws {
        try await withRobot { cluster, robot in
            let admin = try await cluster.client.get(.testClusterRoles, namespace: nil, name: "admin")["rules"]?.arrayValue ?? []
            #expect(admin.contains { $0["resources"]?.arrayValue?.contains("rolebindings") == true })
            #expect(admin.contains { $0["resources"]?.arrayValue?.contains("secrets") == true })
            let names = try await cluster.client.list(.testClusterRoleBindings, namespace: nil).items.compactMap(\.name)
            #expect(Set(["cluster-admin", "system:basic-user", "system:discovery", "system:public-info-viewer"]).isSubset(of: Set(names)))
            // Discovery through the client's own path: allowed for a ServiceAccount.
            let review = try await robot.create(.testSelfSubjectReviews, namespace: nil, body: ["apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"])
            #expect(review[path: ["status", "userInfo", "username"]]?.stringValue == robotUser)
            #expect(review[path: ["status", "userInfo", "groups"]] == ["system:serviceaccounts", "system:serviceaccounts:shop", "system:authenticated"])
        }
    }

    @Test("SelfSubjectAccessReview and SubjectAccessReview answer with RBAC's reason, or none when denied or for system:masters")
    func accessReviews() async throws {
        try await withRobot { cluster, robot in
            func ssar(_ client: HTTPKubernetesClient, verb: String, resource: String) async throws -> JSONValue {
                try await client.create(.testSelfSubjectAccessReviews, namespace: nil, body: [
                    "apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
                    "spec": ["resourceAttributes": ["namespace": "shop", "verb": .string(verb), "resource": .string(resource)]],
                ])
            }
            let denied = try await ssar(robot, verb: "list", resource: "configmaps")
            #expect(denied[path: ["status", "allowed"]] == false)
            #expect(denied[path: ["status", "reason"]] == nil)
            #expect(denied[path: ["spec", "resourceAttributes", "verb"]] == "list")
            _ = try await cluster.client.create(.testRoles, namespace: "shop", body: roleBody("Role", "cm-reader", rules: [rule(["list"], ["configmaps"])]))
            _ = try await cluster.client.create(.testRoleBindings, namespace: "shop", body: bindingBody(
                "RoleBinding", "reader", roleKind: "Role", role: "cm-reader", subjects: [serviceAccountSubject("shop", "robot")]))
            let allowed = try await ssar(robot, verb: "list", resource: "configmaps")
            #expect(allowed[path: ["status", "allowed"]] == true)
            #expect(allowed[path: ["status", "reason"]] == "RBAC: allowed by RoleBinding \"reader/shop\" of Role \"cm-reader\" to ServiceAccount \"robot/shop\"")
            let admin = try await ssar(cluster.client, verb: "delete", resource: "namespaces")
            #expect(admin[path: ["status", "allowed"]] == true)
            #expect(admin[path: ["status", "reason"]] == nil)
            let sar = try await cluster.client.create(.testSubjectAccessReviews, namespace: nil, body: [
                "apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
                "spec": ["user": .string(robotUser), "groups": ["system:serviceaccounts"],
                         "resourceAttributes": ["namespace": "shop", "verb": "list", "resource": "configmaps"]],
            ])
            #expect(sar[path: ["status", "allowed"]] == true)
            // A ServiceAccount may not ask about others without system:auth-delegator.
            #expect(await errorKind {
                try await robot.create(.testSubjectAccessReviews, namespace: nil, body: [
                    "apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
                    "spec": ["user": "x", "resourceAttributes": ["verb": "get", "resource": "secrets"]],
                ])
            } == .forbidden)
        }
    }

    @Test("SelfSubjectRulesReview lists the caller's rules in a namespace: its RoleBindings' and every ClusterRoleBinding's")
    func rulesReview() async throws {
        try await withRobot { cluster, robot in
            _ = try await cluster.client.create(.testRoles, namespace: "shop", body: roleBody("Role", "cm-reader", rules: [rule(["list"], ["configmaps"])]))
            _ = try await cluster.client.create(.testRoleBindings, namespace: "shop", body: bindingBody(
                "RoleBinding", "reader", roleKind: "Role", role: "cm-reader", subjects: [serviceAccountSubject("shop", "robot")]))
            let reviews = ResourceType(group: "authorization.k8s.io", version: "v1", plural: "selfsubjectrulesreviews", kind: "SelfSubjectRulesReview", namespaced: false)
            func review(_ namespace: String) async throws -> JSONValue {
                try await robot.create(reviews, namespace: nil, body: [
                    "apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectRulesReview", "spec": ["namespace": .string(namespace)],
                ])
            }
            let shop = try await review("shop")
            let resources = shop[path: ["status", "resourceRules"]]?.arrayValue ?? []
            #expect(resources.contains { $0["resources"] == ["configmaps"] && $0["verbs"] == ["list"] })
            #expect(resources.contains { $0["resources"]?.arrayValue?.contains("selfsubjectaccessreviews") == true }, "system:basic-user's rules")
            #expect(shop[path: ["status", "nonResourceRules"]]?.arrayValue?.contains { $0["nonResourceURLs"]?.arrayValue?.contains("/version") == true } == true)
            #expect(shop[path: ["status", "incomplete"]] == false)
            let elsewhere = try await review("default")[path: ["status", "resourceRules"]]?.arrayValue ?? []
            #expect(!elsewhere.contains { $0["resources"] == ["configmaps"] })
        }
    }

    @Test("validation: a binding's roleRef cannot change, Roles cannot grant non-resource URLs, subjects have known kinds")
    func validation() async throws {
        try await EmulatedCluster.with { cluster in
            let client = cluster.client
            _ = try await client.create(.testRoleBindings, namespace: "default", body: bindingBody(
                "RoleBinding", "b", roleKind: "ClusterRole", role: "view", subjects: [["kind": "User", "name": "bob"]]))
            let changed = await apiError {
                try await client.patch(.testRoleBindings, namespace: "default", name: "b", patch: .merge(["roleRef": ["name": "edit"]]))
            }
            #expect(changed?.kind == .invalid)
            #expect(changed?.causes.first?.message?.hasSuffix("cannot change roleRef") == true)
            let urls = await apiError {
                try await client.create(.testRoles, namespace: "default", body: [
                    "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": ["name": "r"],
                    "rules": [["verbs": ["get"], "nonResourceURLs": ["/version"]]],
                ])
            }
            #expect(urls?.causes.first?.field == "rules[0].nonResourceURLs")
            let subject = await apiError {
                try await client.create(.testClusterRoleBindings, namespace: nil, body: bindingBody(
                    "ClusterRoleBinding", "c", roleKind: "ClusterRole", role: "view", subjects: [["kind": "ServiceAccount", "name": "robot"]]))
            }
            #expect(subject?.causes.map(\.field) == ["subjects[0].namespace"])
        }
    }

    @Test("escalation prevention: a ServiceAccount writes Roles and binds roles only within the permissions it holds, unless it may escalate or bind")
    func escalation() async throws {
        try await withRobot { cluster, robot in
            _ = try await cluster.client.create(.testRoles, namespace: "shop", body: roleBody("Role", "delegate", rules: [
                rule(["create", "update", "patch"], ["roles", "rolebindings"], group: "rbac.authorization.k8s.io"), rule(["get", "list"], ["configmaps"]),
            ]))
            _ = try await cluster.client.create(.testRoleBindings, namespace: "shop", body: bindingBody(
                "RoleBinding", "delegate", roleKind: "Role", role: "delegate", subjects: [serviceAccountSubject("shop", "robot")]))
            let tooMuch = await apiError {
                try await robot.create(.testRoles, namespace: "shop", body: roleBody("Role", "secrets-reader", rules: [rule(["get"], ["secrets"]), rule(["get"], ["configmaps"])]))
            }
            #expect(tooMuch?.kind == .forbidden)
            #expect(tooMuch?.status?.message == """
                roles.rbac.authorization.k8s.io "secrets-reader" is forbidden: user "\(robotUser)" (groups=["system:serviceaccounts" "system:serviceaccounts:shop" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:
                {APIGroups:[""], Resources:["secrets"], Verbs:["get"]}
                """)
            _ = try await robot.create(.testRoles, namespace: "shop", body: roleBody("Role", "cm", rules: [rule(["get"], ["configmaps"])]))
            let patched = await apiError {
                try await robot.patch(.testRoles, namespace: "shop", name: "cm", patch: .merge(["rules": [rule(["get"], ["secrets"])]]))
            }
            #expect(patched?.status?.message?.contains("is attempting to grant RBAC permissions not currently held") == true, "a patch is checked on the object it would make")
            _ = try await robot.create(.testRoleBindings, namespace: "shop", body: bindingBody(
                "RoleBinding", "bob-cm", roleKind: "Role", role: "cm", subjects: [["kind": "User", "name": "bob"]]))
            #expect(await errorKind {
                try await robot.create(.testRoleBindings, namespace: "shop", body: bindingBody(
                    "RoleBinding", "bob-admin", roleKind: "ClusterRole", role: "admin", subjects: [["kind": "User", "name": "bob"]]))
            } == .forbidden)
            // With the bind verb on that ClusterRole, the binding is allowed.
            _ = try await cluster.client.create(.testRoles, namespace: "shop", body: roleBody("Role", "bind-admin", rules: [
                rule(["bind"], ["clusterroles"], group: "rbac.authorization.k8s.io", names: ["admin"]),
            ]))
            _ = try await cluster.client.create(.testRoleBindings, namespace: "shop", body: bindingBody(
                "RoleBinding", "bind-admin", roleKind: "Role", role: "bind-admin", subjects: [serviceAccountSubject("shop", "robot")]))
            _ = try await robot.create(.testRoleBindings, namespace: "shop", body: bindingBody(
                "RoleBinding", "bob-admin", roleKind: "ClusterRole", role: "admin", subjects: [["kind": "User", "name": "bob"]]))
        }
    }

    @Test("with authorization switched off (tests where RBAC is beside the point) a ServiceAccount without bindings is allowed")
    func switchedOff() async throws {
        try await EmulatedCluster.with({ $0.authorization = false }) { cluster in
            let robot = try await cluster.serviceAccountClient(namespace: "shop", name: "robot")
            _ = try await robot.list(.testSecrets, namespace: "shop")
            try await robot.shutdown()
            #expect(cluster.emulator.authorizations.all.isEmpty)
        }
    }

    @Test("no token is system:anonymous: 403 on resources, /version readable; a bad token is 401")
    func anonymous() async throws {
        try await EmulatedCluster.with { cluster in
            let anonymous = try cluster.tokenClient(nil)
            let error = await apiError { try await anonymous.list(.testNamespaces, namespace: nil) }
            #expect(error?.kind == .forbidden)
            #expect(error?.status?.message == "namespaces is forbidden: User \"system:anonymous\" cannot list resource \"namespaces\" in API group \"\" at the cluster scope")
            try await anonymous.shutdown()
            let bad = try cluster.tokenClient("not-a-token")
            #expect(await errorKind { try await bad.list(.testNamespaces, namespace: nil) } == .unauthorized)
            try await bad.shutdown()
        }
    }

    @Test("a binding to a role that does not exist denies, with RBAC's not-found reason")
    func missingRole() async throws {
        try await withRobot { cluster, robot in
            _ = try await cluster.client.create(.testRoleBindings, namespace: "shop", body: bindingBody(
                "RoleBinding", "dangling", roleKind: "Role", role: "nowhere", subjects: [serviceAccountSubject("shop", "robot")]))
            let error = await apiError { try await robot.list(.testConfigMaps, namespace: "shop") }
            #expect(error?.status?.message?.hasSuffix(": RBAC: role.rbac.authorization.k8s.io \"nowhere\" not found") == true)
        }
    }

    @Test("the authorization log names the binding and rule that allowed each request, so every rule of a role can be shown used")
    func authorizationLog() async throws {
        try await withRobot { cluster, robot in
            _ = try await cluster.client.create(.testClusterRoles, namespace: nil, body: roleBody("ClusterRole", "robot-role", rules: [
                rule(["list"], ["configmaps"]), rule(["get"], ["secrets"]), rule(["list"], ["leases"], group: "coordination.k8s.io"),
            ]))
            _ = try await cluster.client.create(.testRoleBindings, namespace: "shop", body: bindingBody(
                "RoleBinding", "robot", roleKind: "ClusterRole", role: "robot-role", subjects: [serviceAccountSubject("shop", "robot")]))
            cluster.emulator.authorizations.reset()
            _ = try await robot.list(.testConfigMaps, namespace: "shop")
            _ = await errorKind { try await robot.get(.testSecrets, namespace: "shop", name: "absent") }
            #expect(cluster.emulator.authorizations.usedRules(roleKind: "ClusterRole", roleName: "robot-role") == [0, 1], "the leases rule is not used yet")
            let entry = try #require(cluster.emulator.authorizations.all.first { $0.resource == "configmaps" })
            #expect(entry.user == robotUser)
            #expect(entry.bindingKind == "RoleBinding" && entry.bindingName == "robot" && entry.bindingNamespace == "shop")
            #expect(entry.verb == "list" && entry.namespace == "shop" && entry.ruleIndex == 0)
            let leases = ResourceType(group: "coordination.k8s.io", version: "v1", plural: "leases", kind: "Lease", namespaced: true)
            _ = try await robot.list(leases, namespace: "shop")
            #expect(cluster.emulator.authorizations.usedRules(roleKind: "ClusterRole", roleName: "robot-role") == [0, 1, 2])
        }
    }
}
