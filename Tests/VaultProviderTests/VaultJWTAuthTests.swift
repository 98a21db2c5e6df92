import Crypto
import EmulatorTestSupport
import Foundation
import JSONCore
import KubeAPI
import KubeClient
import SecretProviders
import Testing
import VaultEmulator
import VaultProvider
import _CryptoExtras

/// Vault's JWT auth against the emulator: a TokenRequest ServiceAccount token checked with
/// the cluster's signing key, a JWT kept in a Secret, and the refusals Vault gives.
@Suite("Vault provider: jwt auth")
struct VaultJWTAuthTests {
    /// Enables `jwt/` trusting `publicKeyPEM` (and `issuer`), a role `rotor` reading `secret/data/shop/*`.
    static func configureJWTAuth(_ f: VaultFixture, publicKeyPEM: String, issuer: String?, role: JSONValue) async throws {
        try await f.putPolicy("shop-read", #"path "secret/data/shop/*" { capabilities = ["read"] }"#)
        try await f.call("POST", "sys/auth/jwt", ["type": "jwt"])
        var config: JSONObject = ["jwt_validation_pubkeys": [.string(publicKeyPEM)]]
        if let issuer { config["bound_issuer"] = .string(issuer) }
        let configured = try await f.call("POST", "auth/jwt/config", .object(config))
        #expect(configured.status == 204)
        let created = try await f.call("POST", "auth/jwt/role/rotor", role)
        #expect(created.status == 204, "\(String(describing: created.json))")
    }

    static let secretRole: JSONValue = [
        "role_type": "jwt", "bound_audiences": ["vault"], "user_claim": "sub", "bound_claims": ["team": "shop"],
        "token_policies": ["shop-read"], "token_ttl": "1h",
    ]

    /// An ES256 JWT with `claims`, signed by `key`.
    static func jwt(_ claims: JSONValue, key: P256.Signing.PrivateKey) throws -> String {
        let header: JSONValue = ["alg": "ES256", "typ": "JWT"]
        let input = base64URL(header.serializedBytes()) + "." + base64URL(claims.serializedBytes())
        return input + "." + base64URL(Array(try key.signature(for: Data(input.utf8)).rawRepresentation))
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Claims of a JWT valid now on the fixture's clock.
    static func claims(_ f: VaultFixture, audience: String = "vault", team: String = "shop", expiresIn: TimeInterval = 600) -> JSONValue {
        let now = Int64(f.clock.serverNow().timeIntervalSince1970)
        return [
            "iss": "https://issuer.example", "sub": "ci-pipeline", "aud": .string(audience), "team": .string(team),
            "iat": .int(now), "nbf": .int(now), "exp": .int(now + Int64(expiresIn)),
        ]
    }

    static let secretAuth = VaultAuth(jwt: VaultJWTAuth(role: "rotor", secretRef: SecretKeySelector(name: "ci-jwt", key: "token")))

    @Test("jwt auth: a ServiceAccount token from TokenRequest logs in, verified with the cluster's signing key and issuer")
    func serviceAccountTokenLogsIn() async throws {
        try await EmulatedCluster.with { cluster in
            try await VaultFixture.with { f in
                _ = try await cluster.client.create(Namespace(metadata: ObjectMeta(name: "shop")))
                _ = try await cluster.client.create(ServiceAccount(metadata: ObjectMeta(name: "rotor", namespace: "shop")), namespace: "shop")
                try await Self.configureJWTAuth(
                    f, publicKeyPEM: cluster.emulator.serviceAccountPublicKeyPEM, issuer: cluster.emulator.serviceAccountIssuer,
                    role: [
                        "role_type": "jwt", "bound_audiences": ["vault"], "user_claim": "sub",
                        "bound_subject": "system:serviceaccount:shop:rotor", "bound_claims": ["/kubernetes.io/namespace": "shop"],
                        "token_policies": ["shop-read"], "token_ttl": "1h",
                    ])
                await f.vault.write(["password": "jwt-pass"], to: "shop/db")
                let issuer = ClusterTokenIssuer(client: cluster.client, defaultNamespace: "shop")
                let auth = VaultAuth(jwt: VaultJWTAuth(role: "rotor", serviceAccountRef: ServiceAccountSelector(name: "rotor", audiences: ["vault"])))
                let provider = try f.provider(try f.config(auth: auth), tokens: issuer)

                let secret = try await provider.read(RemoteSecretID(key: "shop/db"))
                #expect(try secret.value(for: RemoteRef(key: "shop/db", property: "password")) == SecretValue(utf8: "jwt-pass"))
                #expect(f.vault.faults.requestCount(method: "POST", pathPrefix: "auth/jwt/login") == 1)

                // Another ServiceAccount's token does not match the bound subject.
                _ = try await cluster.client.create(ServiceAccount(metadata: ObjectMeta(name: "intruder", namespace: "shop")), namespace: "shop")
                let intruder = try f.provider(
                    try f.config(auth: VaultAuth(jwt: VaultJWTAuth(role: "rotor", serviceAccountRef: ServiceAccountSelector(name: "intruder")))),
                    tokens: issuer)
                let refused = await providerError { try await intruder.validate() }
                #expect(refused?.class == .permissionDenied)
            }
        }
    }

    @Test("jwt auth: a JWT kept in a Secret logs in with the role's audience and bound claims")
    func secretJWTLogsIn() async throws {
        try await VaultFixture.with { f in
            let key = P256.Signing.PrivateKey()
            try await Self.configureJWTAuth(f, publicKeyPEM: key.publicKey.pemRepresentation, issuer: "https://issuer.example", role: Self.secretRole)
            await f.vault.write(["password": "ci-pass"], to: "shop/db")
            let token = try Self.jwt(Self.claims(f), key: key)
            let provider = try f.provider(try f.config(auth: Self.secretAuth), credentials: ["ci-jwt/token": SecretValue(utf8: token)])

            let secret = try await provider.read(RemoteSecretID(key: "shop/db"))
            #expect(try secret.value(for: RemoteRef(key: "shop/db", property: "password")) == SecretValue(utf8: "ci-pass"))
            let lookup = try await f.call("GET", "auth/jwt/role/rotor")
            #expect(lookup.json?[path: ["data", "bound_audiences"]] == ["vault"])
        }
    }

    @Test("jwt auth: a wrong audience, an expired token, a bad signature or an unbound claim is Forbidden, the token never in the error")
    func refusalsArePermissionDeniedWithoutTheToken() async throws {
        try await VaultFixture.with { f in
            let key = P256.Signing.PrivateKey()
            try await Self.configureJWTAuth(f, publicKeyPEM: key.publicKey.pemRepresentation, issuer: "https://issuer.example", role: Self.secretRole)
            await f.vault.write(["password": "ci-pass"], to: "shop/db")
            let cases: [(what: String, token: String, vaultSays: String)] = [
                ("wrong audience", try Self.jwt(Self.claims(f, audience: "kubernetes"), key: key), "invalid audience (aud) claim"),
                ("expired", try Self.jwt(Self.claims(f, expiresIn: -3600), key: key), "token is expired (exp)"),
                ("bad signature", try Self.jwt(Self.claims(f), key: P256.Signing.PrivateKey()), "failed to verify signature"),
                ("unbound claim", try Self.jwt(Self.claims(f, team: "payments"), key: key), "claim \"team\" does not match"),
            ]
            for (what, token, vaultSays) in cases {
                // Vault's own answer, as a user would see it with curl.
                let direct = try await f.call("POST", "auth/jwt/login", ["role": "rotor", "jwt": .string(token)], token: "")
                #expect(direct.status == 400, "\(what)")
                #expect(direct.json?["errors"]?.arrayValue?.first?.stringValue?.contains(vaultSays) == true, "\(what): \(String(describing: direct.json))")

                let provider = try f.provider(try f.config(auth: Self.secretAuth), credentials: ["ci-jwt/token": SecretValue(utf8: token)])
                let refused = await providerError { try await provider.read(RemoteSecretID(key: "shop/db")) }
                #expect(refused?.class == .permissionDenied, "\(what)")
                #expect(refused?.detail?.contains(vaultSays) == true, "\(what): \(refused?.detail ?? "")")
                let printed = String(describing: refused) + (refused?.detail ?? "")
                let signature = String(token.split(separator: ".").last ?? "")
                #expect(!printed.contains(token) && !printed.contains(signature), "\(what): the error quotes the token")
            }
        }
    }

    @Test("jwt auth: an RS256 JWT verifies with an RSA key in jwt_validation_pubkeys; a role without the token's audience refuses it")
    func rs256JWTLogsIn() async throws {
        try await VaultFixture.with { f in
            let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            try await Self.configureJWTAuth(f, publicKeyPEM: key.publicKey.pemRepresentation, issuer: nil, role: Self.secretRole)
            await f.vault.write(["password": "rsa-pass"], to: "shop/db")
            let header: JSONValue = ["alg": "RS256", "typ": "JWT"]
            let input = Self.base64URL(header.serializedBytes()) + "." + Self.base64URL(Self.claims(f).serializedBytes())
            let signature = try key.signature(for: Data(input.utf8), padding: .insecurePKCS1v1_5)
            let token = input + "." + Self.base64URL(Array(signature.rawRepresentation))
            let provider = try f.provider(try f.config(auth: Self.secretAuth), credentials: ["ci-jwt/token": SecretValue(utf8: token)])
            let secret = try await provider.read(RemoteSecretID(key: "shop/db"))
            #expect(try secret.value(for: RemoteRef(key: "shop/db", property: "password")) == SecretValue(utf8: "rsa-pass"))

            try await f.call("POST", "auth/jwt/role/rotor", ["bound_audiences": ["another"]])
            let login = try await f.call("POST", "auth/jwt/login", ["role": "rotor", "jwt": .string(token)], token: "")
            #expect(login.status == 400)
            #expect(login.json?["errors"]?.arrayValue?.first?.stringValue?.hasPrefix("error validating token: invalid audience (aud) claim") == true)
        }
    }

    @Test("jwt auth: the store needs exactly one of serviceAccountRef and secretRef")
    func jwtNeedsOneSource() throws {
        let both = VaultAuth(jwt: VaultJWTAuth(
            role: "rotor", serviceAccountRef: ServiceAccountSelector(name: "rotor"), secretRef: SecretKeySelector(name: "a", key: "b")))
        let neither = VaultAuth(jwt: VaultJWTAuth(role: "rotor"))
        for auth in [both, neither] {
            let spec = VaultStoreConfig(server: "https://vault.example", auth: auth)
            let context = ProviderContext(storeName: "SecretStore/shop/vault", config: try JSONValue(encoding: spec))
            #expect(throws: ProviderError.self) { try VaultProviderFactory().makeVaultProvider(context) }
        }
    }
}
