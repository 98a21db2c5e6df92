import FakeProvider
import Logging
import RotorAPI
import SecretProviders

/// One provider per store, shared by every ExternalSecret that uses it — so one login
/// per store, and reads of the same remote key coalesced — rebuilt only when the
/// store's provider block changes.
public actor StoreProviders {
    private struct Entry {
        var provider: SecretStoreProvider
        var reader: CoalescingReader
    }

    private var entries: [StoreIdentity: Entry] = [:]
    private let registry: ProviderRegistry
    private let coalescing: CoalescingReader.Configuration
    private let credentials: @Sendable (StoreIdentity) -> any CredentialResolver
    private let logger: Logger

    /// - Parameters:
    ///   - registry: the provider kinds this operator knows (`fake` by default).
    ///   - credentials: resolves a store's `{name, key}` credential references.
    public init(
        registry: ProviderRegistry = ProviderRegistry([FakeProviderFactory()]),
        coalescing: CoalescingReader.Configuration = CoalescingReader.Configuration(),
        logger: Logger = Logger(label: "rotor.providers"),
        credentials: @escaping @Sendable (StoreIdentity) -> any CredentialResolver = { _ in NoCredentials() }
    ) {
        self.registry = registry
        self.coalescing = coalescing
        self.credentials = credentials
        self.logger = logger
    }

    /// The reader for a store, made (or remade, when `provider` changed) on demand.
    public func reader(for store: StoreIdentity, provider: SecretStoreProvider) throws(ProviderError) -> any SecretReader {
        if let entry = entries[store], entry.provider == provider { return entry.reader }
        let (kind, config) = try Self.kindAndConfig(of: provider, store: store)
        let context = ProviderContext(storeName: store.description, config: config, secrets: credentials(store), logger: logger)
        let base: any SecretReader
        do {
            base = try registry.makeProvider(kind: kind, context: context)
        } catch let error as ProviderError {
            throw error.inStore(store.description)
        } catch {
            throw ProviderError.invalidRequest(store: store.description, detail: "cannot build the \(kind) provider: \(type(of: error))")
        }
        let reader = CoalescingReader(base, configuration: coalescing)
        entries[store] = Entry(provider: provider, reader: reader)
        return reader
    }

    /// Drops a store's provider (the store was deleted).
    public func forget(_ store: StoreIdentity) {
        entries[store] = nil
    }

    /// The provider kind set in `spec.provider` (exactly one of vault, aws, fake) and its block.
    static func kindAndConfig(of provider: SecretStoreProvider, store: StoreIdentity) throws(ProviderError) -> (String, ProviderConfigValue) {
        var set: [(String, ProviderConfigValue)] = []
        if let vault = provider.vault { set.append(("vault", try ProviderConfigValue(encoding: vault))) }
        if let aws = provider.aws { set.append(("aws", try ProviderConfigValue(encoding: aws))) }
        if let fake = provider.fake { set.append(("fake", try ProviderConfigValue(encoding: fake))) }
        guard set.count == 1 else {
            throw ProviderError.invalidRequest(
                store: store.description,
                detail: "spec.provider must set exactly one of vault, aws, fake (found \(set.isEmpty ? "none" : set.map(\.0).joined(separator: ", ")))")
        }
        return set[0]
    }
}
