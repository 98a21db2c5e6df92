import NIOSSL

extension TLSOptions {
    /// The NIOSSL client configuration for these options; fails on unreadable PEM
    /// or a certificate without its key.
    public func makeTLSConfiguration() throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        if insecureSkipVerify {
            tls.certificateVerification = .none
        }
        if let pem = certificateAuthorityPEM {
            let roots = try Self.certificates(pem, what: "certificate authority")
            // Only the cluster's CA: a public CA must not vouch for an API server.
            tls.trustRoots = .certificates(roots)
        }
        switch (clientCertificatePEM, clientKeyPEM) {
        case (nil, nil):
            break
        case (let certificatePEM?, let keyPEM?):
            tls.certificateChain = try Self.certificates(certificatePEM, what: "client certificate").map { .certificate($0) }
            do {
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: keyPEM.value, format: .pem))
            } catch {
                throw KubeConfigError(.invalidValue, "client key is not a PEM private key")
            }
        case (.some, nil):
            throw KubeConfigError(.invalidValue, "a client certificate is given without its key")
        case (nil, .some):
            throw KubeConfigError(.invalidValue, "a client key is given without its certificate")
        }
        return tls
    }

    private static func certificates(_ pem: [UInt8], what: String) throws -> [NIOSSLCertificate] {
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMBytes(pem)
        } catch {
            throw KubeConfigError(.invalidValue, "\(what) is not PEM")
        }
        guard !certificates.isEmpty else { throw KubeConfigError(.invalidValue, "\(what) holds no certificate") }
        return certificates
    }
}
