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

    private let entries = NIOLockedValueBox<[Entry]>([])
    /// Entries kept; older ones are dropped first (a long `rotor dev` session stays bounded).
    public let limit: Int

    init(limit: Int = 100_000) { self.limit = limit }

    /// Every recorded entry, oldest first.
    public var all: [Entry] { entries.withLockedValue { $0 } }

    /// The rule indexes of `roleKind`/`roleName` that allowed at least one request.
    public func usedRules(roleKind: String, roleName: String) -> Set<Int> {
        Set(all.filter { $0.roleKind == roleKind && $0.roleName == roleName }.map(\.ruleIndex))
    }

    public func reset() { entries.withLockedValue { $0.removeAll() } }

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
