import SecretProviders

/// Builds the `vault` provider of a store (`spec.provider.vault`).
public struct VaultProviderFactory: ProviderFactory {
    public let kind = "vault"
    private let now: @Sendable () -> ContinuousClock.Instant

    /// - Parameter now: the clock token leases are measured with (tests inject one).
    public init(now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.now = now
    }

    public func makeProvider(_ context: ProviderContext) throws -> any SecretReader {
        try makeVaultProvider(context)
    }

    /// The same, typed. Cheap: checks the configuration, makes no request.
    public func makeVaultProvider(_ context: ProviderContext) throws(ProviderError) -> VaultProvider {
        try VaultProvider(context: context, now: now)
    }
}
