import EmulatorTestSupport
import Foundation
import HTTPServing
import JSONCore
import KubeAPI
import KubeClient
import RotorAPI
import RotorOperator
import Testing
import VaultEmulator

/// End to end through the running operator: an ExternalSecret synced from a SecretStore
/// that logs in to Vault with jwt auth (the namespace's ServiceAccount token, minted with
/// TokenRequest) and one with cert auth (the namespace's `kubernetes.io/tls` Secret).
@Suite("ExternalSecret sync with Vault jwt and cert auth", .serialized)
struct VaultJWTCertSyncTests {
    static func withVault(_ body: (RotationHarness, VaultEmulator) async throws -> Void) async throws {
        let vault = try await VaultEmulator.start()
        do {
            await vault.request("PUT", "sys/policies/acl/read", body: ["policy": #"path "secret/data/*" { capabilities = ["read"] }"#])
            await vault.write(["password": "synced-pass"], to: "app/db")
            try await RotationHarness.with(clusterCredentials: true) { h in
                try await body(h, vault)
            }
        } catch {
            await vault.shutdown()
            throw error
        }
        await vault.shutdown()
    }

    static func createStore(_ h: RotationHarness, _ vault: VaultEmulator, name: String, auth: String) async throws {
        let ca = Data((vault.caCertificatePEM ?? "").utf8).base64EncodedString()
        let store = #"{"apiVersion":"rotor.dev/v1alpha1","kind":"SecretStore","metadata":{"name":"\#(name)","namespace":"default"},"spec":{"provider":{"vault":{"server":"\#(vault.url)","caBundle":"\#(ca)","auth":\#(auth)}}}}"#
        _ = try await h.client.create(SecretStore.resourceType, namespace: "default", body: try JSONValue(parsing: store))
        let es = #"{"apiVersion":"rotor.dev/v1alpha1","kind":"ExternalSecret","metadata":{"name":"\#(name)","namespace":"default"},"spec":{"secretStoreRef":{"name":"\#(name)"},"refreshInterval":"1h","data":[{"secretKey":"password","remoteRef":{"key":"app/db","property":"password"}}]}}"#
        _ = try await h.client.create(ExternalSecret.resourceType, namespace: "default", body: try JSONValue(parsing: es))
    }

    static func password(_ h: RotationHarness, secret name: String) async -> String? {
        guard let secret = try? await h.client.get(Secret.self, namespace: "default", name: name) else { return nil }
        return secret.data?["password"].map { String(decoding: $0, as: UTF8.self) }
    }

    @Test("an ExternalSecret syncs through a SecretStore with jwt auth and one with cert auth")
    func externalSecretsSyncWithJWTAndCertAuth() async throws {
        try await Self.withVault { h, vault in
            _ = try await h.client.create(ServiceAccount(metadata: ObjectMeta(name: "app", namespace: "default")), namespace: "default")
            await vault.request("POST", "sys/auth/jwt", body: ["type": "jwt"])
            await vault.request("POST", "auth/jwt/config", body: [
                "jwt_validation_pubkeys": [.string(h.cluster.emulator.serviceAccountPublicKeyPEM)],
                "bound_issuer": .string(h.cluster.emulator.serviceAccountIssuer),
            ])
            await vault.request("POST", "auth/jwt/role/app", body: [
                "bound_audiences": ["vault"], "user_claim": "sub", "bound_subject": "system:serviceaccount:default:app", "token_policies": ["read"],
            ])
            let client = try ServingCertificates.generate(authorityName: "app-client-ca", serverName: "app", extraDNSNames: [])
            let tls = Secret(
                metadata: ObjectMeta(name: "app-tls", namespace: "default"), type: "kubernetes.io/tls",
                data: ["tls.crt": Data(client.serverCertificatePEM.utf8), "tls.key": Data(client.serverKeyPEM.utf8)])
            _ = try await h.client.create(tls, namespace: "default")
            await vault.request("POST", "sys/auth/cert", body: ["type": "cert"])
            await vault.request("POST", "auth/cert/certs/app", body: ["certificate": .string(client.caCertificatePEM), "token_policies": ["read"]])

            try await Self.createStore(h, vault, name: "vault-jwt", auth: #"{"jwt":{"role":"app","serviceAccountRef":{"name":"app"}}}"#)
            try await Self.createStore(h, vault, name: "vault-cert", auth: #"{"cert":{"name":"app","clientCertSecretRef":{"name":"app-tls"}}}"#)
            let running = h.startOperator()
            #expect(await EmulatedCluster.eventually { await Self.password(h, secret: "vault-jwt") == "synced-pass" })
            #expect(await EmulatedCluster.eventually { await Self.password(h, secret: "vault-cert") == "synced-pass" })
            #expect(await h.settled(running))
            #expect(vault.faults.requestCount(method: "POST", pathPrefix: "auth/jwt/login") >= 1)
            #expect(vault.faults.requestCount(method: "POST", pathPrefix: "auth/cert/login") >= 1)
        }
    }
}
