import JSONCore
import KubeAPI

/// Validation of Roles and ClusterRoles as kube-apiserver's RBAC registry does it:
/// every rule has verbs; resource rules name API groups and resources; namespaced Roles
/// cannot grant non-resource URLs.
struct RoleStrategy: ResourceStrategy {
    var namespaced: Bool
    var supportsStrategicMerge: Bool { true }

    func validate(_ object: inout JSONObject, old: JSONObject?, unknownFields: inout [String]) throws -> [StatusCause] {
        var causes = try BuiltinStrategy(knownMembers: namespaced ? ["rules"] : ["rules", "aggregationRule"])
            .validate(&object, old: old, unknownFields: &unknownFields)
        for (i, rule) in (object["rules"]?.arrayValue ?? []).enumerated() {
            func list(_ key: String) -> [String] { rule[key]?.arrayValue?.compactMap(\.stringValue) ?? [] }
            func required(_ field: String, _ why: String) {
                causes.append(StatusCause(reason: "FieldValueRequired", message: "Required value: \(why)", field: "rules[\(i)].\(field)"))
            }
            if list("verbs").isEmpty { required("verbs", "verbs must contain at least one value") }
            let urls = list("nonResourceURLs")
            if !urls.isEmpty {
                if namespaced {
                    causes.append(StatusCause(
                        reason: "FieldValueInvalid", message: "Invalid value: \(shownURLs(urls)): namespaced rules cannot apply to non-resource URLs",
                        field: "rules[\(i)].nonResourceURLs"))
                } else if !list("apiGroups").isEmpty || !list("resources").isEmpty || !list("resourceNames").isEmpty {
                    causes.append(StatusCause(
                        reason: "FieldValueInvalid", message: "Invalid value: \(shownURLs(urls)): rules cannot apply to both regular resources and non-resource URLs",
                        field: "rules[\(i)].nonResourceURLs"))
                }
                continue
            }
            if list("apiGroups").isEmpty { required("apiGroups", "resource rules must supply at least one api group") }
            if list("resources").isEmpty { required("resources", "resource rules must supply at least one resource") }
        }
        return causes
    }

    private func shownURLs(_ urls: [String]) -> String { "[]string{" + urls.map { "\"\($0)\"" }.joined(separator: ", ") + "}" }
}

/// Validation of RoleBindings and ClusterRoleBindings: a roleRef to a Role (RoleBindings
/// only) or ClusterRole of the RBAC group, which cannot change once set; subjects of a
/// known kind (a ServiceAccount in a ClusterRoleBinding needs its namespace).
struct RoleBindingStrategy: ResourceStrategy {
    var namespaced: Bool
    var supportsStrategicMerge: Bool { true }

    func validate(_ object: inout JSONObject, old: JSONObject?, unknownFields: inout [String]) throws -> [StatusCause] {
        var causes = try BuiltinStrategy(knownMembers: ["roleRef", "subjects"]).validate(&object, old: old, unknownFields: &unknownFields)
        let ref = object["roleRef"]?.objectValue ?? [:]
        let group = ref["apiGroup"]?.stringValue ?? ""
        let kind = ref["kind"]?.stringValue ?? ""
        let name = ref["name"]?.stringValue ?? ""
        if group != ResourceRegistry.rbacGroup {
            causes.append(StatusCause(
                reason: "FieldValueNotSupported", message: "Unsupported value: \"\(group)\": supported values: \"\(ResourceRegistry.rbacGroup)\"",
                field: "roleRef.apiGroup"))
        }
        let kinds = namespaced ? ["Role", "ClusterRole"] : ["ClusterRole"]
        if !kinds.contains(kind) {
            causes.append(StatusCause(
                reason: "FieldValueNotSupported",
                message: "Unsupported value: \"\(kind)\": supported values: " + kinds.map { "\"\($0)\"" }.joined(separator: ", "), field: "roleRef.kind"))
        }
        if name.isEmpty { causes.append(StatusCause(reason: "FieldValueRequired", message: "Required value", field: "roleRef.name")) }
        if let old, let oldRef = old["roleRef"], oldRef != object["roleRef"] {
            let shown = "rbac.RoleRef{APIGroup:\"\(oldRef["apiGroup"]?.stringValue ?? "")\", Kind:\"\(oldRef["kind"]?.stringValue ?? "")\", Name:\"\(oldRef["name"]?.stringValue ?? "")\"}"
            causes.append(StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \(shown): cannot change roleRef", field: "roleRef"))
        }
        for (i, subject) in (object["subjects"]?.arrayValue ?? []).enumerated() {
            let kind = subject["kind"]?.stringValue ?? ""
            if (subject["name"]?.stringValue ?? "").isEmpty {
                causes.append(StatusCause(reason: "FieldValueRequired", message: "Required value", field: "subjects[\(i)].name"))
            }
            switch kind {
            case "ServiceAccount":
                if !namespaced && (subject["namespace"]?.stringValue ?? "").isEmpty {
                    causes.append(StatusCause(reason: "FieldValueRequired", message: "Required value", field: "subjects[\(i)].namespace"))
                }
            case "User", "Group": break
            default:
                causes.append(StatusCause(
                    reason: "FieldValueNotSupported", message: "Unsupported value: \"\(kind)\": supported values: \"ServiceAccount\", \"User\", \"Group\"",
                    field: "subjects[\(i)].kind"))
            }
        }
        return causes
    }
}
