import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import X509

/// A throwaway certificate authority and a serving certificate for 127.0.0.1 and
/// localhost, made at start-up so an emulator serves real TLS that clients verify.
public struct ServingCertificates: Sendable {
    /// The CA to trust (what a kubeconfig's `certificate-authority-data` or a Vault
    /// store's `caBundle` carries).
    public let caCertificatePEM: String
    public let serverCertificatePEM: String
    public let serverKeyPEM: String

    /// A new CA named `authorityName` and a certificate for `serverName` valid for
    /// 127.0.0.1, localhost and `extraDNSNames`.
    public static func generate(
        authorityName: String = "rotor-emulator-ca", serverName: String = "kube-apiserver",
        extraDNSNames: [String] = ["kubernetes.default.svc"], now: Date = Date()
    ) throws -> ServingCertificates {
        let caKey = P256.Signing.PrivateKey()
        let caPrivateKey = Certificate.PrivateKey(caKey)
        let caName = try DistinguishedName { CommonName(authorityName) }
        let validity = (now.addingTimeInterval(-3600), now.addingTimeInterval(365 * 86400))
        let ca = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: caPrivateKey.publicKey,
            notValidBefore: validity.0, notValidAfter: validity.1, issuer: caName, subject: caName,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: caPrivateKey.publicKey)
            },
            issuerPrivateKey: caPrivateKey)

        let serverKey = P256.Signing.PrivateKey()
        let serverPrivateKey = Certificate.PrivateKey(serverKey)
        let server = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: serverPrivateKey.publicKey,
            notValidBefore: validity.0, notValidAfter: validity.1, issuer: caName,
            subject: try DistinguishedName { CommonName(serverName) },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(
                    [.dnsName("localhost")] + extraDNSNames.map { .dnsName($0) }
                        + [.ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))])
            },
            issuerPrivateKey: caPrivateKey)
        return ServingCertificates(
            caCertificatePEM: try ca.serializeAsPEM().pemString,
            serverCertificatePEM: try server.serializeAsPEM().pemString,
            serverKeyPEM: try serverPrivateKey.serializeAsPEM().pemString)
    }

    /// A server-side TLS context presenting the serving certificate (HTTP/1.1 only).
    ///
    /// - Parameter requestingClientCertificates: ask clients for a certificate without
    ///   requiring one (Vault's TLS certificate auth); ``HTTPServer`` started with
    ///   `requestsClientCertificates` accepts any and hands it to the handler to judge.
    public func makeServerContext(requestingClientCertificates: Bool = false) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(serverCertificatePEM.utf8), format: .pem))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(serverKeyPEM.utf8), format: .pem)))
        configuration.applicationProtocols = ["http/1.1"]
        if requestingClientCertificates {
            configuration.certificateVerification = .optionalVerification
            // The server's handler judges the certificate: no trust store is loaded (a
            // container may have none, and the system's would be the wrong one anyway).
            configuration.trustRoots = .certificates([])
        }
        return try NIOSSLContext(configuration: configuration)
    }
}
