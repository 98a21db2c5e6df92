import Foundation
import HTTPServing
import JSONCore
import SecretProviders
import Synchronization
import Testing
import VaultEmulator
import VaultProvider

/// Vault's TLS certificate auth against the emulator: the store presents the client
/// certificate of its `kubernetes.io/tls` Secret; Vault checks it chains to the role's CA.
@Suite("Vault provider: cert auth")
struct VaultCertAuthTests {
    /// Enables `cert/` with a role `rotor` trusting `caPEM` for client certificates named `allowedName`.
    static func configureCertAuth(_ f: VaultFixture, caPEM: String, allowedName: String = "rotor-client") async throws {
        try await f.putPolicy("shop-read", #"path "secret/data/shop/*" { capabilities = ["read"] }"#)
        try await f.call("POST", "sys/auth/cert", ["type": "cert"])
        let created = try await f.call("POST", "auth/cert/certs/rotor", [
            "certificate": .string(caPEM), "allowed_common_names": [.string(allowedName)], "token_policies": ["shop-read"], "token_ttl": "1h",
        ])
        #expect(created.status == 204, "\(String(describing: created.json))")
    }

    /// A client certificate (CN `rotor-client`) with its CA, as a kubernetes.io/tls Secret's keys.
    static func clientCertificate(authority: String = "rotor-client-ca") throws -> (ca: String, secret: [String: SecretValue]) {
        let issued = try ServingCertificates.generate(authorityName: authority, serverName: "rotor-client", extraDNSNames: [])
        return (issued.caCertificatePEM, [
            "client-tls/tls.crt": SecretValue(utf8: issued.serverCertificatePEM), "client-tls/tls.key": SecretValue(utf8: issued.serverKeyPEM),
        ])
    }

    static let auth = VaultAuth(cert: VaultCertAuth(name: "rotor", clientCertSecretRef: VaultTLSSecretRef(name: "client-tls")))

    @Test("cert auth: the client certificate of a kubernetes.io/tls Secret logs in and reads")
    func clientCertificateLogsIn() async throws {
        try await VaultFixture.with { f in
            let client = try Self.clientCertificate()
            try await Self.configureCertAuth(f, caPEM: client.ca)
            await f.vault.write(["password": "cert-pass"], to: "shop/db")
            let provider = try f.provider(try f.config(auth: Self.auth), credentials: client.secret)

            let secret = try await provider.read(RemoteSecretID(key: "shop/db"))
            #expect(try secret.value(for: RemoteRef(key: "shop/db", property: "password")) == SecretValue(utf8: "cert-pass"))
            #expect(f.vault.faults.requestCount(method: "POST", pathPrefix: "auth/cert/login") == 1)
        }
    }

    @Test("cert auth: a certificate from an untrusted CA, a name the role does not allow, or none at all is refused: Forbidden")
    func untrustedCertificatesAreRefused() async throws {
        try await VaultFixture.with { f in
            let trusted = try Self.clientCertificate()
            try await Self.configureCertAuth(f, caPEM: trusted.ca)
            await f.vault.write(["password": "cert-pass"], to: "shop/db")

            let stranger = try Self.clientCertificate(authority: "someone-else")
            let provider = try f.provider(try f.config(auth: Self.auth), credentials: stranger.secret)
            let refused = await providerError { try await provider.read(RemoteSecretID(key: "shop/db")) }
            #expect(refused?.class == .permissionDenied)
            #expect(refused?.detail?.contains("invalid certificate or no client certificate supplied") == true, "\(refused?.detail ?? "")")

            // Vault's own answer without a client certificate (the fixture's client has none).
            let bare = try await f.call("POST", "auth/cert/login", ["name": "rotor"], token: "")
            #expect(bare.status == 400)
            #expect(bare.json?["errors"] == ["invalid certificate or no client certificate supplied"])

            try await f.call("POST", "auth/cert/certs/rotor", ["allowed_common_names": ["someone"]])
            let renamed = try f.provider(try f.config(auth: Self.auth), credentials: trusted.secret)
            let refusedName = await providerError { try await renamed.read(RemoteSecretID(key: "shop/db")) }
            #expect(refusedName?.class == .permissionDenied)
        }
    }

    @Test("cert auth: a client certificate rotated in its Secret is presented from the next login on")
    func rotatedClientCertificateIsPresentedAtTheNextLogin() async throws {
        try await VaultFixture.with { f in
            let trusted = try Self.clientCertificate()
            try await Self.configureCertAuth(f, caPEM: trusted.ca)
            await f.vault.write(["password": "cert-pass"], to: "shop/db")
            let stranger = try Self.clientCertificate(authority: "someone-else")
            let secret = RotatingCredentials(stranger.secret)
            let context = ProviderContext(storeName: "SecretStore/shop/vault", config: try f.config(auth: Self.auth), secrets: secret)
            let provider = try VaultProvider(context: context, now: f.clock.clientNow)

            let refused = await providerError { try await provider.read(RemoteSecretID(key: "shop/db")) }
            #expect(refused?.class == .permissionDenied)
            secret.replace(trusted.secret)
            let read = try await provider.read(RemoteSecretID(key: "shop/db"))
            #expect(try read.value(for: RemoteRef(key: "shop/db", property: "password")) == SecretValue(utf8: "cert-pass"))
        }
    }

    @Test("cert auth: a tls.crt that is not PEM or larger than the bound is InvalidSpec, naming the key and not its content")
    func malformedOrOversizedPEMIsRefused() async throws {
        try await VaultFixture.with { f in
            let client = try Self.clientCertificate()
            var garbled = client.secret
            garbled["client-tls/tls.crt"] = SecretValue(utf8: "not a certificate")
            var huge = client.secret
            huge["client-tls/tls.crt"] = SecretValue(utf8: String(repeating: "A", count: 70_000))
            for credentials in [garbled, huge] {
                let provider = try f.provider(try f.config(auth: Self.auth), credentials: credentials)
                let refused = await providerError { try await provider.read(RemoteSecretID(key: "shop/db")) }
                #expect(refused?.class == .invalidRequest)
                #expect(refused?.detail?.contains("tls.crt") == true)
                #expect(refused?.detail?.contains("not a certificate") == false)
            }
            #expect(f.vault.faults.requestCount(method: "POST", pathPrefix: "auth/cert/login") == 0)
        }
    }
}

/// A Secret's keys that a test replaces, as cert-manager renews a certificate.
final class RotatingCredentials: CredentialResolver, Sendable {
    private let values: Mutex<[String: SecretValue]>

    init(_ values: [String: SecretValue]) { self.values = Mutex(values) }

    func replace(_ new: [String: SecretValue]) { values.withLock { $0 = new } }

    func credential(name: String, key: String, namespace: String?) async throws -> SecretValue {
        guard let value = values.withLock({ $0["\(name)/\(key)"] }) else {
            throw ProviderError.invalidRequest(detail: "no credential \(name)/\(key)")
        }
        return value
    }
}
