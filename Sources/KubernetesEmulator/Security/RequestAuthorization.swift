import JSONCore
import KubeAPI

/// Applies the authorizer to a request (the I/O around ``RBACAuthorizer``): reads the
/// policy from the store, records what allowed the request, and words a denial as
/// kube-apiserver's 403 does.
struct RequestAuthorization: Sendable {
    let store: ClusterStore
    let log: AuthorizationLog
    /// Off: every authenticated or anonymous request is allowed (`--authorization-mode=AlwaysAllow`).
    let enabled: Bool
    /// The `OwnerReferencesPermissionEnforcement` admission plugin (``OwnerReferencesAdmission``).
    var enforcesOwnerReferencePermissions = false

    /// The decision for `attributes`; with `record`, what allowed it goes to the log (access
    /// reviews ask without recording: they only describe a request).
    func decide(_ attributes: RequestAttributes, record: Bool = true) async -> AuthorizationDecision {
        guard enabled else { return AuthorizationDecision(allowed: true, reason: "") }
        // The privileged group needs no policy (and the admin's requests stay as fast as before).
        if attributes.user.isPrivileged { return RBACAuthorizer.authorize(attributes, policy: RBACPolicy()) }
        let decision = RBACAuthorizer.authorize(attributes, policy: await store.rbacPolicy())
        if record, let grant = decision.grant { log.record(attributes, grant) }
        return decision
    }

    /// Throws kube-apiserver's 403 unless the request is allowed.
    func check(_ attributes: RequestAttributes) async throws {
        let decision = await decide(attributes)
        if !decision.allowed { throw Self.forbidden(attributes, reason: decision.reason) }
    }

    /// `configmaps "visible" is forbidden: User "…" cannot get resource "configmaps" in API
    /// group "" in the namespace "ns"`, with details naming the resource (not the subresource).
    static func forbidden(_ attributes: RequestAttributes, reason: String) -> APIError {
        var message = attributes.forbiddenReason
        if !reason.isEmpty { message += ": " + reason }
        guard attributes.isResourceRequest else {
            return APIError(code: 403, reason: "Forbidden", message: "forbidden: " + message, details: StatusDetails())
        }
        let qualified = attributes.apiGroup.isEmpty ? attributes.resource : "\(attributes.resource).\(attributes.apiGroup)"
        let subject = attributes.name.isEmpty ? qualified : "\(qualified) \"\(attributes.name)\""
        return APIError(
            code: 403, reason: "Forbidden", message: "\(subject) is forbidden: \(message)",
            details: StatusDetails(
                name: attributes.name.isEmpty ? nil : attributes.name, group: attributes.apiGroup.isEmpty ? nil : attributes.apiGroup,
                kind: attributes.resource))
    }
}
