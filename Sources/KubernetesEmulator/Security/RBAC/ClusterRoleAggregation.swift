import JSONCore

/// What kube-controller-manager's ClusterRole aggregation controller computes: a
/// ClusterRole with an `aggregationRule` has as rules the union of the rules of every
/// other ClusterRole matched by one of its `clusterRoleSelectors`, taken in name order,
/// without duplicates. Pure: the ClusterRoles in, the wanted rules out.
enum ClusterRoleAggregation {
    /// The rules `role` should have, or nil when it has no aggregation rule.
    static func aggregatedRules(for role: JSONObject, among clusterRoles: [(name: String, object: JSONObject)]) -> [PolicyRule]? {
        guard let selectors = role.value(at: ["aggregationRule", "clusterRoleSelectors"])?.arrayValue else { return nil }
        let name = role.value(at: ["metadata", "name"])?.stringValue
        let queries = selectors.map(LabelSelectorQuery.init(labelSelector:))
        var rules: [PolicyRule] = []
        var seen: Set<PolicyRule> = []
        for other in clusterRoles.sorted(by: { $0.name < $1.name }) where other.name != name {
            let labels = other.object.value(at: ["metadata", "labels"])?.objectValue ?? [:]
            // An empty selector matches nothing here, as the controller skips it.
            guard queries.contains(where: { !$0.isEmpty && $0.matches(labels) }) else { continue }
            for rule in RBACPolicy.rules(of: other.object) where seen.insert(rule).inserted {
                rules.append(rule)
            }
        }
        return rules
    }
}

extension LabelSelectorQuery {
    /// A `metav1.LabelSelector` (matchLabels and matchExpressions) as a query.
    init(labelSelector json: JSONValue) {
        var requirements: [Requirement] = []
        for (key, value) in (json["matchLabels"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            requirements.append(.equals(key, value.stringValue ?? ""))
        }
        for expression in json["matchExpressions"]?.arrayValue ?? [] {
            let key = expression["key"]?.stringValue ?? ""
            let values = Set(expression["values"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            switch expression["operator"]?.stringValue {
            case "In": requirements.append(.isIn(key, values))
            case "NotIn": requirements.append(.notIn(key, values))
            case "Exists": requirements.append(.exists(key))
            case "DoesNotExist": requirements.append(.doesNotExist(key))
            default: requirements.append(.isIn(key, []))  // an unknown operator matches nothing
            }
        }
        self.requirements = requirements
    }
}
