import SecretProviders
import Testing

@Suite("Property selection and extract")
struct PropertySelectionTests {
    let document = SecretValue(utf8: #"""
        {"user": "admin", "password": "p\u00e4ss\"word\n", "port": 5432, "ratio": 1.50, "enabled": true,
         "none": null, "db": {"host": "db.local", "ports": [5432, 5433]}, "hosts": ["a", {"name": "b"}],
         "dotted.key": "literal"}
        """#)

    func select(_ property: String) throws -> String? {
        try RemoteSecret(value: document).value(for: RemoteRef(key: "shop/db", property: property)).revealedString()
    }

    @Test("a string property yields its decoded text")
    func stringProperty() throws {
        #expect(try select("user") == "admin")
        #expect(try select("password") == "päss\"word\n")
    }

    @Test("non-string values yield their JSON text")
    func nonStringProperties() throws {
        #expect(try select("port") == "5432")
        #expect(try select("ratio") == "1.50")
        #expect(try select("enabled") == "true")
        #expect(try select("none") == "null")
        #expect(try select("db") == #"{"host": "db.local", "ports": [5432, 5433]}"#)
        #expect(try select("hosts") == #"["a", {"name": "b"}]"#)
    }

    @Test("dotted paths walk nested objects and arrays; an exact name wins")
    func nestedPaths() throws {
        #expect(try select("db.host") == "db.local")
        #expect(try select("db.ports.1") == "5433")
        #expect(try select("hosts.1.name") == "b")
        #expect(try select("dotted.key") == "literal")
    }

    @Test("no property selects the whole secret")
    func wholeSecret() throws {
        let secret = RemoteSecret(value: document, version: "2")
        #expect(try secret.value(for: RemoteRef(key: "shop/db")) == document)
        #expect(try secret.value(for: RemoteRef(key: "shop/db", property: "")) == document)
    }

    @Test("a missing property is an error naming key and property, not the value")
    func missingProperty() throws {
        let error = try #require(#expect(throws: ProviderError.self) { try select("passwd") })
        #expect(error.class == .notFound)
        #expect(error.code == "provider.propertyNotFound")
        #expect(!error.isSecretMissing)
        #expect(error.key == "shop/db")
        #expect(error.property == "passwd")
        let text = error.description
        #expect(text.contains("shop/db") && text.contains("passwd"))
        #expect(!text.contains("admin") && !text.contains("päss"))
        #expect(throws: ProviderError.self) { try select("db.missing") }
        #expect(throws: ProviderError.self) { try select("hosts.7") }
        #expect(throws: ProviderError.self) { try select("user.x") }
    }

    @Test("a secret that is not a JSON object cannot give properties")
    func notAnObject() throws {
        for text in ["plain text secret", "[1,2]", #"{"a": }"#, #"{"a": 1} trailing"#, "\"str\""] {
            let error = try #require(#expect(throws: ProviderError.self) {
                try SecretValue(utf8: text).property("a", key: "k")
            })
            #expect(error.class == .invalidResponse || error.class == .notFound, "\(text.count) bytes")
            #expect(!error.description.contains(text))
        }
    }

    @Test("extract gives every top-level property")
    func extractAll() throws {
        let properties = try RemoteSecret(value: document).extract(for: RemoteSecretID(key: "shop/db"))
        #expect(properties.keys.sorted() == ["db", "dotted.key", "enabled", "hosts", "none", "password", "port", "ratio", "user"])
        #expect(properties["user"]?.revealedString() == "admin")
        #expect(properties["port"]?.revealedString() == "5432")
        #expect(properties["db"]?.revealedString() == #"{"host": "db.local", "ports": [5432, 5433]}"#)
        #expect(throws: ProviderError.self) { try SecretValue(utf8: "nope").extractProperties(key: "k") }
    }

    @Test("map-shaped secrets (Vault KV) select from their properties")
    func mapShapedSecret() throws {
        let secret = try RemoteSecret(properties: ["user": .text("admin"), "cfg": .text(#"{"a":{"b":1}}"#)], version: "4")
        #expect(try secret.value(for: RemoteRef(key: "k", property: "user")).revealedString() == "admin")
        #expect(try secret.value(for: RemoteRef(key: "k", property: "cfg.a.b")).revealedString() == "1")
        #expect(try secret.extract(for: RemoteSecretID(key: "k")).count == 2)
        #expect(try secret.value.property("user", key: "k").revealedString() == "admin")
        #expect(throws: ProviderError.self) { try secret.value(for: RemoteRef(key: "k", property: "nope")) }
    }

    @Test("a JSON object built from properties reads back the same")
    func jsonObjectRoundTrip() throws {
        let properties: [String: SecretValue] = ["a\"b": .text("x\ny\u{1}"), "plain": .text("v"), "ü": .text("ß")]
        let object = try SecretValue.jsonObject(properties)
        #expect(try object.extractProperties(key: "k") == properties)
        #expect(throws: ProviderError.self) { try SecretValue.jsonObject(["bin": SecretValue(bytes: [0xff])]) }
    }

    @Test("values per reference: one read per secret, a property per reference")
    func valuesForRefs() async throws {
        let reader = StaticReader(secrets: ["shop/db": RemoteSecret(value: document, version: "1")])
        let refs = [
            RemoteRef(key: "shop/db", property: "user"), RemoteRef(key: "shop/db", property: "port"),
            RemoteRef(key: "shop/db", property: "missing"), RemoteRef(key: "gone"),
        ]
        let values = try await reader.values(for: refs)
        #expect(try values[refs[0]]?.get().revealedString() == "admin")
        #expect(try values[refs[1]]?.get().revealedString() == "5432")
        #expect(throws: ProviderError.self) { try values[refs[2]]?.get() }
        #expect(throws: ProviderError.self) { try values[refs[3]]?.get() }
        #expect(await reader.calls == [["shop/db", "gone"]])
    }
}

/// A reader over fixed secrets that records what each call asked.
actor StaticReader: SecretReader {
    nonisolated let capabilities = ProviderCapabilities(access: .readOnly, supportsFind: false)
    let secrets: [String: RemoteSecret]
    var calls: [[String]] = []

    init(secrets: [String: RemoteSecret]) { self.secrets = secrets }

    func read(_ ids: [RemoteSecretID]) async throws -> [RemoteSecretID: Result<RemoteSecret, ProviderError>] {
        calls.append(ids.map(\.key))
        var results: [RemoteSecretID: Result<RemoteSecret, ProviderError>] = [:]
        for id in ids { results[id] = secrets[id.key].map { .success($0) } ?? .failure(.notFound(key: id.key)) }
        return results
    }

    func validate() async throws {}
}
