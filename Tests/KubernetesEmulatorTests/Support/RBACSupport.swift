import EmulatorTestSupport
import Foundation
import JSONCore
import KubeAPI
import KubeClient
import KubernetesEmulator

extension ResourceType {
    static let testRoles = ResourceType(group: "rbac.authorization.k8s.io", version: "v1", plural: "roles", kind: "Role", namespaced: true)
    static let testClusterRoles = ResourceType(group: "rbac.authorization.k8s.io", version: "v1", plural: "clusterroles", kind: "ClusterRole", namespaced: false)
    static let testRoleBindings = ResourceType(group: "rbac.authorization.k8s.io", version: "v1", plural: "rolebindings", kind: "RoleBinding", namespaced: true)
    static let testClusterRoleBindings = ResourceType(group: "rbac.authorization.k8s.io", version: "v1", plural: "clusterrolebindings", kind: "ClusterRoleBinding", namespaced: false)
    static let testServiceAccounts = ResourceType(group: "", version: "v1", plural: "serviceaccounts", kind: "ServiceAccount", namespaced: true)
    static let testSelfSubjectAccessReviews = ResourceType(group: "authorization.k8s.io", version: "v1", plural: "selfsubjectaccessreviews", kind: "SelfSubjectAccessReview", namespaced: false)
    static let testSubjectAccessReviews = ResourceType(group: "authorization.k8s.io", version: "v1", plural: "subjectaccessreviews", kind: "SubjectAccessReview", namespaced: false)
    static let testSelfSubjectReviews = ResourceType(group: "authentication.k8s.io", version: "v1", plural: "selfsubjectreviews", kind: "SelfSubjectReview", namespaced: false)
}

/// A rule of a Role or ClusterRole.
func rule(_ verbs: [String], _ resources: [String], group: String = "", names: [String] = []) -> JSONValue {
    var rule: JSONObject = [
        "apiGroups": [.string(group)], "resources": .array(resources.map(JSONValue.string)), "verbs": .array(verbs.map(JSONValue.string)),
    ]
    if !names.isEmpty { rule["resourceNames"] = .array(names.map(JSONValue.string)) }
    return .object(rule)
}

func roleBody(_ kind: String, _ name: String, rules: [JSONValue], labels: [String: String] = [:]) -> JSONValue {
    var metadata: JSONObject = ["name": .string(name)]
    if !labels.isEmpty { metadata["labels"] = .object(labels.mapValues(JSONValue.string)) }
    return ["apiVersion": "rbac.authorization.k8s.io/v1", "kind": .string(kind), "metadata": .object(metadata), "rules": .array(rules)]
}

func bindingBody(_ kind: String, _ name: String, roleKind: String, role: String, subjects: [JSONValue]) -> JSONValue {
    [
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": .string(kind), "metadata": ["name": .string(name)],
        "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": .string(roleKind), "name": .string(role)],
        "subjects": .array(subjects),
    ]
}

func serviceAccountSubject(_ namespace: String, _ name: String) -> JSONValue {
    ["kind": "ServiceAccount", "name": .string(name), "namespace": .string(namespace)]
}

extension EmulatedCluster {
    /// Creates the ServiceAccount (and its namespace if needed) and returns a client
    /// authenticated with a token of it. The caller shuts the client down.
    func serviceAccountClient(namespace: String, name: String) async throws -> HTTPKubernetesClient {
        if (try? await client.get(.testNamespaces, namespace: nil, name: namespace)) == nil {
            _ = try await client.create(.testNamespaces, namespace: nil, body: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(namespace)]])
        }
        if (try? await client.get(.testServiceAccounts, namespace: namespace, name: name)) == nil {
            _ = try await client.create(.testServiceAccounts, namespace: namespace, body: ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": .string(name)]])
        }
        let response = try await client.createToken(
            serviceAccount: name, namespace: namespace, request: ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": [:]])
        let token = response[path: ["status", "token"]]?.stringValue ?? ""
        return try tokenClient(token)
    }

    /// A client sending `token` (nil: no credentials at all).
    func tokenClient(_ token: String?) throws -> HTTPKubernetesClient {
        var configuration = try KubeConfig.parse(yaml: emulator.kubeconfig()).clientConfiguration()
        configuration.authentication = token.map { .bearerToken(Redacted($0)) } ?? .none
        return try HTTPKubernetesClient(configuration: configuration)
    }
}
