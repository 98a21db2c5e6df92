import JSONCore
import SecretProviders

/// Builds the `vault` provider of a store (`spec.provider.vault`).
public struct VaultProviderFactory: ProviderFactory {
    public let kind = "vault"
    /// The schema of ``VaultStoreConfig``, the block this provider reads.
    public var configSchema: JSONValue { VaultStoreConfig.openAPISchema }
    private let now: @Sendable () -> ContinuousClock.Instant
    private let mountedTokenPath: String

    /// Where Kubernetes mounts a pod's own ServiceAccount token.
    public static let defaultMountedTokenPath = "/var/run/secrets/kubernetes.io/serviceaccount/token"

    /// - Parameters:
    ///   - now: the clock token leases are measured with (tests inject one).
    ///   - mountedTokenPath: the operator's own token, read only for a store granted
    ///     ``AmbientIdentity/serviceAccountToken`` (tests inject a file).
    public init(
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now },
        mountedTokenPath: String = VaultProviderFactory.defaultMountedTokenPath
    ) {
        self.now = now
        self.mountedTokenPath = mountedTokenPath
    }

    public func makeProvider(_ context: ProviderContext) throws -> any SecretReader {
        try makeVaultProvider(context)
    }

    /// The same, typed. Cheap: checks the configuration, makes no request.
    public func makeVaultProvider(_ context: ProviderContext) throws(ProviderError) -> VaultProvider {
        try VaultProvider(context: context, now: now, mountedTokenPath: mountedTokenPath)
    }
}
