import Foundation
import RotorAPI
import SecretProviders
import Testing
import VaultEmulator
import VaultProvider

@testable import RotorOperator

/// Vault tokens obtained by a store's login are revoked when the store goes or changes;
/// a token the user supplied is never revoked.
@Suite("StoreProviders: Vault token revocation")
struct StoreProvidersRevocationTests {
    static let store = StoreIdentity.secretStore(namespace: "shop", name: "vault")

    struct Credentials: CredentialResolver {
        let values: [String: String]
        func credential(name: String, key: String, namespace: String?) async throws -> SecretValue {
            guard let value = values["\(name)/\(key)"] else { throw ProviderError.notFound(key: "\(name)/\(key)") }
            return SecretValue(utf8: value)
        }
    }

    /// An emulator with `shop/db`, a reader policy, an AppRole `rotor` and a user token.
    static func withVault(_ body: (VaultEmulator, StoreProviders, _ appRole: VaultAuth, _ userToken: String) async throws -> Void) async throws {
        let vault = try await VaultEmulator.start(VaultEmulator.Configuration())
        await vault.write(["v": "1"], to: "shop/db")
        await vault.request("PUT", "sys/policies/acl/reader", body: ["policy": #"path "secret/data/*" { capabilities = ["read"] }"#])
        await vault.request("POST", "sys/auth/approle", body: ["type": "approle"])
        await vault.request("POST", "auth/approle/role/rotor", body: ["token_policies": ["reader"], "token_ttl": "1h"])
        let roleID = await vault.request("GET", "auth/approle/role/rotor/role-id").body?[path: ["data", "role_id"]]?.stringValue ?? ""
        let secretID = await vault.request("POST", "auth/approle/role/rotor/secret-id").body?[path: ["data", "secret_id"]]?.stringValue ?? ""
        let userToken = await vault.createToken(policies: ["reader"])
        let credentials = Credentials(values: ["approle/secret-id": secretID, "vault-token/token": userToken])
        let providers = StoreProviders(credentials: { _ in credentials })
        let appRole = VaultAuth(appRole: VaultAppRoleAuth(roleId: roleID, secretRef: SecretKeySelector(name: "approle", key: "secret-id")))
        do {
            try await body(vault, providers, appRole, userToken)
        } catch {
            await vault.shutdown()
            throw error
        }
        await vault.shutdown()
    }

    static func provider(_ vault: VaultEmulator, auth: VaultAuth, path: String = "secret") -> SecretStoreProvider {
        var provider = SecretStoreProvider()
        provider.vaultConfig = VaultStoreConfig(
            server: vault.url, path: path, version: .v2, caBundle: vault.caCertificatePEM.map { Data($0.utf8).base64EncodedString() }, auth: auth)
        return provider
    }

    /// The same store with its provider block edited (the CA bundle re-encoded with a
    /// trailing newline: the same trust, another spec).
    static func changed(_ provider: SecretStoreProvider, _ vault: VaultEmulator) -> SecretStoreProvider {
        var changed = provider
        changed.vaultConfig?.caBundle = vault.caCertificatePEM.map { Data(($0 + "\n").utf8).base64EncodedString() }
        return changed
    }

    static func revocations(_ vault: VaultEmulator) -> Int {
        vault.faults.requestCount(method: "POST", pathPrefix: "auth/token/revoke-self")
    }

    static func eventually(_ condition: () async -> Bool) async -> Bool {
        for _ in 0..<500 {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return await condition()
    }

    @Test("deleting a store revokes its AppRole login token with revoke-self")
    func deletionRevokes() async throws {
        try await Self.withVault { vault, providers, appRole, _ in
            let reader = try await providers.reader(for: Self.store, provider: Self.provider(vault, auth: appRole))
            _ = try await reader.read(RemoteSecretID(key: "shop/db"))
            #expect(Self.revocations(vault) == 0)
            await providers.forget(Self.store)
            #expect(await Self.eventually { Self.revocations(vault) == 1 })
            #expect(vault.faults.responseCounts[204, default: 0] >= 1, "Vault answered 204 No Content")
        }
    }

    @Test("changing a store's provider block revokes the old login token; the new provider logs in afresh")
    func changeRevokes() async throws {
        try await Self.withVault { vault, providers, appRole, _ in
            let old = try await providers.reader(for: Self.store, provider: Self.provider(vault, auth: appRole))
            _ = try await old.read(RemoteSecretID(key: "shop/db"))
            let changed = Self.changed(Self.provider(vault, auth: appRole), vault)
            let new = try await providers.reader(for: Self.store, provider: changed)
            #expect(await Self.eventually { Self.revocations(vault) == 1 })
            _ = try await new.read(RemoteSecretID(key: "shop/db"))
            #expect(vault.faults.loginCount == 2)
        }
    }

    @Test("a token from tokenSecretRef is never revoked, on deletion or change")
    func userTokenIsKept() async throws {
        try await Self.withVault { vault, providers, appRole, userToken in
            let auth = VaultAuth(tokenSecretRef: SecretKeySelector(name: "vault-token", key: "token"))
            let reader = try await providers.reader(for: Self.store, provider: Self.provider(vault, auth: auth))
            _ = try await reader.read(RemoteSecretID(key: "shop/db"))
            let changed = Self.changed(Self.provider(vault, auth: auth), vault)
            let again = try await providers.reader(for: Self.store, provider: changed)
            _ = try await again.read(RemoteSecretID(key: "shop/db"))
            await providers.forget(Self.store)
            // A fence instead of a pause: a store that logged in with AppRole is forgotten
            // after it, and its revocation is the only one Vault receives.
            let fenceStore = StoreIdentity.secretStore(namespace: "shop", name: "fence")
            let fence = try await providers.reader(for: fenceStore, provider: Self.provider(vault, auth: appRole))
            _ = try await fence.read(RemoteSecretID(key: "shop/db"))
            await providers.forget(fenceStore)
            #expect(await Self.eventually { Self.revocations(vault) >= 1 })
            #expect(Self.revocations(vault) == 1, "only the fence's login token")
            #expect(await vault.request("GET", "auth/token/lookup-self", token: userToken).status == 200)
        }
    }
}
