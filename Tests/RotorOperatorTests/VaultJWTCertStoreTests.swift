import EmulatorTestSupport
import Foundation
import HTTPServing
import JSONCore
import KubeAPI
import KubeClient
import Logging
import RotorAPI
import SecretProviders
import Testing
import VaultEmulator
import VaultProvider

@testable import RotorOperator

/// A tenant's SecretStore with Vault jwt or cert auth, checked and read the way the operator
/// does it: credentials from the tenant's own namespace through the Kubernetes API
/// (TokenRequest for the ServiceAccount, the `kubernetes.io/tls` Secret), the store's
/// `Ready` condition, then a value read through the store's reader.
@Suite("Vault jwt and cert auth through the operator's store providers")
struct VaultJWTCertStoreTests {
    static func providers(_ cluster: EmulatedCluster) -> StoreProviders {
        StoreProviders.kubernetes(
            client: cluster.client, registry: ProviderRegistry([VaultProviderFactory()]),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    static func withVault(_ body: (VaultEmulator) async throws -> Void) async throws {
        let vault = try await VaultEmulator.start()
        do {
            await vault.request("PUT", "sys/policies/acl/read", body: ["policy": #"path "secret/data/*" { capabilities = ["read"] }"#])
            await vault.write(["password": "tenant-pass"], to: "tenant/db")
            try await body(vault)
        } catch {
            await vault.shutdown()
            throw error
        }
        await vault.shutdown()
    }

    static func readPassword(_ providers: StoreProviders, _ store: StoreIdentity, _ spec: SecretStoreProvider) async throws -> SecretValue? {
        let ref = RemoteRef(key: "tenant/db", property: "password")
        return try await providers.reader(for: store, provider: spec).values(for: [ref])[ref]?.get()
    }

    @Test("a SecretStore with jwt auth logs in with its own ServiceAccount's TokenRequest token (audience vault) and reads")
    func jwtServiceAccountStoreIsReadyAndReads() async throws {
        try await EmulatedCluster.with { cluster in
            try await Self.withVault { vault in
                _ = try await cluster.client.create(Namespace(metadata: ObjectMeta(name: "tenant")))
                _ = try await cluster.client.create(ServiceAccount(metadata: ObjectMeta(name: "app", namespace: "tenant")), namespace: "tenant")
                await vault.request("POST", "sys/auth/jwt", body: ["type": "jwt"])
                let configured = await vault.request("POST", "auth/jwt/config", body: [
                    "jwt_validation_pubkeys": [.string(cluster.emulator.serviceAccountPublicKeyPEM)],
                    "bound_issuer": .string(cluster.emulator.serviceAccountIssuer),
                ])
                #expect(configured.status == 204)
                await vault.request("POST", "auth/jwt/role/app", body: [
                    "role_type": "jwt", "bound_audiences": ["vault"], "user_claim": "sub", "bound_subject": "system:serviceaccount:tenant:app",
                    "token_policies": ["read"],
                ])
                let ca = Data((vault.caCertificatePEM ?? "").utf8).base64EncodedString()
                let spec = try StoreIdentityRuleTests.provider(
                    #"{"vault":{"server":"\#(vault.url)","caBundle":"\#(ca)","auth":{"jwt":{"role":"app","serviceAccountRef":{"name":"app"}}}}}"#)
                let providers = Self.providers(cluster)
                let store = StoreIdentity.secretStore(namespace: "tenant", name: "vault-jwt")
                let ready = try await StoreIdentityRuleTests.ready(spec, store, providers)
                #expect(ready?.status == .true, "\(ready?.message ?? "")")
                #expect(try await Self.readPassword(providers, store, spec) == SecretValue(utf8: "tenant-pass"))
            }
        }
    }

    @Test("a SecretStore with cert auth presents the client certificate of its kubernetes.io/tls Secret; an untrusted one is Forbidden")
    func certStoreIsReadyAndReads() async throws {
        try await EmulatedCluster.with { cluster in
            try await Self.withVault { vault in
                _ = try await cluster.client.create(Namespace(metadata: ObjectMeta(name: "tenant")))
                let client = try ServingCertificates.generate(authorityName: "tenant-client-ca", serverName: "tenant-app", extraDNSNames: [])
                let stranger = try ServingCertificates.generate(authorityName: "someone-else", serverName: "tenant-app", extraDNSNames: [])
                for (name, issued) in [("client-tls", client), ("stranger-tls", stranger)] {
                    let secret = Secret(
                        metadata: ObjectMeta(name: name, namespace: "tenant"), type: "kubernetes.io/tls",
                        data: ["tls.crt": Data(issued.serverCertificatePEM.utf8), "tls.key": Data(issued.serverKeyPEM.utf8)])
                    _ = try await cluster.client.create(secret, namespace: "tenant")
                }
                await vault.request("POST", "sys/auth/cert", body: ["type": "cert"])
                await vault.request("POST", "auth/cert/certs/app", body: [
                    "certificate": .string(client.caCertificatePEM), "allowed_common_names": ["tenant-app"], "token_policies": ["read"],
                ])
                let ca = Data((vault.caCertificatePEM ?? "").utf8).base64EncodedString()
                let providers = Self.providers(cluster)
                func spec(_ secret: String) throws -> SecretStoreProvider {
                    try StoreIdentityRuleTests.provider(
                        #"{"vault":{"server":"\#(vault.url)","caBundle":"\#(ca)","auth":{"cert":{"name":"app","clientCertSecretRef":{"name":"\#(secret)"}}}}}"#)
                }
                let store = StoreIdentity.secretStore(namespace: "tenant", name: "vault-cert")
                let ready = try await StoreIdentityRuleTests.ready(try spec("client-tls"), store, providers)
                #expect(ready?.status == .true, "\(ready?.message ?? "")")
                #expect(try await Self.readPassword(providers, store, try spec("client-tls")) == SecretValue(utf8: "tenant-pass"))

                let refused = try await StoreIdentityRuleTests.ready(try spec("stranger-tls"), StoreIdentity.secretStore(namespace: "tenant", name: "stranger"), providers)
                #expect(refused?.status == .false)
                #expect(refused?.reason == SecretStoreConditions.Reason.forbidden, "\(refused?.message ?? "")")
                #expect(refused?.message?.contains("BEGIN") == false)
            }
        }
    }
}
