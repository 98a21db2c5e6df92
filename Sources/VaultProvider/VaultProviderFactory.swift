import SecretProviders

/// Builds the `vault` provider of a store (`spec.provider.vault`).
public struct VaultProviderFactory: ProviderFactory {
    public let kind = "vault"

    public init() {}

    public func makeProvider(_ context: ProviderContext) throws -> any SecretReader {
        throw ProviderError.unsupported(store: context.storeName, detail: "the vault provider is not built yet")
    }
}
