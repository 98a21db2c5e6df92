import AWSProvider
import FakeProvider
import JSONCore
import RotorAPI
import VaultProvider

/// Fixtures write stores in code with the providers' own config types; a store carries each
/// provider block as JSON, which these convert to and from.
extension SecretStoreProvider {
    init(vault: VaultStoreConfig) { self.init(vault: Self.block(vault)) }
    init(aws: AWSStoreConfig) { self.init(aws: Self.block(aws)) }
    init(fake: FakeStoreConfig) { self.init(fake: Self.block(fake)) }

    /// The `vault` block as its config type; setting it rewrites the block.
    var vaultConfig: VaultStoreConfig? {
        get { try? vault?.decode(as: VaultStoreConfig.self) }
        set { vault = newValue.map(Self.block) }
    }

    /// The `fake` block as its config type; setting it rewrites the block.
    var fakeConfig: FakeStoreConfig? {
        get { try? fake?.decode(as: FakeStoreConfig.self) }
        set { fake = newValue.map(Self.block) }
    }

    private static func block(_ config: some Encodable) -> JSONValue {
        do {
            return try JSONValue(encoding: config)
        } catch {
            preconditionFailure("a provider config type always encodes: \(error)")
        }
    }
}
