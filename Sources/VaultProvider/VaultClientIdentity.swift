import Crypto
import Foundation
import NIOSSL
import SecretProviders

/// The client certificate and key a cert-auth store presents in its TLS handshakes, read
/// from its `kubernetes.io/tls` Secret. Sizes are bounded before parsing; errors name the
/// Secret and key, never their content.
struct VaultClientIdentity: Sendable {
    let certificates: [NIOSSLCertificate]
    let privateKey: NIOSSLPrivateKey
    /// SHA-256 of the certificate and key PEM: tells pooled clients apart without holding the key.
    let digest: String

    /// The largest `tls.crt` (a chain) and `tls.key` read.
    static let maximumCertificateBytes = 64 * 1024
    static let maximumKeyBytes = 16 * 1024

    static func read(
        _ secret: VaultStoreConfig.Resolved.TLSSecret, credentials: any CredentialResolver, store: String
    ) async throws(ProviderError) -> VaultClientIdentity {
        typealias TLSSecret = VaultStoreConfig.Resolved.TLSSecret
        let certificate = try await value(secret, key: TLSSecret.certificateKey, limit: maximumCertificateBytes, credentials: credentials, store: store)
        let key = try await value(secret, key: TLSSecret.privateKeyKey, limit: maximumKeyBytes, credentials: credentials, store: store)
        return try parse(certificatePEM: certificate, keyPEM: key, secret: secret.name, store: store)
    }

    /// Parses PEM bytes already read (and bounded).
    static func parse(certificatePEM: SecretValue, keyPEM: SecretValue, secret: String, store: String) throws(ProviderError) -> VaultClientIdentity {
        let certificates: [NIOSSLCertificate]
        let privateKey: NIOSSLPrivateKey
        do {
            certificates = try NIOSSLCertificate.fromPEMBytes(certificatePEM.revealedBytes())
        } catch {
            certificates = []
        }
        guard !certificates.isEmpty else {
            throw ProviderError.invalidRequest(
                store: store, detail: "vault: auth.cert.clientCertSecretRef Secret \(secret) key tls.crt holds no PEM certificate")
        }
        do {
            privateKey = try NIOSSLPrivateKey(bytes: keyPEM.revealedBytes(), format: .pem)
        } catch {
            throw ProviderError.invalidRequest(
                store: store, detail: "vault: auth.cert.clientCertSecretRef Secret \(secret) key tls.key holds no unencrypted PEM private key")
        }
        var hasher = SHA256()
        hasher.update(data: certificatePEM.revealedBytes())
        hasher.update(data: keyPEM.revealedBytes())
        let digest = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        return VaultClientIdentity(certificates: certificates, privateKey: privateKey, digest: digest)
    }

    private static func value(
        _ secret: VaultStoreConfig.Resolved.TLSSecret, key: String, limit: Int, credentials: any CredentialResolver, store: String
    ) async throws(ProviderError) -> SecretValue {
        let value: SecretValue
        do {
            value = try await credentials.credential(name: secret.name, key: key, namespace: secret.namespace)
        } catch let error as ProviderError {
            throw error.store == nil ? error.inStore(store) : error
        } catch {
            throw ProviderError.transient(store: store, detail: "vault: reading auth.cert.clientCertSecretRef Secret \(secret.name): \(type(of: error))")
        }
        guard !value.isEmpty else {
            throw ProviderError.invalidRequest(store: store, detail: "vault: auth.cert.clientCertSecretRef Secret \(secret.name) key \(key) is empty")
        }
        guard value.count <= limit else {
            throw ProviderError.invalidRequest(
                store: store, detail: "vault: auth.cert.clientCertSecretRef Secret \(secret.name) key \(key) is larger than \(limit) bytes")
        }
        return value
    }
}
