import Foundation

/// The YAML shape of a kubeconfig file (`apiVersion: v1`, `kind: Config`), as
/// written by kubectl; only the fields this client uses are read.
struct KubeConfigFile: Decodable {
    var currentContext: String?
    var clusters: [NamedCluster]?
    var contexts: [NamedContext]?
    var users: [NamedUser]?

    enum CodingKeys: String, CodingKey {
        case currentContext = "current-context"
        case clusters, contexts, users
    }

    struct NamedCluster: Decodable {
        var name: String
        var cluster: ClusterFields?
    }

    struct NamedContext: Decodable {
        var name: String
        var context: ContextFields?
    }

    struct NamedUser: Decodable {
        var name: String
        var user: UserFields?
    }

    struct ClusterFields: Decodable {
        var server: String?
        var certificateAuthority: String?
        var certificateAuthorityData: String?
        var insecureSkipTLSVerify: Bool?
        var tlsServerName: String?

        enum CodingKeys: String, CodingKey {
            case server
            case certificateAuthority = "certificate-authority"
            case certificateAuthorityData = "certificate-authority-data"
            case insecureSkipTLSVerify = "insecure-skip-tls-verify"
            case tlsServerName = "tls-server-name"
        }
    }

    struct ContextFields: Decodable {
        var cluster: String?
        var user: String?
        var namespace: String?
    }

    struct UserFields: Decodable {
        var token: String?
        var tokenFile: String?
        var clientCertificate: String?
        var clientCertificateData: String?
        var clientKey: String?
        var clientKeyData: String?
        var username: String?
        var exec: IgnoredValue?
        var authProvider: IgnoredValue?

        enum CodingKeys: String, CodingKey {
            case token, tokenFile, username, exec
            case clientCertificate = "client-certificate"
            case clientCertificateData = "client-certificate-data"
            case clientKey = "client-key"
            case clientKeyData = "client-key-data"
            case authProvider = "auth-provider"
        }
    }

    /// Any YAML value whose presence matters but whose content does not.
    struct IgnoredValue: Decodable {
        init(from decoder: any Decoder) throws {}
    }
}

extension KubeConfigFile {
    /// The model, with `*-data` fields base64-decoded and relative paths made absolute.
    func config(resolvingAgainst directory: String?) throws -> KubeConfig {
        func resolve(_ path: String?) -> String? {
            guard let path, !path.isEmpty else { return nil }
            guard !path.hasPrefix("/"), let directory else { return path }
            return (directory as NSString).appendingPathComponent(path)
        }
        func base64(_ text: String?, _ field: String, _ name: String) throws -> [UInt8]? {
            guard let text, !text.isEmpty else { return nil }
            guard let data = Data(base64Encoded: text, options: .ignoreUnknownCharacters) else {
                throw KubeConfigError(.invalidValue, "\(field) of \(name) is not base64")
            }
            return [UInt8](data)
        }

        var config = KubeConfig(currentContext: currentContext.flatMap { $0.isEmpty ? nil : $0 })
        // Within one file the first entry of a name counts, as across files.
        for entry in clusters ?? [] where config.clusters[entry.name] == nil {
            let fields = entry.cluster
            var cluster = KubeConfig.Cluster(server: fields?.server.flatMap { $0.isEmpty ? nil : $0 })
            cluster.certificateAuthority = resolve(fields?.certificateAuthority)
            cluster.certificateAuthorityData = try base64(fields?.certificateAuthorityData, "certificate-authority-data", "cluster \(entry.name)")
            cluster.insecureSkipTLSVerify = fields?.insecureSkipTLSVerify ?? false
            cluster.tlsServerName = fields?.tlsServerName.flatMap { $0.isEmpty ? nil : $0 }
            config.clusters[entry.name] = cluster
        }
        for entry in contexts ?? [] where config.contexts[entry.name] == nil {
            config.contexts[entry.name] = KubeConfig.Context(
                cluster: entry.context?.cluster, user: entry.context?.user,
                namespace: entry.context?.namespace.flatMap { $0.isEmpty ? nil : $0 })
        }
        for entry in users ?? [] where config.users[entry.name] == nil {
            let fields = entry.user
            var user = KubeConfig.User()
            user.token = fields?.token.flatMap { $0.isEmpty ? nil : Redacted($0) }
            user.tokenFile = resolve(fields?.tokenFile)
            user.clientCertificate = resolve(fields?.clientCertificate)
            user.clientCertificateData = try base64(fields?.clientCertificateData, "client-certificate-data", "user \(entry.name)")
            user.clientKey = resolve(fields?.clientKey)
            user.clientKeyData = try base64(fields?.clientKeyData, "client-key-data", "user \(entry.name)").map(Redacted.init)
            if fields?.exec != nil { user.unsupportedMechanisms.append("exec") }
            if fields?.authProvider != nil { user.unsupportedMechanisms.append("auth-provider") }
            if fields?.username != nil { user.unsupportedMechanisms.append("username/password") }
            config.users[entry.name] = user
        }
        return config
    }
}
