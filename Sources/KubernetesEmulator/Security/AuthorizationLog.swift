import NIOConcurrencyHelpers

/// The emulator's record of which binding and rule allowed each request RBAC allowed,
/// so a test can show that every rule of a role is needed (each was used at least once)
/// or that a request was allowed for the reason it expects. Requests of `system:masters`
/// members (the admin token) are not recorded: RBAC is not asked for them.
public final class AuthorizationLog: Sendable {
    /// One allowed request and what allowed it.
    public struct Entry: Sendable, Equatable {
        public var user: String
        public var verb: String
        /// Empty for non-resource requests.
        public var apiGroup: String
        /// `resource` or `resource/subresource`; empty for non-resource requests.
        public var resource: String
        public var namespace: String
        public var name: String
        /// The URL path of a non-resource request (`/api`, `/version`); empty otherwise.
        public var path: String
        /// `RoleBinding` or `ClusterRoleBinding`.
        public var bindingKind: String
        public var bindingName: String
        /// The RoleBinding's namespace; empty for a ClusterRoleBinding.
        public var bindingNamespace: String
        /// `Role` or `ClusterRole`.
        public var roleKind: String
        public var roleName: String
        /// Index of the allowing rule in the role's `rules`.
        public var ruleIndex: Int
    }

    /// One request answered 403 (by RBAC, an admission check or escalation prevention).
    public struct Denial: Sendable, Equatable, CustomStringConvertible {
        public var user: String
        public var verb: String
        public var apiGroup: String
        /// `resource` or `resource/subresource`; empty for non-resource requests.
        public var resource: String
        public var namespace: String
        public var name: String
        public var path: String
        /// The 403's message, as the client read it.
        public var message: String
        public var description: String { "\(verb) \(resource.isEmpty ? path : resource) (\(message))" }
    }

    private let entries = NIOLockedValueBox<[Entry]>([])
    private let refusals = NIOLockedValueBox<[Denial]>([])
    /// Entries kept; older ones are dropped first (a long `rotor dev` session stays bounded).
    public let limit: Int

    init(limit: Int = 100_000) { self.limit = limit }

    /// Every recorded entry, oldest first.
    public var all: [Entry] { entries.withLockedValue { $0 } }

    /// The rule indexes of `roleKind`/`roleName` that allowed at least one request.
    public func usedRules(roleKind: String, roleName: String) -> Set<Int> {
        Set(all.filter { $0.roleKind == roleKind && $0.roleName == roleName }.map(\.ruleIndex))
    }

    /// Every request answered 403 to a user outside `system:masters`, oldest first.
    public var denials: [Denial] { refusals.withLockedValue { $0 } }

    public func reset() {
        entries.withLockedValue { $0.removeAll() }
        refusals.withLockedValue { $0.removeAll() }
    }

    func recordDenial(_ attributes: RequestAttributes, message: String) {
        let denial = Denial(
            user: attributes.user.name, verb: attributes.verb,
            apiGroup: attributes.isResourceRequest ? attributes.apiGroup : "",
            resource: attributes.isResourceRequest ? attributes.resourceAndSubresource : "",
            namespace: attributes.namespace, name: attributes.name, path: attributes.isResourceRequest ? "" : attributes.path, message: message)
        refusals.withLockedValue { refusals in
            if refusals.count >= limit { refusals.removeFirst(refusals.count - limit + 1) }
            refusals.append(denial)
        }
    }

    func record(_ attributes: RequestAttributes, _ grant: RBACGrant) {
        let entry = Entry(
            user: attributes.user.name, verb: attributes.verb,
            apiGroup: attributes.isResourceRequest ? attributes.apiGroup : "",
            resource: attributes.isResourceRequest ? attributes.resourceAndSubresource : "",
            namespace: attributes.namespace, name: attributes.name,
            path: attributes.isResourceRequest ? "" : attributes.path,
            bindingKind: grant.binding.kind, bindingName: grant.binding.name, bindingNamespace: grant.binding.namespace ?? "",
            roleKind: grant.binding.roleKind, roleName: grant.binding.roleName, ruleIndex: grant.ruleIndex)
        entries.withLockedValue { entries in
            if entries.count >= limit { entries.removeFirst(entries.count - limit + 1) }
            entries.append(entry)
        }
    }
}
