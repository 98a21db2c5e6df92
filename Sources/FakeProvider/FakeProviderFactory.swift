import JSONCore
import SecretProviders

/// Builds a ``FakeProvider`` from a store's `spec.provider.fake` block:
/// `{data: [{key, value, version?, tags?}]}`.
///
/// A fake built from the spec is writable (scheduled rotations write to it) and keeps its
/// writes in memory while its store spec is unchanged. Tests that need a fake to outlive
/// the operator (a restart in the middle of a rotation) or to be read-only pass it in
/// `instances`, keyed by store name (e.g. `SecretStore/shop/fake`): it is served whatever
/// the spec says.
public struct FakeProviderFactory: ProviderFactory {
    public let kind = "fake"
    /// The schema of ``FakeStoreConfig``, the block this provider reads.
    public var configSchema: JSONValue { FakeStoreConfig.openAPISchema }
    /// Providers served as they are, by store name.
    public let instances: [String: FakeProvider]

    public init(instances: [String: FakeProvider] = [:]) {
        self.instances = instances
    }

    public func makeProvider(_ context: ProviderContext) throws -> any SecretReader {
        try makeFakeProvider(context)
    }

    /// The same, typed, for callers that keep the fake to control it.
    public func makeFakeProvider(_ context: ProviderContext) throws(ProviderError) -> FakeProvider {
        if let instance = instances[context.storeName] { return instance }
        let spec: FakeStoreConfig
        do {
            spec = try context.config.decodeStoreConfig(FakeStoreConfig.self, block: "spec.provider.fake")
        } catch {
            throw error.inStore(context.storeName)
        }
        var seen = Set<String>()
        for item in spec.data {
            guard !item.key.isEmpty else {
                throw ProviderError.invalidRequest(store: context.storeName, detail: "fake: data entry with an empty key")
            }
            if let version = item.version, !version.isEmpty, !seen.insert("\(item.key)@\(version)").inserted {
                throw ProviderError.invalidRequest(store: context.storeName, key: item.key, version: version, detail: "fake: duplicate key and version")
            }
        }
        let entries = spec.data.map { FakeProvider.Entry(key: $0.key, value: $0.value, version: $0.version, tags: $0.tags ?? [:]) }
        return FakeProvider(data: entries, storeName: context.storeName)
    }
}
