import JSONCore

/// One rule of a Role or ClusterRole (`rbac.authorization.k8s.io/v1` PolicyRule).
struct PolicyRule: Sendable, Equatable, Hashable {
    var verbs: [String] = []
    var apiGroups: [String] = []
    var resources: [String] = []
    var resourceNames: [String] = []
    var nonResourceURLs: [String] = []

    init(verbs: [String], apiGroups: [String] = [], resources: [String] = [], resourceNames: [String] = [], nonResourceURLs: [String] = []) {
        self.verbs = verbs
        self.apiGroups = apiGroups
        self.resources = resources
        self.resourceNames = resourceNames
        self.nonResourceURLs = nonResourceURLs
    }

    init(json: JSONValue) {
        func strings(_ key: String) -> [String] { json[key]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        self.init(
            verbs: strings("verbs"), apiGroups: strings("apiGroups"), resources: strings("resources"),
            resourceNames: strings("resourceNames"), nonResourceURLs: strings("nonResourceURLs"))
    }

    /// The rule as stored: empty lists omitted, in the API's field order.
    var json: JSONValue {
        var object: JSONObject = ["verbs": .array(verbs.map(JSONValue.string))]
        if !apiGroups.isEmpty { object["apiGroups"] = .array(apiGroups.map(JSONValue.string)) }
        if !resources.isEmpty { object["resources"] = .array(resources.map(JSONValue.string)) }
        if !resourceNames.isEmpty { object["resourceNames"] = .array(resourceNames.map(JSONValue.string)) }
        if !nonResourceURLs.isEmpty { object["nonResourceURLs"] = .array(nonResourceURLs.map(JSONValue.string)) }
        return .object(object)
    }
}

/// A binding's subject: a User, a Group or a ServiceAccount.
struct RBACSubject: Sendable, Equatable {
    var kind: String
    var name: String
    var namespace: String?

    init(kind: String, name: String, namespace: String? = nil) {
        self.kind = kind
        self.name = name
        self.namespace = namespace
    }

    init(json: JSONValue) {
        self.init(kind: json["kind"]?.stringValue ?? "", name: json["name"]?.stringValue ?? "", namespace: json["namespace"]?.stringValue)
    }

    /// How RBAC's allow reason names a subject (`ServiceAccount "name/namespace"`).
    var describedForReason: String {
        kind == "ServiceAccount" ? "\(kind) \"\(name)/\(namespace ?? "")\"" : "\(kind) \"\(name)\""
    }
}

/// A RoleBinding (with its namespace) or a ClusterRoleBinding (namespace nil).
struct RBACBinding: Sendable, Equatable {
    var name: String
    var namespace: String?
    /// `Role` or `ClusterRole`.
    var roleKind: String
    var roleName: String
    var subjects: [RBACSubject]

    var kind: String { namespace == nil ? "ClusterRoleBinding" : "RoleBinding" }

    init(name: String, namespace: String?, roleKind: String, roleName: String, subjects: [RBACSubject]) {
        self.name = name
        self.namespace = namespace
        self.roleKind = roleKind
        self.roleName = roleName
        self.subjects = subjects
    }

    init(json: JSONObject, namespace: String?) {
        self.init(
            name: json.value(at: ["metadata", "name"])?.stringValue ?? "", namespace: namespace,
            roleKind: json.value(at: ["roleRef", "kind"])?.stringValue ?? "",
            roleName: json.value(at: ["roleRef", "name"])?.stringValue ?? "",
            subjects: json["subjects"]?.arrayValue?.map(RBACSubject.init(json:)) ?? [])
    }
}

/// Every Role, ClusterRole and binding of the cluster, indexed as the authorizer reads
/// them. A value: the store builds it from its tables when RBAC objects change.
struct RBACPolicy: Sendable {
    /// namespace → role name → rules.
    var roles: [String: [String: [PolicyRule]]] = [:]
    var clusterRoles: [String: [PolicyRule]] = [:]
    /// namespace → its RoleBindings, by name.
    var roleBindings: [String: [RBACBinding]] = [:]
    var clusterRoleBindings: [RBACBinding] = []

    static func rules(of role: JSONObject) -> [PolicyRule] {
        role["rules"]?.arrayValue?.map(PolicyRule.init(json:)) ?? []
    }
}
