import Foundation
import JSONCore
import KubeAPI

/// The create-only review APIs: TokenReview, SelfSubjectReview (who am I),
/// SelfSubjectAccessReview, SubjectAccessReview and LocalSubjectAccessReview (may this
/// user do that). Nothing is stored; the answer is the request with a `status`.
extension ResourceEndpoints {
    func review() async throws -> APIResponse {
        switch resource.id {
        case ResourceRegistry.tokenReviews: return try await reviewToken()
        case ResourceRegistry.selfSubjectReviews: return try reviewSelf()
        case ResourceRegistry.selfSubjectRulesReviews: return try await reviewRules()
        case ResourceRegistry.selfSubjectAccessReviews, ResourceRegistry.subjectAccessReviews, ResourceRegistry.localSubjectAccessReviews:
            return try await reviewAccess()
        default: throw APIError.methodNotAllowed()
        }
    }

    private func reviewSelf() throws -> APIResponse {
        _ = try parseBody()
        var userInfo: JSONObject = ["username": .string(user.name), "groups": .array(user.groups.map(JSONValue.string))]
        if let uid = user.uid { userInfo["uid"] = .string(uid) }
        return .json([
            "kind": "SelfSubjectReview", "apiVersion": "authentication.k8s.io/v1", "metadata": ["creationTimestamp": nil],
            "status": ["userInfo": .object(userInfo)],
        ], status: .created)
    }

    /// What the caller may do in `spec.namespace` (`kubectl auth can-i --list`).
    private func reviewRules() async throws -> APIResponse {
        var body = try parseBody()
        let namespace = body.value(at: ["spec", "namespace"])?.stringValue ?? ""
        let (rules, incomplete) = server.authorization.enabled
            ? RBACAuthorizer.rules(for: user, namespace: namespace, policy: await server.store.rbacPolicy())
            : ([PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"]), PolicyRule(verbs: ["*"], nonResourceURLs: ["*"])], false)
        func list(_ rule: PolicyRule, _ keys: [String]) -> JSONValue {
            guard case .object(let object) = rule.json else { return .null }
            var out: JSONObject = ["verbs": object["verbs"] ?? []]
            for key in keys where object[key] != nil { out[key] = object[key] }
            return .object(out)
        }
        let resourceRules = rules.filter { $0.nonResourceURLs.isEmpty }.map { list($0, ["apiGroups", "resources", "resourceNames"]) }
        let nonResourceRules = rules.filter { !$0.nonResourceURLs.isEmpty }.map { list($0, ["nonResourceURLs"]) }
        body["kind"] = "SelfSubjectRulesReview"
        body["apiVersion"] = "authorization.k8s.io/v1"
        body["metadata"] = ["creationTimestamp": nil]
        body["spec"] = namespace.isEmpty ? [:] : ["namespace": .string(namespace)]
        var status: JSONObject = ["resourceRules": .array(resourceRules), "nonResourceRules": .array(nonResourceRules), "incomplete": .bool(incomplete)]
        if incomplete { status["evaluationError"] = "some bound roles were not found" }
        body["status"] = .object(status)
        return .json(.object(body), status: .created)
    }

    private func reviewAccess() async throws -> APIResponse {
        var body = try parseBody()
        let spec = body["spec"]?.objectValue ?? [:]
        let kind = resource.kind
        func invalid(_ field: String, _ message: String) -> APIError {
            APIError(
                code: 422, reason: "Invalid", message: "\(kind).authorization.k8s.io \"\" is invalid: \(field): \(message)",
                details: StatusDetails(group: "authorization.k8s.io", kind: kind, causes: [StatusCause(reason: "FieldValueInvalid", message: message, field: field)]))
        }
        let resourceAttributes = spec["resourceAttributes"]?.objectValue
        let nonResourceAttributes = spec["nonResourceAttributes"]?.objectValue
        if (resourceAttributes == nil) == (nonResourceAttributes == nil) {
            throw invalid("spec.resourceAttributes", "Invalid value: \"null\": exactly one of nonResourceAttributes or resourceAttributes must be specified")
        }
        // Whose access: the caller's for the Self review, the spec's user and groups otherwise.
        let subject: UserInfo
        if resource.id == ResourceRegistry.selfSubjectAccessReviews {
            subject = user
        } else {
            let name = spec["user"]?.stringValue ?? ""
            let groups = spec["groups"]?.arrayValue?.compactMap(\.stringValue) ?? []
            if name.isEmpty && groups.isEmpty {
                throw invalid("spec.user", "Invalid value: \"\": at least one of user or group must be specified")
            }
            subject = UserInfo(name: name, uid: spec["uid"]?.stringValue, groups: groups)
        }
        var attributes: RequestAttributes
        if let r = resourceAttributes {
            func text(_ key: String) -> String { r[key]?.stringValue ?? "" }
            var namespace = text("namespace")
            if resource.id == ResourceRegistry.localSubjectAccessReviews {
                if namespace.isEmpty { namespace = target.namespace ?? "" }
                guard namespace == target.namespace else {
                    throw invalid("spec.resourceAttributes.namespace", "Invalid value: \"\(namespace)\": must match metadata.namespace")
                }
            }
            attributes = RequestAttributes(
                user: subject, verb: text("verb"), isResourceRequest: true, apiGroup: text("group"), apiVersion: text("version"),
                resource: text("resource"), subresource: text("subresource"), namespace: namespace, name: text("name"))
        } else {
            let n = nonResourceAttributes!
            attributes = RequestAttributes(
                user: subject, verb: n["verb"]?.stringValue ?? "", isResourceRequest: false, path: n["path"]?.stringValue ?? "")
        }
        let decision = await server.authorization.decide(attributes, record: false)
        var status: JSONObject = ["allowed": .bool(decision.allowed)]
        if !decision.reason.isEmpty { status["reason"] = .string(decision.reason) }
        // The spec is echoed as kube-apiserver re-encodes it: empty strings are omitted.
        body["spec"] = Self.omittingEmptyStrings(.object(spec))
        body["kind"] = .string(kind)
        body["apiVersion"] = "authorization.k8s.io/v1"
        var metadata = body["metadata"]?.objectValue ?? [:]
        metadata["creationTimestamp"] = .null
        body["metadata"] = .object(metadata)
        body["status"] = .object(status)
        return .json(.object(body), status: .created)
    }

    private static func omittingEmptyStrings(_ value: JSONValue) -> JSONValue {
        guard case .object(let object) = value else { return value }
        return .object(object.filter { $0.value != .string("") }.mapValues(omittingEmptyStrings))
    }
}
