import RotorAPI

/// Which store an ExternalSecret reads from, by kind, namespace and name.
public struct StoreIdentity: Sendable, Hashable, CustomStringConvertible {
    public var kind: SecretStoreKind
    /// The store's namespace; `nil` for a ClusterSecretStore.
    public var namespace: String?
    public var name: String

    public init(kind: SecretStoreKind, namespace: String?, name: String) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
    }

    public static func secretStore(namespace: String, name: String) -> StoreIdentity {
        StoreIdentity(kind: .secretStore, namespace: namespace, name: name)
    }

    public static func clusterSecretStore(name: String) -> StoreIdentity {
        StoreIdentity(kind: .clusterSecretStore, namespace: nil, name: name)
    }

    /// `SecretStore/shop/vault` or `ClusterSecretStore/aws`: the name providers, caches and
    /// metrics know the store by (``SecretProviders/ProviderContext/storeName``).
    public var description: String {
        if let namespace { return "\(kind.rawValue)/\(namespace)/\(name)" }
        return "\(kind.rawValue)/\(name)"
    }

    /// `SecretStore "vault" in namespace "shop"` or `ClusterSecretStore "aws"`, for messages.
    public var phrase: String {
        if let namespace { return "\(kind.rawValue) \"\(name)\" in namespace \"\(namespace)\"" }
        return "\(kind.rawValue) \"\(name)\""
    }
}

/// A store an ExternalSecret may read from, ready for the provider factory.
public struct ResolvedStore: Sendable, Hashable {
    public var identity: StoreIdentity
    /// The store's `spec.provider`. Holds credential references and, for the fake
    /// provider, values: never print it.
    public var provider: SecretStoreProvider
    /// The store's `metadata.generation`: part of ``SyncedVersion`` so that a store
    /// change makes its ExternalSecrets due.
    public var generation: Int64?

    public init(identity: StoreIdentity, provider: SecretStoreProvider, generation: Int64?) {
        self.identity = identity
        self.provider = provider
        self.generation = generation
    }
}

/// The outcome of finding an ExternalSecret's store: usable, or why not.
///
/// Rules: `spec.secretStoreRef.kind` (default `SecretStore`) must be a known kind; a
/// `SecretStore` is looked up in the ExternalSecret's own namespace only (the reference has
/// no namespace, so cross-namespace use cannot be expressed); a `ClusterSecretStore` must
/// admit the namespace by its `spec.conditions`, and fails closed: when a condition that
/// could admit it needs the namespace's labels (a `namespaceSelector`) and they are not known
/// (lookup failed, cache not synced, namespace not found), the store is refused
/// (`StoreNotReady`, or `Forbidden` when the operator may not read them), never admitted;
/// the store's `Ready` condition must be
/// `True`. Whether that condition describes the store's latest generation is not checked:
/// editing a working store would otherwise flip every ExternalSecret using it to
/// `StoreNotReady` until the store reconciler has run.
public enum StoreResolution: Sendable, Hashable {
    case resolved(ResolvedStore)
    case failed(SyncFailure)

    /// Resolves `externalSecret.spec.secretStoreRef`.
    ///
    /// - Parameters:
    ///   - namespaceLabels: the labels of the ExternalSecret's namespace, for
    ///     `namespaceSelector` conditions of a ClusterSecretStore.
    ///   - secretStore: looks up a SecretStore by namespace and name (e.g. in the informer cache).
    ///   - clusterSecretStore: looks up a ClusterSecretStore by name.
    public static func resolve(
        _ externalSecret: ExternalSecret,
        namespaceLabels: [String: String],
        secretStore: (_ namespace: String, _ name: String) -> SecretStore?,
        clusterSecretStore: (_ name: String) -> ClusterSecretStore?
    ) -> StoreResolution {
        resolve(
            externalSecret, namespaceLabels: NamespaceLabelLookup.known(namespaceLabels), secretStore: secretStore,
            clusterSecretStore: clusterSecretStore)
    }

