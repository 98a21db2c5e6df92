import JSONCore
import Logging

/// Builds the provider for one store from its configuration.
///
/// The operator keeps one ``ProviderRegistry`` of factories and maps a store's
/// `spec.provider` (exactly one of `vault`, `aws`, `fake`) to `kind` and `config`.
public protocol ProviderFactory: Sendable {
    /// The provider block's name in the store spec: `vault`, `aws`, `fake`.
    var kind: String { get }

    /// The OpenAPI schema of the provider block, generated from the provider's config type:
    /// the store CRDs carry it under `spec.provider.<kind>`.
    var configSchema: JSONValue { get }

    /// A provider for the store described by `context`. Fails with
    /// ``ProviderError/Class/invalidRequest`` when the configuration is wrong.
    /// Cheap: no network calls here (see ``SecretReader/validate()``).
    func makeProvider(_ context: ProviderContext) throws -> any SecretReader
}

/// Everything a provider gets from the operator, in neutral terms.
public struct ProviderContext: Sendable {
    /// A stable name for the store, for messages, metrics and caches
    /// (e.g. `SecretStore/shop/vault`).
    public var storeName: String
    /// The store's provider block (`spec.provider.<kind>`), as written; the provider decodes
    /// its own config type from it (``JSONCore/JSONValue/decodeStoreConfig(_:block:)``).
    public var config: JSONValue
    /// Resolves credential references of the store (`{name, key, namespace?}`).
    public var secrets: any CredentialResolver
    /// Issues short-lived service-account tokens (Vault kubernetes auth, AWS web identity).
    public var serviceAccountTokens: (any ServiceAccountTokenIssuer)?
    /// Which of the operator's own identities this store may use; none unless the
    /// operator granted it (a ClusterSecretStore the cluster admin allowed).
    public var ambientIdentity: AmbientIdentity
    public var logger: Logger

    public init(
        storeName: String, config: JSONValue, secrets: any CredentialResolver = NoCredentials(),
        serviceAccountTokens: (any ServiceAccountTokenIssuer)? = nil, ambientIdentity: AmbientIdentity = [],
        logger: Logger = Logger(label: "rotor.provider", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.storeName = storeName
        self.config = config
        self.secrets = secrets
        self.serviceAccountTokens = serviceAccountTokens
        self.ambientIdentity = ambientIdentity
        self.logger = logger
    }
}

/// The operator's own identities a store may be granted. A provider uses one only when
/// its store's context grants it; by default none is (defence in depth behind the
/// operator's identity rule: only an allowed ClusterSecretStore gets any).
public struct AmbientIdentity: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// The ServiceAccount token mounted in the operator's pod (Vault kubernetes auth
    /// without `serviceAccountRef`).
    public static let serviceAccountToken = AmbientIdentity(rawValue: 1 << 0)
    /// The pod's cloud identity: AWS environment credentials, the IRSA web-identity
    /// token file, and any role assumed with them (AWS store without `auth`).
    public static let cloudIdentity = AmbientIdentity(rawValue: 1 << 1)
}

/// Reads a credential a store refers to (`tokenSecretRef`, `secretRef`, …).
/// The operator implements it over Kubernetes Secrets and enforces the namespace rules.
public protocol CredentialResolver: Sendable {
    /// The value under `key` of the credential object `name` (in `namespace`, or the store's own).
    func credential(name: String, key: String, namespace: String?) async throws -> SecretValue
}

/// A token for a service account, bound to `audiences` (Kubernetes TokenRequest).
public protocol ServiceAccountTokenIssuer: Sendable {
    func token(serviceAccount: String, namespace: String?, audiences: [String]) async throws -> SecretValue
}

/// A resolver for stores that refer to no credentials; any lookup is refused.
public struct NoCredentials: CredentialResolver {
    public init() {}

    public func credential(name: String, key: String, namespace: String?) async throws -> SecretValue {
        throw ProviderError.invalidRequest(detail: "no credential source: cannot read \(name)/\(key)")
    }
}

/// The factories the operator knows, by kind.
public struct ProviderRegistry: Sendable {
    private var factories: [String: any ProviderFactory] = [:]

    public init(_ factories: [any ProviderFactory] = []) {
        for factory in factories { register(factory) }
    }

    /// Adds `factory`, replacing one of the same kind.
    public mutating func register(_ factory: any ProviderFactory) {
        factories[factory.kind] = factory
    }

    /// The kinds known, sorted.
    public var kinds: [String] { factories.keys.sorted() }

    public func factory(for kind: String) -> (any ProviderFactory)? { factories[kind] }

    /// The provider blocks' schemas by kind, for the store CRDs.
    public var configSchemas: [String: JSONValue] { factories.mapValues(\.configSchema) }

    /// A provider for `kind`; ``ProviderError/Class/unsupported`` for an unknown kind.
    public func makeProvider(kind: String, context: ProviderContext) throws -> any SecretReader {
        guard let factory = factories[kind] else {
            throw ProviderError.unsupported(store: context.storeName, detail: "unknown provider kind \"\(kind)\"; known: \(kinds.joined(separator: ", "))")
        }
        return try factory.makeProvider(context)
    }
}
