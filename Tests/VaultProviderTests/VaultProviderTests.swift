import Foundation
import JSONCore
import KubeAPI
import RotorAPI
import SecretProviders
import Testing
import VaultEmulator
import VaultProvider

@Suite("Vault provider: KV reads, find and writes")
struct VaultProviderKVTests {
    @Test("a token from a Secret reads a KV v2 secret: whole, by property, with its version")
    func tokenSecretRefReadsKVv2() async throws {
        try await VaultFixture.with { f in
            try await f.putPolicy("shop", #"path "secret/data/shop/*" { capabilities = ["read"] }"#)
            let token = await f.vault.createToken(policies: ["shop"])
            await f.vault.write(["user": "app", "password": "s3cret-value"], to: "shop/db")
            let auth = VaultAuth(tokenSecretRef: SecretKeySelector(name: "vault-token", key: "token"))
            let provider = try f.provider(try f.config(auth: auth), credentials: ["vault-token/token": SecretValue(utf8: token)])

            let secret = try await provider.read(RemoteSecretID(key: "shop/db"))
            let password = try secret.value(for: RemoteRef(key: "shop/db", property: "password"))
            let whole = secret.value.revealedString()
            #expect(password == SecretValue(utf8: "s3cret-value"))
            #expect(secret.version == "1")
            #expect(whole == #"{"password":"s3cret-value","user":"app"}"#)
        }
    }

    @Test("a pinned version reads that version; no version reads the current one")
    func versionPinning() async throws {
        try await VaultFixture.with { f in
            await f.vault.write(["password": "first"], to: "shop/db")
            await f.vault.write(["password": "second"], to: "shop/db")
            let provider = try await f.appRoleProvider()

            let pinned = try await provider.read(RemoteSecretID(key: "shop/db", version: "1"))
            let current = try await provider.read(RemoteSecretID(key: "shop/db"))
            let missing = await providerError { try await provider.read(RemoteSecretID(key: "shop/db", version: "7")) }
            #expect(pinned.version == "1")
            #expect(try pinned.value(for: RemoteRef(key: "shop/db", property: "password")) == SecretValue(utf8: "first"))
            #expect(current.version == "2")
            #expect(try current.value(for: RemoteRef(key: "shop/db", property: "password")) == SecretValue(utf8: "second"))
            #expect(missing?.class == .notFound)
        }
    }

    @Test("a deleted version reads as not found; undeleting brings it back")
    func deletedVersionIsNotFound() async throws {
        try await VaultFixture.with { f in
            await f.vault.write(["password": "one"], to: "shop/db")
            let provider = try await f.appRoleProvider()
            try await f.call("DELETE", "secret/data/shop/db")
            let deleted = await providerError { try await provider.read(RemoteSecretID(key: "shop/db")) }
            try await f.call("POST", "secret/undelete/shop/db", ["versions": [1]])
            let back = try await provider.read(RemoteSecretID(key: "shop/db"))
            #expect(deleted?.class == .notFound)
            #expect(deleted?.isSecretMissing == true)
            #expect(back.version == "1")
        }
    }

    @Test("property selection encodes non-string values as JSON; extract returns every property")
    func propertyAndExtract() async throws {
        try await VaultFixture.with { f in
            try await f.call("POST", "secret/data/shop/api", [
                "data": ["token": "t0k", "port": 5432, "tls": true, "db": ["host": "db.local", "replicas": [1, 2]]],
            ])
            let provider = try await f.appRoleProvider()
            let secret = try await provider.read(RemoteSecretID(key: "shop/api"))
            let port = try secret.value(for: RemoteRef(key: "shop/api", property: "port")).revealedString()
            let tls = try secret.value(for: RemoteRef(key: "shop/api", property: "tls")).revealedString()
            let host = try secret.value(for: RemoteRef(key: "shop/api", property: "db.host")).revealedString()
            let db = try secret.value(for: RemoteRef(key: "shop/api", property: "db")).revealedString()
            let all = try secret.extract(for: RemoteSecretID(key: "shop/api"))
            let missing: ProviderError?
            do {
                _ = try secret.value(for: RemoteRef(key: "shop/api", property: "nope"))
                missing = nil
            } catch {
                missing = error as? ProviderError
            }
            #expect(port == "5432")
            #expect(tls == "true")
            #expect(host == "db.local")
            #expect(db == #"{"host":"db.local","replicas":[1,2]}"#)
            #expect(all.keys.sorted() == ["db", "port", "tls", "token"])
            #expect(all["token"] == SecretValue(utf8: "t0k"))
            #expect(missing?.code == "provider.propertyNotFound")
        }
    }

    @Test("find lists recursively under the path and filters by name")
    func findViaList() async throws {
        try await VaultFixture.with { f in
            for key in ["shop/api-one", "shop/api-two", "shop/db", "shop/team/api-three", "other/api-x"] {
                await f.vault.write(["v": "1"], to: key)
            }
            let provider = try await f.appRoleProvider()
            let found = try await provider.find(FindQuery(path: "shop/", nameRegexp: "api-"))
            let everything = try await provider.find(FindQuery())
            let prefixed = try await provider.find(FindQuery(path: "shop/api"))
            #expect(found == ["shop/api-one", "shop/api-two", "shop/team/api-three"])
            #expect(everything.count == 5)
            #expect(prefixed == ["shop/api-one", "shop/api-two"])
        }
    }

    @Test("find stops at its bound of LIST calls and refuses tags")
    func findIsBounded() async throws {
        try await VaultFixture.with { f in
            for key in ["a/b/c/d", "a/x"] { await f.vault.write(["v": "1"], to: key) }
            try await f.putPolicy("reader", #"path "secret/*" { capabilities = ["read", "list"] }"#)
            let (roleID, secretID) = try await f.appRole(policies: ["reader"])
            let auth = VaultAuth(appRole: VaultAppRoleAuth(roleId: roleID, secretRef: SecretKeySelector(name: "approle", key: "secret-id")))
            let provider = try f.provider(
                try f.config(auth: auth), credentials: ["approle/secret-id": SecretValue(utf8: secretID)],
                findLimits: .init(maxListCalls: 2, maxKeys: 100))
            let bounded = await providerError { try await provider.find(FindQuery()) }
            let tagged = await providerError { try await provider.find(FindQuery(tags: ["team": "shop"])) }
            #expect(bounded?.class == .invalidRequest)
            #expect(tagged?.class == .unsupported)
        }
    }

    @Test("a CAS write creates the next version; a stale cas is a conflict; a replayed write returns its version")
    func casWriteAndConflict() async throws {
        try await VaultFixture.with { f in
            await f.vault.write(["user": "app", "password": "old"], to: "shop/db")
            let provider = try await f.appRoleProvider(capabilities: ["create", "read", "update", "list"])
            let read = try await provider.read(RemoteSecretID(key: "shop/db"))
            let rotated = SecretValue(utf8: #"{"user":"app","port":5432,"tls":true,"pool":{"max": [2, 1.5]},"none":null,"password":"new"}"#)

            let written = try await provider.write(key: "shop/db", document: rotated, idempotencyToken: "rot-1", expectedVersion: read.version)
            let replay = try await provider.write(key: "shop/db", document: rotated, idempotencyToken: "rot-1", expectedVersion: read.version)
            let other = SecretValue(utf8: #"{"user":"app","password":"other"}"#)
            let stale = await providerError {
                try await provider.write(key: "shop/db", document: other, idempotencyToken: "rot-2", expectedVersion: read.version)
            }
            let fresh = await providerError {
                try await provider.write(key: "shop/new", document: other, idempotencyToken: "rot-3", expectedVersion: "0")
            }
            let third = SecretValue(utf8: #"{"password":"third"}"#)
            let exists = await providerError {
                try await provider.write(key: "shop/new", document: third, idempotencyToken: "rot-4", expectedVersion: "0")
            }
            let after = try await provider.read(RemoteSecretID(key: "shop/db"))
            #expect(written == "2")
            #expect(replay == "2")
            #expect(stale?.class == .conflict)
            #expect(fresh == nil)
            #expect(exists?.class == .conflict)
            #expect(after.version == "2")
            #expect(try after.value(for: RemoteRef(key: "shop/db", property: "password")) == SecretValue(utf8: "new"))
            // The document reached Vault with its JSON types.
            let stored = try await f.call("GET", "secret/data/shop/db")
            #expect(stored.json?[path: ["data", "data", "port"]] == .int(5432))
            #expect(stored.json?[path: ["data", "data", "tls"]] == .bool(true))
            #expect(stored.json?[path: ["data", "data", "none"]] == .null)
            #expect(stored.json?[path: ["data", "data", "pool", "max"]] == .array([.int(2), .double(1.5)]))
        }
    }

    @Test("max_versions keeps only the newest versions")
    func maxVersions() async throws {
        try await VaultFixture.with { f in
            try await f.call("POST", "secret/metadata/shop/db", ["max_versions": 2])
            for value in ["a", "b", "c"] { try await f.call("POST", "secret/data/shop/db", ["data": ["v": .string(value)]]) }
            let provider = try await f.appRoleProvider()
            let oldest = await providerError { try await provider.read(RemoteSecretID(key: "shop/db", version: "1")) }
            let kept = try await provider.read(RemoteSecretID(key: "shop/db", version: "2"))
            let metadata = try await f.call("GET", "secret/metadata/shop/db")
            #expect(oldest?.class == .notFound)
            #expect(kept.version == "2")
            #expect(metadata.json?[path: ["data", "oldest_version"]]?.intValue == 2)
            #expect(metadata.json?[path: ["data", "current_version"]]?.intValue == 3)
        }
    }

    @Test("KV v1: read, find and write without versions")
    func kvVersion1() async throws {
        try await VaultFixture.with { f in
            try await f.call("POST", "sys/mounts/kv", ["type": "kv", "options": ["version": "1"]])
            try await f.call("POST", "kv/shop/db", ["password": "v1-pass", "port": 5432])
            try await f.call("POST", "kv/shop/cache", ["password": "c"])
            let provider = try await f.appRoleProvider(
                capabilities: ["create", "read", "update", "list"], paths: ["kv/*"], path: "kv", version: .v1)

            let secret = try await provider.read(RemoteSecretID(key: "shop/db"))
            let found = try await provider.find(FindQuery(path: "shop/"))
            let version = try await provider.write(
                key: "shop/new", document: SecretValue(utf8: #"{"password":"w"}"#), idempotencyToken: "t", expectedVersion: nil)
            let written = try await provider.read(RemoteSecretID(key: "shop/new"))
            let pinned = await providerError { try await provider.read(RemoteSecretID(key: "shop/db", version: "2")) }
            #expect(secret.version == nil)
            #expect(try secret.value(for: RemoteRef(key: "shop/db", property: "password")) == SecretValue(utf8: "v1-pass"))
            #expect(try secret.value(for: RemoteRef(key: "shop/db", property: "port")) == SecretValue(utf8: "5432"))
            #expect(found == ["shop/cache", "shop/db"])
            #expect(version == "")
            #expect(try written.value(for: RemoteRef(key: "shop/new", property: "password")) == SecretValue(utf8: "w"))
            #expect(pinned?.class == .invalidRequest)
        }
    }

    @Test("X-Vault-Namespace selects the namespace's mounts, policies and auth methods")
    func namespaces() async throws {
        try await VaultFixture.with { f in
            try await f.call("POST", "sys/namespaces/team-a")
            try await f.call("POST", "sys/mounts/secret", ["type": "kv", "options": ["version": "2"]], namespace: "team-a")
            try await f.call("POST", "secret/data/shop/db", ["data": ["password": "in-team-a"]], namespace: "team-a")
            await f.vault.write(["password": "in-root"], to: "shop/db")
            let provider = try await f.appRoleProvider(namespace: "team-a")

            let secret = try await provider.read(RemoteSecretID(key: "shop/db"))
            let viaPrefix = try await f.call("GET", "team-a/secret/data/shop/db")
            let rootRole = try await f.call("GET", "auth/approle/role/rotor/role-id")
            #expect(try secret.value(for: RemoteRef(key: "shop/db", property: "password")) == SecretValue(utf8: "in-team-a"))
            #expect(viaPrefix.json?[path: ["data", "data", "password"]]?.stringValue == "in-team-a")
            #expect(rootRole.status != 200)
        }
    }

    @Test("TLS: the store's caBundle is trusted; a server with an unknown CA is refused")
    func tlsWithCABundle() async throws {
        try await VaultFixture.with { f in
            await f.vault.write(["password": "p"], to: "shop/db")
            try await f.putPolicy("reader", #"path "secret/data/*" { capabilities = ["read"] }"#)
            let token = await f.vault.createToken(policies: ["reader"])
            let auth = VaultAuth(tokenSecretRef: SecretKeySelector(name: "t", key: "token"))
            let credentials = ["t/token": SecretValue(utf8: token)]
            let trusted = try f.provider(try f.config(auth: auth), credentials: credentials)
            let otherCA = try ServingCertificatesForTests.otherCA()
            let untrusted = try f.provider(try f.config(auth: auth, caPEM: .some(otherCA)), credentials: credentials)
            let systemOnly = try f.provider(try f.config(auth: auth, caPEM: .some(nil)), credentials: credentials)

            let read = try await trusted.read(RemoteSecretID(key: "shop/db"))
            // Both handshakes fail; AHC retries connecting until its connect timeout, so run them together.
            async let refusedCall = providerError { try await untrusted.read(RemoteSecretID(key: "shop/db")) }
            async let refusedBySystemRootsCall = providerError { try await systemOnly.read(RemoteSecretID(key: "shop/db")) }
            let (refused, refusedBySystemRoots) = await (refusedCall, refusedBySystemRootsCall)
            #expect(read.version == "1")
            #expect(refused?.class == .transient)
            #expect(refused?.detail?.contains("TLS") == true)
            #expect(refusedBySystemRoots?.class == .transient)
            #expect(f.vault.faults.requestCount(pathPrefix: "secret/") == 1)
        }
    }

    @Test("TLS: a CA bundle kept in a Secret (caProvider) is trusted")
    func tlsWithCAProvider() async throws {
        try await VaultFixture.with { f in
            await f.vault.write(["password": "p"], to: "shop/db")
            let token = await f.vault.createToken(policies: ["root"])
            let spec = VaultStoreConfig(
                server: f.vault.url, caProvider: CAProvider(type: .secret, name: "vault-ca", key: "ca.crt"),
                auth: VaultAuth(tokenSecretRef: SecretKeySelector(name: "t", key: "token")))
            let provider = try f.provider(
                try JSONValue(encoding: spec),
                credentials: ["t/token": SecretValue(utf8: token), "vault-ca/ca.crt": SecretValue(utf8: f.vault.caCertificatePEM ?? "")])
            let read = try await provider.read(RemoteSecretID(key: "shop/db"))
            #expect(read.version == "1")
        }
    }

    @Test("a bad store configuration is refused before any request")
    func invalidConfiguration() async throws {
        try await VaultFixture.with { f in
            let twoMethods = VaultAuth(
                tokenSecretRef: SecretKeySelector(name: "t", key: "token"), kubernetes: VaultKubernetesAuth(role: "r"))
            let none = VaultAuth()
            let badURL = try JSONValue(encoding: VaultStoreConfig(server: "vault.local:8200", auth: VaultAuth(tokenSecretRef: SecretKeySelector(name: "t", key: "k"))))
            let first = await providerError { try f.provider(try f.config(auth: twoMethods)) }
            let second = await providerError { try f.provider(try f.config(auth: none)) }
            let third = await providerError { try f.provider(badURL) }
            #expect(first?.class == .invalidRequest)
            #expect(second?.class == .invalidRequest)
            #expect(third?.class == .invalidRequest)
            #expect(f.vault.faults.requestCount() == 0)
        }
    }
}

import HTTPServing

enum ServingCertificatesForTests {
    /// The CA of another, unrelated server.
    static func otherCA() throws -> String {
        try ServingCertificates.generate(authorityName: "someone-else").caCertificatePEM
    }
}