    /// Resolves `externalSecret.spec.secretStoreRef`, with what is known of its
    /// namespace's labels (``needsNamespaceLabels(_:namespace:)`` says whether to look).
    public static func resolve(
        _ externalSecret: ExternalSecret,
        namespaceLabels: NamespaceLabelLookup,
        secretStore: (_ namespace: String, _ name: String) -> SecretStore?,
        clusterSecretStore: (_ name: String) -> ClusterSecretStore?
    ) -> StoreResolution {
        let ref = externalSecret.spec.secretStoreRef
        let namespace = externalSecret.namespace ?? ""
        guard !ref.name.isEmpty else {
            return .failed(.invalidSpec(field: "spec.secretStoreRef.name", problem: "must name a store"))
        }
        switch ref.effectiveKind {
        case .secretStore:
            let identity = StoreIdentity.secretStore(namespace: namespace, name: ref.name)
            guard let store = secretStore(namespace, ref.name) else {
                return .failed(.storeNotReady("SecretStore \"\(ref.name)\" not found in namespace \"\(namespace)\""))
            }
            if let failure = readiness(of: identity, status: store.status) { return .failed(failure) }
            return .resolved(ResolvedStore(identity: identity, provider: store.spec.provider, generation: store.metadata.generation))
        case .clusterSecretStore:
            let identity = StoreIdentity.clusterSecretStore(name: ref.name)
            guard let store = clusterSecretStore(ref.name) else {
                return .failed(.storeNotReady("ClusterSecretStore \"\(ref.name)\" not found"))
            }
            if needsNamespaceLabels(store, namespace: namespace), case .unknown(let why, let forbidden) = namespaceLabels {
                // A refusal names the permission: get "namespaces" is the chart's rule for it.
                let reason = forbidden ? "\(why): the operator's RBAC does not allow get \"namespaces\"" : why
                let message =
                    "cannot read namespace \"\(namespace)\"'s labels (\(reason)); ClusterSecretStore \"\(ref.name)\"'s spec.conditions need them"
                return .failed(forbidden ? .forbidden(message) : .storeNotReady(message))
            }
            let labels: [String: String]
            if case .known(let known) = namespaceLabels { labels = known } else { labels = [:] }
            guard store.spec.admits(namespace: namespace, labels: labels) else {
                return .failed(.forbidden(
                    "ClusterSecretStore \"\(ref.name)\" does not admit namespace \"\(namespace)\" (see its spec.conditions)"))
            }
            if let failure = readiness(of: identity, status: store.status) { return .failed(failure) }
            return .resolved(ResolvedStore(identity: identity, provider: store.spec.provider, generation: store.metadata.generation))
        default:
            let known = SecretStoreKind.knownValues.map(\.rawValue).joined(separator: " or ")
            return .failed(.invalidSpec(
                field: "spec.secretStoreRef.kind", problem: "\"\(ref.effectiveKind.rawValue)\" is not a store kind (use \(known))"))
        }
    }

    /// Whether admitting `namespace` to `store` depends on the namespace's labels: the store
    /// has conditions, none names the namespace, and one has a `namespaceSelector`. Only
    /// then are the labels looked up (and their being unknown refuses the store).
    public static func needsNamespaceLabels(_ store: ClusterSecretStore, namespace: String) -> Bool {
        guard let conditions = store.spec.conditions, !conditions.isEmpty else { return false }
        if conditions.contains(where: { $0.namespaces?.contains(namespace) == true }) { return false }
        return conditions.contains { $0.namespaceSelector != nil }
    }

    /// `StoreNotReady` unless the store's `Ready` condition is `True`. The store's own
    /// reason and message are passed on: the store reconciler builds them from names and
    /// provider error codes only.
    static func readiness(of identity: StoreIdentity, status: SecretStoreStatus?) -> SyncFailure? {
        guard let ready = status?.conditions?.first(ofType: SecretStoreConditions.ready) else {
            return .storeNotReady("\(identity.phrase) has not been checked yet", isPending: true)
        }
        guard ready.status != .true else { return nil }
        var message = "\(identity.phrase) is not ready"
        let cause = [ready.reason, ready.message].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
        if !cause.isEmpty { message += " (\(cause))" }
        return .storeNotReady(message)
    }

    /// The store, when resolved.
    public var store: ResolvedStore? {
        if case .resolved(let store) = self { return store }
        return nil
    }

    /// The failure, when not resolved.
    public var failure: SyncFailure? {
        if case .failed(let failure) = self { return failure }
        return nil
    }
}
