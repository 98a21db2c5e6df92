import AWSProvider
import FakeProvider
import JSONCore
import KubeClient
import Logging
import KubeAPI
import RotorAPI
import SecretProviders
import VaultProvider

extension ProviderRegistry {
    /// Every provider kind Rotor ships: `vault`, `aws` and `fake`.
    public static var rotorDefault: ProviderRegistry {
        ProviderRegistry([VaultProviderFactory(), AWSProviderFactory(), FakeProviderFactory()])
    }
}

extension RotorCRDs {
    /// The CRDs Rotor ships: the stores' provider blocks described by the config types of
    /// every provider in ``SecretProviders/ProviderRegistry/rotorDefault``. What `rotor crds`
    /// prints and `manifests/crds/` holds.
    public static var shipped: [Definition] { all(providers: ProviderRegistry.rotorDefault.configSchemas) }

    /// ``shipped`` as one multi-document YAML text.
    public static var shippedYAML: String { yaml(providers: ProviderRegistry.rotorDefault.configSchemas) }
}

/// One provider per store, shared by every ExternalSecret that uses it — so one login
/// per store, and reads of the same remote key coalesced — rebuilt only when the
/// store's provider block changes.
public actor StoreProviders {
    private struct Entry {
        var provider: SecretStoreProvider
        var reader: CoalescingReader
        /// The provider itself, to retire when the store goes or changes.
        var base: any SecretReader
    }

    private var entries: [StoreIdentity: Entry] = [:]
    private let registry: ProviderRegistry
    private let coalescing: CoalescingReader.Configuration
    private let cacheClock: @Sendable () -> ContinuousClock.Instant
    private let credentials: @Sendable (StoreIdentity) -> any CredentialResolver
    private let serviceAccountTokens: @Sendable (StoreIdentity) -> (any ServiceAccountTokenIssuer)?
    private let logger: Logger
    /// Where every call reaching a provider is audited (``AuditedProvider``); nil: not audited.
    private let audit: AuditLog?
    /// What the cluster admin let ClusterSecretStores use of the operator's own identity.
    public nonisolated let allowances: AmbientIdentityAllowances

    /// - Parameters:
    ///   - registry: the provider kinds this operator knows (`fake` by default).
    ///   - credentials: resolves a store's `{name, key}` credential references.
    ///   - serviceAccountTokens: issues a store's service-account tokens (Vault kubernetes
    ///     auth, AWS web identity); `nil` where none can be issued.
    ///   - allowances: what ClusterSecretStores may use of the operator's own identity
    ///     (``StoreIdentityRule``); nothing by default.
    ///   - cacheClock: the time the stores' caches expire and age reads by (tests pass one
    ///     that follows their manual clock).
    ///   - audit: where provider reads and writes are audited; nil (the default): nowhere.
    public init(
        registry: ProviderRegistry = .rotorDefault,
        coalescing: CoalescingReader.Configuration = CoalescingReader.Configuration(),
        cacheClock: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now },
        logger: Logger = Logger(label: "rotor.providers"),
        credentials: @escaping @Sendable (StoreIdentity) -> any CredentialResolver = { _ in NoCredentials() },
        serviceAccountTokens: @escaping @Sendable (StoreIdentity) -> (any ServiceAccountTokenIssuer)? = { _ in nil },
        allowances: AmbientIdentityAllowances = .none, audit: AuditLog? = nil
    ) {
        self.allowances = allowances
        self.audit = audit
        self.registry = registry
        self.coalescing = coalescing
        self.cacheClock = cacheClock
        self.credentials = credentials
        self.serviceAccountTokens = serviceAccountTokens
        self.logger = logger
    }

    /// The reader for a store, made (or remade, when `provider` changed) on demand: the
    /// store's provider behind its shared cache (which a force-sync can drop keys from).
    /// A store that breaks the ``StoreIdentityRule`` gets no provider (nothing is sent).
    public func reader(for store: StoreIdentity, provider: SecretStoreProvider) throws(ProviderError) -> CoalescingReader {
        if let entry = entries[store] {
            if entry.provider == provider { return entry.reader }
            Self.retire(entry)
            entries[store] = nil
        }
        let grant: StoreIdentityGrant
        switch StoreIdentityRule.evaluate(provider, store: store, allowances: allowances) {
        case .success(let granted): grant = granted
        case .failure(let error):
            throw error
        }
        let (kind, config) = try Self.kindAndConfig(of: provider, store: store)
        let context = ProviderContext(
            storeName: store.description, config: config, secrets: credentials(store),
            serviceAccountTokens: serviceAccountTokens(store), ambientIdentity: grant.ambientIdentity, logger: logger)
        let base: any SecretReader
        do {
            base = try registry.makeProvider(kind: kind, context: context)
        } catch let error as ProviderError {
            throw error.inStore(store.description)
        } catch {
            throw ProviderError.invalidRequest(store: store.description, detail: "cannot build the \(kind) provider: \(type(of: error))")
        }
        let audited = audit.map { AuditedProvider(base, audit: $0, store: store.description, kind: kind) as any SecretReader } ?? base
        let reader = CoalescingReader(MeteredProvider(audited, kind: kind), configuration: coalescing, now: cacheClock)
        entries[store] = Entry(provider: provider, reader: reader, base: base)
        return reader
    }

    /// Providers for the stores of a cluster: credentials from its Secrets, tokens from
    /// its TokenRequest API.
    public static func kubernetes(
        client: any KubernetesClient, registry: ProviderRegistry = .rotorDefault,
        coalescing: CoalescingReader.Configuration = CoalescingReader.Configuration(),
        cacheClock: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }, logger: Logger,
        allowances: AmbientIdentityAllowances = .none, audit: AuditLog? = nil
    ) -> StoreProviders {
        let apiAudiences = APIServerAudiences(client: client)
        return StoreProviders(
            registry: registry, coalescing: coalescing, cacheClock: cacheClock, logger: logger,
            credentials: { KubernetesCredentials(client: client, store: $0) },
            serviceAccountTokens: { KubernetesServiceAccountTokens(client: client, store: $0, apiAudiences: apiAudiences) },
            allowances: allowances, audit: audit)
    }

    /// Drops a store's provider (the store was deleted), retiring it.
    public func forget(_ store: StoreIdentity) {
        if let entry = entries.removeValue(forKey: store) { Self.retire(entry) }
    }

    /// Gives back what a dropped provider holds (a Vault login token: `revoke-self`) in a
    /// detached task, so that a reconcile never waits for it; the provider bounds its own
    /// requests (short timeout, one retry). Its cached reads are dropped from the budget.
    private static func retire(_ entry: Entry) {
        let reader = entry.reader
        let retiring = entry.base as? any RetiringProvider
        Task.detached {
            await reader.invalidateAll()
            await retiring?.retire()
        }
    }

    /// The provider kind set in `spec.provider` (exactly one of vault, aws, fake) and its block,
    /// as written: the provider decodes it.
    static func kindAndConfig(of provider: SecretStoreProvider, store: StoreIdentity) throws(ProviderError) -> (String, JSONValue) {
        let set = provider.blocks
        guard set.count == 1 else {
            throw ProviderError.invalidRequest(
                store: store.description,
                detail: "spec.provider must set exactly one of \(SecretStoreProvider.kinds.joined(separator: ", ")) (found \(set.isEmpty ? "none" : set.map(\.kind).joined(separator: ", ")))")
        }
        return set[0]
    }
}
