import SecretProviders

/// Builds the `aws` provider of a store (`spec.provider.aws`).
public struct AWSProviderFactory: ProviderFactory {
    public let kind = "aws"

    public init() {}

    public func makeProvider(_ context: ProviderContext) throws -> any SecretReader {
        throw ProviderError.unsupported(store: context.storeName, detail: "the aws provider is not built yet")
    }
}
