import FakeProvider
import FakeProviderTestSupport
import JSONCore
import SecretProviders
import Testing

@Suite("FakeProvider")
struct FakeProviderTests {
    func makeFake() -> FakeProvider {
        FakeProvider(data: [
            .init(key: "shop/db", value: #"{"user":"admin","password":"one"}"#, version: "1"),
            .init(key: "shop/db", value: #"{"user":"admin","password":"two"}"#, version: "2"),
            .init(key: "shop/api-key", value: "k1", tags: ["team": "shop"]),
            .init(key: "shop/api-token", value: "t1", tags: ["team": "pay"]),
            .init(key: "other/api-key", value: "x", tags: ["team": "shop"]),
        ])
    }

    @Test("serves the current version, a pinned version, and properties of JSON values")
    func readsAndVersions() async throws {
        let fake = makeFake()
        let current = try await fake.read(RemoteSecretID(key: "shop/db"))
        #expect(current.version == "2")
        let values = try await fake.values(for: [
            RemoteRef(key: "shop/db", property: "password"), RemoteRef(key: "shop/db", property: "password", version: "1"),
        ])
        #expect(try values[RemoteRef(key: "shop/db", property: "password")]?.get() == .text("two"))
        #expect(try values[RemoteRef(key: "shop/db", property: "password", version: "1")]?.get() == .text("one"))
        #expect(await fake.versions(of: "shop/db") == ["1", "2"])
        #expect(try await fake.read(RemoteSecretID(key: "shop/api-key")).version == "1")
    }

    @Test("an unknown key or version is notFound for that key only")
    func notFound() async throws {
        let fake = makeFake()
        let results = try await fake.read([RemoteSecretID(key: "nope"), RemoteSecretID(key: "shop/db", version: "9"), RemoteSecretID(key: "shop/db")])
        let missing = try #require(#expect(throws: ProviderError.self) { try results[RemoteSecretID(key: "nope")]?.get() })
        #expect(missing.isSecretMissing && missing.key == "nope")
        #expect(throws: ProviderError.self) { try results[RemoteSecretID(key: "shop/db", version: "9")]?.get() }
        #expect(try results[RemoteSecretID(key: "shop/db")]?.get().version == "2")
    }

    @Test("find filters by path prefix, name regexp and tags")
    func find() async throws {
        let fake = makeFake()
        #expect(try await fake.find(FindQuery(path: "shop/")) == ["shop/api-key", "shop/api-token", "shop/db"])
        #expect(try await fake.find(FindQuery(path: "shop/", nameRegexp: "api-")) == ["shop/api-key", "shop/api-token"])
        #expect(try await fake.find(FindQuery(nameRegexp: "^other/")) == ["other/api-key"])
        #expect(try await fake.find(FindQuery(nameRegexp: "api", tags: ["team": "shop"])) == ["other/api-key", "shop/api-key"])
        let error = try #require(await #expect(throws: ProviderError.self) { try await fake.find(FindQuery(nameRegexp: "(")) })
        #expect(error.class == .invalidRequest)
    }

    @Test("writes bump the version; the same idempotency token replays the same version")
    func writesAndIdempotency() async throws {
        let fake = makeFake()
        let document = SecretValue.text(#"{"user":"admin","port":5432,"password":"three"}"#)
        let version = try await fake.write(key: "shop/db", document: document, idempotencyToken: "rot-1", expectedVersion: "2")
        #expect(version == "3")
        let replay = try await fake.write(key: "shop/db", document: document, idempotencyToken: "rot-1", expectedVersion: "2")
        #expect(replay == "3")
        #expect(await fake.versions(of: "shop/db") == ["1", "2", "3"])
        #expect(await fake.writeCount == 1)
        let value = try await fake.values(for: [RemoteRef(key: "shop/db", property: "password")]).values.first?.get()
        #expect(value == .text("three"))
        let new = try await fake.write(key: "new/key", document: .text(#"{"a":"b"}"#), idempotencyToken: "rot-2", expectedVersion: "0")
        #expect(new == "1")
    }

    @Test("a write stores the JSON document as it is; a document that is not a JSON object is refused without being stored")
    func writesDocumentAsIs() async throws {
        let fake = makeFake()
        let document = SecretValue.text(#"{"password":"new","port":5432,"tls":true,"pool":{"max": [2, 3.0]},"none":null}"#)
        let version = try await fake.write(key: "shop/db", document: document, idempotencyToken: "rot-1", expectedVersion: nil)
        let stored = try await fake.read(RemoteSecretID(key: "shop/db"))
        #expect(stored.version == version)
        #expect(stored.value == document)
        #expect(try stored.value(for: RemoteRef(key: "shop/db", property: "port")) == .text("5432"))
        for bad in [#"["s3cr3t"]"#, #""s3cr3t""#, "s3cr3t", "{\"p\":\"s3cr3t\""] {
            let error = try #require(await #expect(throws: ProviderError.self) {
                try await fake.write(key: "shop/db", document: .text(bad), idempotencyToken: "rot-bad", expectedVersion: nil)
            })
            #expect(error.class == .invalidRequest)
            #expect(error.description.contains("shop/db") && !error.description.contains("s3cr3t"))
        }
        #expect(await fake.writeCount == 1)
    }

    @Test("a stale expected version or a reused token with other content is a conflict")
    func conflicts() async throws {
        let fake = makeFake()
        let stale = try #require(await #expect(throws: ProviderError.self) {
            try await fake.write(key: "shop/db", document: .text(#"{"p":"x"}"#), idempotencyToken: "a", expectedVersion: "1")
        })
        #expect(stale.class == .conflict)
        #expect(!stale.description.contains("\"x\""))
        _ = try await fake.write(key: "shop/db", document: .text(#"{"p":"x"}"#), idempotencyToken: "b", expectedVersion: nil)
        let reused = try #require(await #expect(throws: ProviderError.self) {
            try await fake.write(key: "shop/db", document: .text(#"{"p":"y"}"#), idempotencyToken: "b", expectedVersion: nil)
        })
        #expect(reused.class == .conflict)
        await #expect(throws: ProviderError.self) {
            try await fake.write(key: "absent", document: .text("{}"), idempotencyToken: "c", expectedVersion: "4")
        }
    }

    @Test("a read-only fake refuses writes")
    func readOnly() async throws {
        let fake = FakeProvider(data: [], access: .readOnly)
        #expect(fake.capabilities.access == .readOnly)
        let error = try #require(await #expect(throws: ProviderError.self) {
            try await fake.write(key: "k", document: .text("{}"), idempotencyToken: "t", expectedVersion: nil)
        })
        #expect(error.class == .unsupported)
    }

    @Test("failure injection: the next N reads fail, then reads succeed; per-key failures")
    func failureInjection() async throws {
        let fake = makeFake()
        await fake.failNextReads(2, with: .permissionDenied(key: "shop/db"))
        for _ in 0..<2 {
            let error = try #require(await #expect(throws: ProviderError.self) { try await fake.read([RemoteSecretID(key: "shop/db")]) })
            #expect(error.class == .permissionDenied)
        }
        #expect(try await fake.read(RemoteSecretID(key: "shop/db")).version == "2")
        await fake.failReads(of: "shop/db", with: .transient(key: "shop/db"))
        let results = try await fake.read([RemoteSecretID(key: "shop/db"), RemoteSecretID(key: "shop/api-key")])
        #expect(throws: ProviderError.self) { try results[RemoteSecretID(key: "shop/db")]?.get() }
        #expect(try results[RemoteSecretID(key: "shop/api-key")]?.get().value == .text("k1"))
        await fake.failReads(of: "shop/db", with: nil)
        #expect(try await fake.read(RemoteSecretID(key: "shop/db")).version == "2")
        await fake.failValidation(with: .permissionDenied(detail: "bad token"))
        await #expect(throws: ProviderError.self) { try await fake.validate() }
        await fake.failValidation(with: nil)
        try await fake.validate()
    }

    @Test("throttling reports throttled with the retry hint")
    func throttling() async throws {
        let fake = makeFake()
        await fake.throttleNextReads(1, retryAfter: .seconds(3))
        let error = try #require(await #expect(throws: ProviderError.self) { try await fake.read([RemoteSecretID(key: "shop/db")]) })
        #expect(error.class == .throttled && error.isRetryable && error.retryAfter == .seconds(3))
        _ = try await fake.read(RemoteSecretID(key: "shop/db"))
    }

    @Test("latency goes through the injected sleep, and a value changed meanwhile is what is read")
    func latency() async throws {
        let gate = Gate()
        let fake = FakeProvider(data: [.init(key: "k", value: "old")], sleep: gate.sleep)
        await fake.setLatency(.seconds(60))
        let read = Task { try await fake.read(RemoteSecretID(key: "k")) }
        #expect(await eventually { await gate.waiting == 1 })
        #expect(await fake.readsInFlight == 1)
        await fake.setValue(.text("new"), for: "k")
        await gate.open()
        let secret = try await read.value
        #expect(secret.value == .text("new") && secret.version == "2")
        #expect(await fake.readCount(for: "k") == 1)
        await fake.resetCounters()
        #expect(await fake.readCount(for: "k") == 0)
    }

    @Test("the factory builds a fake from a store's provider block")
    func factory() async throws {
        let config = JSONValue.object([
            "data": .array([
                .object(["key": .string("db/password"), "value": .string("pw"), "version": .string("1")]),
                .object(["key": .string("db/json"), "value": .string(#"{"a":"b"}"#)]),
            ]),
        ])
        var registry = ProviderRegistry([FakeProviderFactory()])
        #expect(registry.kinds == ["fake"])
        let provider = try registry.makeProvider(kind: "fake", context: ProviderContext(storeName: "SecretStore/shop/fake", config: config))
        let values = try await provider.values(for: [RemoteRef(key: "db/password"), RemoteRef(key: "db/json", property: "a")])
        #expect(try values[RemoteRef(key: "db/password")]?.get() == .text("pw"))
        #expect(try values[RemoteRef(key: "db/json", property: "a")]?.get() == .text("b"))
        #expect(provider.capabilities.supportsFind)

        let unknown = try #require(#expect(throws: ProviderError.self) {
            try registry.makeProvider(kind: "gcp", context: ProviderContext(storeName: "s", config: .null))
        })
        #expect(unknown.class == .unsupported)
        let bad = try #require(#expect(throws: ProviderError.self) {
            try registry.makeProvider(kind: "fake", context: ProviderContext(storeName: "s", config: .object(["data": .array([.object(["key": .string("k")])])])))
        })
        #expect(bad.class == .invalidRequest)
        #expect(bad.description.contains("data[0].value"))
        registry.register(FakeProviderFactory())
        #expect(registry.kinds == ["fake"])
    }

    @Test("the factory serves a given fake by store name, so its writes outlive a rebuilt provider")
    func factoryInstances() async throws {
        let shared = FakeProvider(data: [.init(key: "db/creds", value: #"{"user":"app","password":"old"}"#, version: "1")], storeName: "SecretStore/shop/fake")
        let registry = ProviderRegistry([FakeProviderFactory(instances: ["SecretStore/shop/fake": shared])])
        let context = ProviderContext(storeName: "SecretStore/shop/fake", config: .object(["data": .array([])]))
        let first = try registry.makeProvider(kind: "fake", context: context)
        let writer = try #require(first as? FakeProvider)
        _ = try await writer.write(key: "db/creds", document: .text(#"{"user":"app","password":"new"}"#), idempotencyToken: "r1", expectedVersion: "1")
        let rebuilt = try registry.makeProvider(kind: "fake", context: context)
        let value = try await rebuilt.values(for: [RemoteRef(key: "db/creds", property: "password")])
        #expect(try value[RemoteRef(key: "db/creds", property: "password")]?.get() == .text("new"))
        #expect(await shared.versions(of: "db/creds") == ["1", "2"])
        let other = try registry.makeProvider(kind: "fake", context: ProviderContext(storeName: "SecretStore/shop/other", config: .object(["data": .array([])])))
        #expect(other as? FakeProvider !== shared, "other stores are built from their spec")
    }
}
