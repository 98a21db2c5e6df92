import FakeProvider
import JSONCore
import KubeAPI
import FakeProviderTestSupport
import RotorAPI
import RotorOperator
import SecretProviders
import Testing

/// Reading what an ExternalSecret asks for from a provider.
@Suite("ValueResolver")
struct ValueResolverTests {
    static func spec(_ json: String) throws -> ExternalSecretSpec {
        try JSONValue(parsing: json).decode(as: ExternalSecretSpec.self)
    }

    static let provider = FakeProvider(data: [
        .init(key: "shop/db", value: #"{"user":"app","password":"fake-db-pass","port":5432}"#),
        .init(key: "shop/api-key", value: "fake-api-key", tags: ["team": "shop"]),
        .init(key: "shop/api-token", value: "fake-api-token", tags: ["team": "shop"]),
        .init(key: "other/thing", value: "x"),
    ])

    static func strings(_ values: [String: SecretValue]) -> [String: String] {
        values.mapValues { $0.revealedString() ?? "" }
    }

    @Test("data entries select properties of JSON secrets; numbers come back as JSON text")
    func dataWithProperties() async throws {
        let spec = try Self.spec(#"{"secretStoreRef":{"name":"fake"},"data":[{"secretKey":"password","remoteRef":{"key":"shop/db","property":"password"}},{"secretKey":"port","remoteRef":{"key":"shop/db","property":"port"}},{"secretKey":"key","remoteRef":{"key":"shop/api-key"}}]}"#)
        let values = try await ValueResolver.resolve(spec, from: Self.provider).get()
        #expect(Self.strings(values) == ["password": "fake-db-pass", "port": "5432", "key": "fake-api-key"])
    }

    @Test("data wins over dataFrom for the same key; extract brings every property")
    func precedence() async throws {
        let spec = try Self.spec(#"{"secretStoreRef":{"name":"fake"},"dataFrom":[{"extract":{"key":"shop/db"}}],"data":[{"secretKey":"user","remoteRef":{"key":"shop/api-key"}}]}"#)
        let values = try await ValueResolver.resolve(spec, from: Self.provider).get()
        #expect(Self.strings(values) == ["user": "fake-api-key", "password": "fake-db-pass", "port": "5432"])
    }

    @Test("find by path and name maps remote keys to valid Secret keys")
    func findByPath() async throws {
        let spec = try Self.spec(#"{"secretStoreRef":{"name":"fake"},"dataFrom":[{"find":{"path":"shop/","name":{"regexp":"^shop/api-"}}}]}"#)
        let values = try await ValueResolver.resolve(spec, from: Self.provider).get()
        #expect(Self.strings(values) == ["shop_api-key": "fake-api-key", "shop_api-token": "fake-api-token"])
    }

    @Test("one missing key fails the whole read, naming the field, with nothing partial")
    func allOrNothing() async throws {
        let spec = try Self.spec(#"{"secretStoreRef":{"name":"fake"},"data":[{"secretKey":"a","remoteRef":{"key":"shop/api-key"}},{"secretKey":"b","remoteRef":{"key":"shop/missing"}}]}"#)
        let result = await ValueResolver.resolve(spec, from: Self.provider)
        guard case .failure(let failure) = result else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.field == "spec.data[1].remoteRef")
        #expect(failure.error.isSecretMissing)
        #expect(!failure.description.contains("fake-api-key"))
    }

    @Test("a missing property is not a missing secret (so deletionPolicy Delete never fires on a typo)")
    func missingProperty() async throws {
        let spec = try Self.spec(#"{"secretStoreRef":{"name":"fake"},"data":[{"secretKey":"a","remoteRef":{"key":"shop/db","property":"pasword"}}]}"#)
        guard case .failure(let failure) = await ValueResolver.resolve(spec, from: Self.provider) else {
            Issue.record("expected a failure")
            return
        }
        #expect(!failure.error.isSecretMissing)
        #expect(failure.description.contains("pasword"))
        #expect(!failure.description.contains("fake-db-pass"))
    }

    @Test("a provider outage is reported for the field that needed it")
    func providerOutage() async throws {
        let provider = FakeProvider(data: [.init(key: "k", value: "v")])
        await provider.failNextReads(1, with: .transient(key: "k", detail: "connection reset"))
        let spec = try Self.spec(#"{"secretStoreRef":{"name":"fake"},"data":[{"secretKey":"a","remoteRef":{"key":"k"}}]}"#)
        guard case .failure(let failure) = await ValueResolver.resolve(spec, from: provider) else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.error.isRetryable)
    }
}
