import EmulatorTestSupport
import Foundation
import KubeClient
import KubernetesEmulator
import KubeAPI
import RotorAPI
import SecretProviders
import Testing
import VaultEmulator
import VaultProvider

@Suite("Vault provider: auth methods and the store's one token")
struct VaultAuthTests {
    /// Kubernetes auth set up as a user would on a real Vault: enable the method, point it
    /// at the cluster (host, CA, reviewer JWT), bind a role to a ServiceAccount.
    static func configureKubernetesAuth(_ f: VaultFixture, cluster: EmulatedCluster, audience: String = "vault") async throws {
        _ = try await cluster.client.create(ServiceAccount(metadata: ObjectMeta(name: "rotor", namespace: "shop")), namespace: "shop")
        _ = try await cluster.client.create(ServiceAccount(metadata: ObjectMeta(name: "intruder", namespace: "shop")), namespace: "shop")
        try await f.putPolicy("shop-read", #"path "secret/data/shop/*" { capabilities = ["read"] }"#)
        try await f.call("POST", "sys/auth/kubernetes", ["type": "kubernetes"])
        try await f.call("POST", "auth/kubernetes/config", [
            "kubernetes_host": .string(cluster.emulator.url), "kubernetes_ca_cert": .string(cluster.emulator.caCertificatePEM ?? ""),
            "token_reviewer_jwt": .string(cluster.emulator.adminToken),
        ])
        try await f.call("POST", "auth/kubernetes/role/rotor", [
            "bound_service_account_names": ["rotor"], "bound_service_account_namespaces": ["shop"], "audience": .string(audience),
            "token_policies": ["shop-read"], "token_ttl": "1h",
        ])
    }

    static func createNamespace(_ cluster: EmulatedCluster, _ name: String) async throws {
        _ = try await cluster.client.create(Namespace(metadata: ObjectMeta(name: name)))
    }

    @Test("kubernetes auth: a TokenRequest JWT for the bound ServiceAccount logs in, checked by TokenReview")
    func kubernetesAuthLogsIn() async throws {
        try await EmulatedCluster.with { cluster in
            try await VaultFixture.with { f in
                try await Self.createNamespace(cluster, "shop")
                try await Self.configureKubernetesAuth(f, cluster: cluster)
                await f.vault.write(["password": "k8s-pass"], to: "shop/db")
                let issuer = ClusterTokenIssuer(client: cluster.client, defaultNamespace: "shop")
                let auth = VaultAuth(kubernetes: VaultKubernetesAuth(role: "rotor", serviceAccountRef: ServiceAccountSelector(name: "rotor", audiences: ["vault"])))
                let provider = try f.provider(try f.config(auth: auth), tokens: issuer)

                let secret = try await provider.read(RemoteSecretID(key: "shop/db"))
                try await provider.validate()
                #expect(try secret.value(for: RemoteRef(key: "shop/db", property: "password")) == SecretValue(utf8: "k8s-pass"))
                #expect(f.vault.faults.requestCount(method: "POST", pathPrefix: "auth/kubernetes/login") == 1)
            }
        }
    }

    @Test("kubernetes auth: a ServiceAccount the role does not bind, or a wrong audience, is refused")
    func kubernetesAuthRefusesUnboundAccounts() async throws {
        try await EmulatedCluster.with { cluster in
            try await VaultFixture.with { f in
                try await Self.createNamespace(cluster, "shop")
                try await Self.configureKubernetesAuth(f, cluster: cluster)
                await f.vault.write(["password": "k8s-pass"], to: "shop/db")
                let issuer = ClusterTokenIssuer(client: cluster.client, defaultNamespace: "shop")
                let intruder = VaultAuth(kubernetes: VaultKubernetesAuth(role: "rotor", serviceAccountRef: ServiceAccountSelector(name: "intruder", audiences: ["vault"])))
                let wrongAudience = VaultAuth(kubernetes: VaultKubernetesAuth(role: "rotor", serviceAccountRef: ServiceAccountSelector(name: "rotor", audiences: ["other"])))
                let first = try f.provider(try f.config(auth: intruder), tokens: issuer)
                let second = try f.provider(try f.config(auth: wrongAudience), tokens: issuer)

                let refusedName = await providerError { try await first.read(RemoteSecretID(key: "shop/db")) }
                let refusedAudience = await providerError { try await second.validate() }
                #expect(refusedName?.class == .permissionDenied)
                #expect(refusedAudience?.class == .permissionDenied)
            }
        }
    }

    @Test("kubernetes auth: a login whose TokenReview fails is 403 permission denied, as Vault's plugin answers it, not a server error")
    func kubernetesLoginWithAFailingTokenReviewIsPermissionDenied() async throws {
        try await EmulatedCluster.with { cluster in
            try await VaultFixture.with { f in
                try await Self.createNamespace(cluster, "shop")
                try await Self.configureKubernetesAuth(f, cluster: cluster)
                // The reviewer's own token is refused by the API server (401): the review fails.
                try await f.call("POST", "auth/kubernetes/config", [
                    "kubernetes_host": .string(cluster.emulator.url), "kubernetes_ca_cert": .string(cluster.emulator.caCertificatePEM ?? ""),
                    "token_reviewer_jwt": "not-a-token",
                ])
                let jwt = try await ClusterTokenIssuer(client: cluster.client, defaultNamespace: "shop")
                    .token(serviceAccount: "rotor", namespace: "shop", audiences: ["vault"]).revealedString() ?? ""
                let login = try await f.call("POST", "auth/kubernetes/login", ["role": "rotor", "jwt": .string(jwt)], token: "")
                #expect(login.status == 403)
                #expect(login.json?["errors"] == ["permission denied"])
            }
        }
    }

    @Test("appRole: role id and secret id log in; a wrong secret id is refused")
    func appRoleLogsIn() async throws {
        try await VaultFixture.with { f in
            await f.vault.write(["password": "approle-pass"], to: "shop/db")
            let provider = try await f.appRoleProvider()
            let secret = try await provider.read(RemoteSecretID(key: "shop/db"))

            let (roleID, _) = try await f.appRole(policies: ["reader"])
            let auth = VaultAuth(appRole: VaultAppRoleAuth(roleId: roleID, secretRef: SecretKeySelector(name: "approle", key: "secret-id")))
            let wrong = try f.provider(try f.config(auth: auth), credentials: ["approle/secret-id": SecretValue(utf8: "not-the-secret-id")])
            let refused = await providerError { try await wrong.read(RemoteSecretID(key: "shop/db")) }
            #expect(try secret.value(for: RemoteRef(key: "shop/db", property: "password")) == SecretValue(utf8: "approle-pass"))
            #expect(refused?.class == .invalidRequest)
            #expect(refused.map { String(describing: $0).contains("not-the-secret-id") } == false)
        }
    }

    @Test("1,000 ExternalSecrets on one store cause exactly one login")
    func thousandReadsOneLogin() async throws {
        try await VaultFixture.with { f in
            for i in 0..<200 { await f.vault.write(["password": "p\(i)"], to: "shop/key-\(i)") }
            let provider = try await f.appRoleProvider()
            f.vault.faults.resetCounters()
            let reader = CoalescingReader(provider)
            let failures = try await withThrowingTaskGroup(of: Int.self) { group in
                for es in 0..<1_000 {
                    group.addTask {
                        let ref = RemoteRef(key: "shop/key-\(es % 200)", property: "password")
                        let values = try await reader.values(for: [ref])
                        return values[ref].map { (try? $0.get()) == SecretValue(utf8: "p\(es % 200)") ? 0 : 1 } ?? 1
                    }
                }
                return try await group.reduce(0, +)
            }
            let stats = await provider.tokenStatistics()
            #expect(failures == 0)
            #expect(f.vault.faults.loginCount == 1)
            #expect(stats.logins == 1)
            #expect(f.vault.faults.requestCount(method: "GET", pathPrefix: "secret/data/") == 200)
        }
    }

    @Test("concurrent first reads share one login even without coalescing")
    func concurrentLoginsAreSingleFlight() async throws {
        try await VaultFixture.with { f in
            for i in 0..<50 { await f.vault.write(["v": "\(i)"], to: "k/\(i)") }
            let provider = try await f.appRoleProvider()
            f.vault.faults.setLatency(.milliseconds(20))
            let ok = try await withThrowingTaskGroup(of: Bool.self) { group in
                for i in 0..<50 {
                    group.addTask { (try? await provider.read(RemoteSecretID(key: "k/\(i)"))) != nil }
                }
                return try await group.allSatisfy { $0 }
            }
            #expect(ok)
            #expect(f.vault.faults.loginCount == 1)
        }
    }

    @Test("the token is renewed with renew-self once two thirds of its lease have passed")
    func tokenIsRenewedBeforeExpiry() async throws {
        try await VaultFixture.with { f in
            let provider = try await f.loggedInProvider(ttl: "60s", maxTTL: "1h")
            f.clock.advance(.seconds(30))
            _ = try await provider.read(RemoteSecretID(key: "shop/db"))
            let renewsBefore = f.vault.faults.requestCount(pathPrefix: "auth/token/renew-self")
            f.clock.advance(.seconds(15))
            _ = try await provider.read(RemoteSecretID(key: "shop/db"))
            f.clock.advance(.seconds(45))
            _ = try await provider.read(RemoteSecretID(key: "shop/db"))
            let renews = f.vault.faults.requestCount(pathPrefix: "auth/token/renew-self")
            #expect(renewsBefore == 0)
            #expect(renews == 2)
            #expect(f.vault.faults.loginCount == 1)
        }
    }

    @Test("a token past its lease on the provider's clock is replaced by a new login")
    func expiredTokenLogsInAgain() async throws {
        try await VaultFixture.with { f in
            let provider = try await f.loggedInProvider(ttl: "60s", maxTTL: "1h")
            f.clock.advance(.seconds(120))
            _ = try await provider.read(RemoteSecretID(key: "shop/db"))
            #expect(f.vault.faults.loginCount == 2)
            #expect(f.vault.faults.requestCount(pathPrefix: "auth/token/renew-self") == 0)
            #expect(f.vault.faults.responseCounts[403] == nil)
        }
    }

    @Test("a 403 because the token expired or was revoked on the server leads to one new login and a retry")
    func rejectedTokenLogsInAgain() async throws {
        try await VaultFixture.with { f in
            let provider = try await f.loggedInProvider(ttl: "60s", maxTTL: "1h")
            // Only Vault's clock moves: the provider still believes its token is fresh.
            f.clock.advance(.seconds(120), clientToo: false)
            let afterExpiry = try await provider.read(RemoteSecretID(key: "shop/db"))
            #expect(afterExpiry.version == "1")
            #expect(f.vault.faults.loginCount == 2)
        }
    }

    @Test("a renewal capped by the max TTL is followed by a new login instead")
    func cappedRenewalLogsInAgain() async throws {
        try await VaultFixture.with { f in
            let provider = try await f.loggedInProvider(ttl: "60s", maxTTL: "70s")
            f.clock.advance(.seconds(55))
            _ = try await provider.read(RemoteSecretID(key: "shop/db"))
            #expect(f.vault.faults.requestCount(pathPrefix: "auth/token/renew-self") == 1)
            #expect(f.vault.faults.loginCount == 2)
        }
    }

    @Test("validate: Ready after a login and a capability check; a deleted policy is permission denied")
    func validateChecksCapabilities() async throws {
        try await VaultFixture.with { f in
            let provider = try await f.appRoleProvider()
            try await provider.validate()
            try await f.call("DELETE", "sys/policies/acl/reader")
            let denied = await providerError { try await provider.validate() }
            #expect(denied?.class == .permissionDenied)
            #expect(f.vault.faults.loginCount == 1)
        }
    }
}
