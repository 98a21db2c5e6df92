import EmulatorTestSupport
import JSONCore
import RotorAPI
import SecretProviders
import Testing

@testable import RotorOperator

/// One provider per store, rebuilt only when the store's provider block changes.
@Suite("StoreProviders")
struct StoreProvidersTests {
    static let store = StoreIdentity.secretStore(namespace: "shop", name: "fake")

    static func provider(_ json: String) throws -> SecretStoreProvider {
        try JSONValue(parsing: json).decode(as: SecretStoreProvider.self)
    }

    @Test("a fake store's data is served, and the same spec reuses the same provider")
    func fakeStoreIsReused() async throws {
        let providers = StoreProviders()
        let spec = try Self.provider(#"{"fake":{"data":[{"key":"db/password","value":"fake-one","version":"1"}]}}"#)
        let first = try await providers.reader(for: Self.store, provider: spec)
        #expect(try await first.read(RemoteSecretID(key: "db/password")).value.revealedString() == "fake-one")
        let again = try await providers.reader(for: Self.store, provider: spec)
        let same = ObjectIdentifier(first as AnyObject) == ObjectIdentifier(again as AnyObject)
        #expect(same, "one provider (one login, one cache) per store")
    }

    @Test("a deleted store's provider and its cached values are dropped")
    func deletedStoreIsForgotten() async throws {
        let providers = StoreProviders()
        let spec = try Self.provider(#"{"fake":{"data":[{"key":"k","value":"fake-one"}]}}"#)
        let before = try await providers.reader(for: Self.store, provider: spec)
        _ = try await before.read(RemoteSecretID(key: "k"))
        #expect(await before.cachedCount == 1)
        try await EmulatedCluster.with { cluster in
            let action = try await SecretStoreController.reconcile(
                SecretStore?.none, identity: Self.store, client: cluster.client, providers: providers)
            #expect(action == .done)
        }
        let after = try await providers.reader(for: Self.store, provider: spec)
        #expect(ObjectIdentifier(before) != ObjectIdentifier(after), "a new provider, with an empty cache")
        #expect(await after.cachedCount == 0)
    }

    @Test("editing the store's provider block replaces the provider, so new values are served")
    func changedSpecRebuilds() async throws {
        let providers = StoreProviders()
        let one = try Self.provider(#"{"fake":{"data":[{"key":"k","value":"fake-one"}]}}"#)
        let two = try Self.provider(#"{"fake":{"data":[{"key":"k","value":"fake-two"}]}}"#)
        _ = try await providers.reader(for: Self.store, provider: one)
        let reader = try await providers.reader(for: Self.store, provider: two)
        #expect(try await reader.read(RemoteSecretID(key: "k")).value.revealedString() == "fake-two")
    }

    @Test("a store must set exactly one provider; the error names the store and the field")
    func exactlyOneProvider() async throws {
        let providers = StoreProviders()
        let none = try Self.provider("{}")
        do {
            _ = try await providers.reader(for: Self.store, provider: none)
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("spec.provider"))
            #expect(error.description.contains("SecretStore/shop/fake"))
        }
        let unknownKind = try Self.provider(#"{"vault":{"server":"https://vault:8200","path":"secret"}}"#)
        await #expect(throws: (any Error).self) { try await providers.reader(for: Self.store, provider: unknownKind) }
    }

    @Test("a provider block of the wrong shape is refused before any request; the error names the field path, not its value")
    func malformedBlockNamesTheField() async throws {
        let providers = StoreProviders()
        let cases = [
            (#"{"vault":{"server":"https://vault:8200","auth":{"kubernetes":"hidden-text"}}}"#, "spec.provider.vault.auth.kubernetes"),
            (#"{"aws":{"region":"eu-west-1","auth":{"secretRef":["hidden-text"]}}}"#, "spec.provider.aws.auth.secretRef"),
            (#"{"fake":{"data":[{"key":"k","value":["hidden-text"]}]}}"#, "spec.provider.fake.data[0].value"),
        ]
        for (json, field) in cases {
            let spec = try Self.provider(json)
            do throws(ProviderError) {
                _ = try await providers.reader(for: Self.store, provider: spec)
                Issue.record("expected an error for \(field)")
            } catch {
                #expect(error.class == .invalidRequest)
                #expect(error.description.contains(field), "\(error.description)")
                #expect(!error.description.contains("hidden-text"))
            }
        }
    }
}
