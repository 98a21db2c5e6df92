import JSONCore

/// Protobuf bodies of the RBAC types and of the review APIs, as kubectl sends them
/// (`kubectl create role|rolebinding|clusterrole|clusterrolebinding`, `kubectl auth
/// can-i`, `kubectl auth whoami`). Field numbers from k8s.io/api's generated.proto.
extension ProtobufBodies {
    /// The members of the message `raw` for these types, or nil for another type.
    static func decodeAuthorizationTypes(apiVersion: String, kind: String, _ raw: [UInt8]) throws -> JSONObject? {
        var object: JSONObject = [:]
        var reader = ProtoReader(raw)
        switch (apiVersion, kind) {
        case ("rbac.authorization.k8s.io/v1", "Role"), ("rbac.authorization.k8s.io/v1", "ClusterRole"):
            var rules: [JSONValue] = []
            while let (f, v) = try reader.next() {
                switch f {
                case 1: object["metadata"] = .object(try objectMeta(v.bytes))
                case 2: rules.append(.object(try policyRule(v.bytes)))
                case 3:
                    var selectors: [JSONValue] = []
                    var r = ProtoReader(v.bytes)
                    while let (af, av) = try r.next() { if af == 1 { selectors.append(.object(try labelSelector(av.bytes))) } }
                    object["aggregationRule"] = ["clusterRoleSelectors": .array(selectors)]
                default: break
                }
            }
            object["rules"] = .array(rules)
        case ("rbac.authorization.k8s.io/v1", "RoleBinding"), ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"):
            var subjects: [JSONValue] = []
            while let (f, v) = try reader.next() {
                switch f {
                case 1: object["metadata"] = .object(try objectMeta(v.bytes))
                case 2: subjects.append(.object(try strings(v.bytes, [1: "kind", 2: "apiGroup", 3: "name", 4: "namespace"])))
                case 3: object["roleRef"] = .object(try strings(v.bytes, [1: "apiGroup", 2: "kind", 3: "name"]))
                default: break
                }
            }
            if !subjects.isEmpty { object["subjects"] = .array(subjects) }
        case ("authorization.k8s.io/v1", "SelfSubjectAccessReview"), ("authorization.k8s.io/v1", "SubjectAccessReview"),
            ("authorization.k8s.io/v1", "LocalSubjectAccessReview"):
            while let (f, v) = try reader.next() {
                switch f {
                case 1: object["metadata"] = .object(try objectMeta(v.bytes))
                case 2: object["spec"] = .object(try accessReviewSpec(v.bytes))
                default: break
                }
            }
        case ("authorization.k8s.io/v1", "SelfSubjectRulesReview"):
            while let (f, v) = try reader.next() {
                switch f {
                case 1: object["metadata"] = .object(try objectMeta(v.bytes))
                case 2: object["spec"] = .object(try strings(v.bytes, [1: "namespace"]))
                default: break
                }
            }
        case ("authentication.k8s.io/v1", "SelfSubjectReview"):
            while let (f, v) = try reader.next() { if f == 1 { object["metadata"] = .object(try objectMeta(v.bytes)) } }
        case ("authentication.k8s.io/v1", "TokenReview"):
            while let (f, v) = try reader.next() {
                switch f {
                case 1: object["metadata"] = .object(try objectMeta(v.bytes))
                case 2:
                    var spec: JSONObject = [:]
                    var audiences: [JSONValue] = []
                    var r = ProtoReader(v.bytes)
                    while let (sf, sv) = try r.next() {
                        if sf == 1 { spec["token"] = .string(sv.string) }
                        if sf == 2 { audiences.append(.string(sv.string)) }
                    }
                    if !audiences.isEmpty { spec["audiences"] = .array(audiences) }
                    object["spec"] = .object(spec)
                default: break
                }
            }
        default:
            return nil
        }
        return object
    }

    private static func policyRule(_ bytes: [UInt8]) throws -> JSONObject {
        let names = [1: "verbs", 2: "apiGroups", 3: "resources", 4: "resourceNames", 5: "nonResourceURLs"]
        var lists: [String: [JSONValue]] = [:]
        var reader = ProtoReader(bytes)
        while let (f, v) = try reader.next() {
            if let name = names[f] { lists[name, default: []].append(.string(v.string)) }
        }
        return lists.mapValues(JSONValue.array)
    }

    private static func labelSelector(_ bytes: [UInt8]) throws -> JSONObject {
        var matchLabels: JSONObject = [:]
        var expressions: [JSONValue] = []
        var reader = ProtoReader(bytes)
        while let (f, v) = try reader.next() {
            switch f {
            case 1:
                let (k, value) = try mapEntry(v.bytes)
                matchLabels[k] = .string(String(decoding: value, as: UTF8.self))
            case 2:
                var expression = try strings(v.bytes, [1: "key", 2: "operator"])
                var values: [JSONValue] = []
                var r = ProtoReader(v.bytes)
                while let (ef, ev) = try r.next() { if ef == 3 { values.append(.string(ev.string)) } }
                if !values.isEmpty { expression["values"] = .array(values) }
                expressions.append(.object(expression))
            default: break
            }
        }
        var selector: JSONObject = [:]
        if !matchLabels.isEmpty { selector["matchLabels"] = .object(matchLabels) }
        if !expressions.isEmpty { selector["matchExpressions"] = .array(expressions) }
        return selector
    }

    private static func accessReviewSpec(_ bytes: [UInt8]) throws -> JSONObject {
        var spec: JSONObject = [:]
        var groups: [JSONValue] = []
        var reader = ProtoReader(bytes)
        while let (f, v) = try reader.next() {
            switch f {
            case 1:
                spec["resourceAttributes"] = .object(try strings(v.bytes, [
                    1: "namespace", 2: "verb", 3: "group", 4: "version", 5: "resource", 6: "subresource", 7: "name",
                ]))
            case 2: spec["nonResourceAttributes"] = .object(try strings(v.bytes, [1: "path", 2: "verb"]))
            case 3: spec["user"] = .string(v.string)
            case 4: groups.append(.string(v.string))
            case 6: spec["uid"] = .string(v.string)
            default: break
            }
        }
        if !groups.isEmpty { spec["groups"] = .array(groups) }
        return spec
    }
}
