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

    /// A fixed RSA-2048 test key: generating one takes seconds in a debug build, on a
    /// thread of the concurrency pool every other test needs at start-up.
    static let rsaTestKey = """
        -----BEGIN PRIVATE KEY-----
        MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCh8sMlg9PEhPhP
        EO0OksP6q7RmK/bm9o5s/H1UktBR/1hYkZM8hx4VPmEiLvwB7NnXrMt66BpcUGet
        a/2ZNfsLudze46AlkLQbXX1M7CMgurrNZ0issktn2QUmydcZp1KRWqVJ5dZ/Lc6w
        +FLLdVNhpUoGk/VgiZgiQ/26Q0ahG2zCiliRrJ5E95pxPXGKSOdFb5lOP9NS4XRJ
        7El5pOJVgebICaWSqImPF7Uuid/R9TTiA0ADu2fxUJ8BfsvQ/aywEvF3fMN3IYPM
        uCZQiyK6xL7x4I4aKvNoesC18UKxCdFSVgFWjrTKc+nmp2hDd57WYleOZAUHrQyX
        fYhAJ0JHAgMBAAECggEAFE3D0pm+/JXxLbSBDAExieVqFh8v8s/5lkdnjSlk7crW
        MDB8JawJBP/PnMIIPVONEkGrNysPVwCLpw3xevpuEY/JVbZzFxKXyhCEC5dVZh6T
        Gfp3fZNS6d+nCjBnA+Pa8bdMHsIujL5Y+g4AD1sTy5u19rIpIuPNS4p7rpUNr1f2
        TIoJYZV2xrLEbYxyWAjqUw7b/O3uxRr9rrLaQaEhohENHPOdQECcy8HEdP1hhrwy
        so0SA/fX0hDrjfbd4w6HQwETmC6sPawsFHbabgvePSgFA9mry2FgFLPqwuePIs/f
        jYhQS6l4mEdyryKYuHC7kzvNRLlXERA7mzyZP9ESgQKBgQDRkv7Ps//YQs56OATB
        3Xla3/75+4eQmL3HUI6SmrqsTE+7irrQZ9HOZ/OxNJ2zaI0PQYeX30h48Qdq5SAK
        jo2HWqCqaEjop3hVIha+h9RD7SNKMSjUNHn0ahisNbzgHGppYRfdH8n/fcaw8u3V
        WtObVqd0j9coJHPkAPOLmgkJxwKBgQDF0uPJ7uTUNf0Y7EiYWtBA+2RYWr7AKcwZ
        uJcHWXFMgmfkq1DKDGsdKSX4xHJpgbPASBUyDozU3QZGY00T+7b4j3cmigetP8gJ
        Blu1/aP2/umoGnGKeZZnqZ7+Jr5Qp2D40xJPJhdX+iAVTlnxSBdPGh2rWPLIh5Ts
        +G1mpaQDgQKBgEStCts9fQV9PvRGDykITpA8/u0kQ9RaeTYra80W7z0u9KHcYEOT
        AenFntHfEB6OkEsDik92V+Vp9qhM1Scgd7h3NlchPWMgHgqn1RQypphryTiyy1Je
        r+gsLFGienZmWWiW7J8Fn8gdi1LJCK71yIoK520HBdadu2xn82c33uZZAoGAQ8Mu
        dfBX//0SWmQtpcqNxYSXZdCHwKlQmYrqaQERV0TgM6sfPGaulkmPETyxeESOfxHx
        +LiVMyEW0iuXrn2tukziYpgrcwQDEFxWM+vTK3s8LHIKbIWjqJSouqQo0tXS2Mjs
        X6JLor4yGTpCguzP1y+59AS+/UO8FsQuLVgV64ECgYEA0SYW/oo2Ps7h7dK8pSrY
        5j/zvkCd/A5Lp7gortuh64YATqXEGZCipYIjVK50PlvO+yeGx9q7k/J6w+q1PNo5
        NHvnbwyrEDhr9W+vg1hu9vJkbHJCkBRV27qS4zqcdek2ooE2/JL/U3kLOK+j5kZK
        Pn2ZtnlDH9ad9Q8ShR6Nx0I=
        -----END PRIVATE KEY-----
        """

    @Test("jwt auth: an RS256 JWT verifies with an RSA key in jwt_validation_pubkeys; a role without the token's audience refuses it")
    func rs256JWTLogsIn() async throws {
        try await VaultFixture.with { f in
            let key = try _RSA.Signing.PrivateKey(pemRepresentation: Self.rsaTestKey)
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
