import Foundation

extension KubeConfig {
    /// The client configuration of `context`, or of `current-context` when nil:
    /// server, CA and TLS options of its cluster, credentials of its user, and its
    /// namespace (`default` when unset). Files named by the config are read now.
    public func clientConfiguration(context contextName: String? = nil) throws -> ClientConfiguration {
        guard let name = contextName ?? currentContext, !name.isEmpty else {
            throw KubeConfigError(.noCurrentContext, "no context given and no current-context set")
        }
        guard let context = contexts[name] else {
            throw KubeConfigError(.missingEntry, "context \"\(name)\" not found")
        }
        guard let clusterName = context.cluster, let cluster = clusters[clusterName] else {
            throw KubeConfigError(.missingEntry, "cluster \"\(context.cluster ?? "")\" of context \"\(name)\" not found")
        }
        guard let server = cluster.server else {
            throw KubeConfigError(.invalidValue, "cluster \"\(clusterName)\" has no server")
        }
        var configuration = ClientConfiguration(
            server: try Self.normalizedServer(server, cluster: clusterName), namespace: context.namespace ?? "default")
        configuration.tls = try Self.tlsOptions(cluster, name: clusterName)
        if let userName = context.user, !userName.isEmpty {
            guard let user = users[userName] else {
                throw KubeConfigError(.missingEntry, "user \"\(userName)\" of context \"\(name)\" not found")
            }
            try Self.apply(user, name: userName, to: &configuration)
        }
        return configuration
    }

    /// A server without a scheme is HTTPS, as in client-go.
    static func normalizedServer(_ server: String, cluster: String) throws -> String {
        let withScheme = server.contains("://") ? server : "https://\(server)"
        guard let url = URL(string: withScheme), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http",
            url.host != nil
        else {
            throw KubeConfigError(.invalidValue, "server of cluster \"\(cluster)\" is not an http(s) URL")
        }
        return withScheme
    }

    private static func tlsOptions(_ cluster: Cluster, name: String) throws -> TLSOptions {
        var tls = TLSOptions(insecureSkipVerify: cluster.insecureSkipTLSVerify, serverName: cluster.tlsServerName)
        if let data = cluster.certificateAuthorityData {
            tls.certificateAuthorityPEM = data
        } else if let path = cluster.certificateAuthority {
            tls.certificateAuthorityPEM = try readFile(path, what: "certificate-authority of cluster \"\(name)\"")
        }
        if tls.insecureSkipVerify, tls.certificateAuthorityPEM != nil {
            // client-go refuses this too: the CA would silently be ignored.
            throw KubeConfigError(.invalidValue, "cluster \"\(name)\" sets both a certificate authority and insecure-skip-tls-verify")
        }
        return tls
    }

    private static func apply(_ user: User, name: String, to configuration: inout ClientConfiguration) throws {
        if let data = user.clientCertificateData {
            configuration.tls.clientCertificatePEM = data
        } else if let path = user.clientCertificate {
            configuration.tls.clientCertificatePEM = try readFile(path, what: "client-certificate of user \"\(name)\"")
        }
        if let data = user.clientKeyData {
            configuration.tls.clientKeyPEM = data
        } else if let path = user.clientKey {
            configuration.tls.clientKeyPEM = Redacted(try readFile(path, what: "client-key of user \"\(name)\""))
        }
        if (configuration.tls.clientCertificatePEM == nil) != (configuration.tls.clientKeyPEM == nil) {
            throw KubeConfigError(.invalidValue, "user \"\(name)\" has a client certificate or key without the other")
        }
        if let token = user.token {
            configuration.authentication = .bearerToken(token)
        } else if let path = user.tokenFile {
            // Read once now so that a wrong path fails at start-up, not on the first request.
            _ = try readFile(path, what: "tokenFile of user \"\(name)\"")
            configuration.authentication = .bearerTokenFile(path: path)
        } else if configuration.tls.clientCertificatePEM == nil, !user.unsupportedMechanisms.isEmpty {
            throw KubeConfigError(
                .unsupportedAuthentication,
                "user \"\(name)\" authenticates with \(user.unsupportedMechanisms.joined(separator: ", ")), which this client does not support; use a token, tokenFile or client certificate")
        }
    }

    static func readFile(_ path: String, what: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KubeConfigError(.invalidValue, "cannot read \(what) at \(path)")
        }
        return [UInt8](data)
    }
}
