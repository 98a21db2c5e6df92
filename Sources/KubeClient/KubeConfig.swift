/// A kubeconfig: named clusters, users and contexts, and the current context.
///
/// Load one with ``load(path:)``, ``load(paths:)`` or
/// ``loadDefault(environment:)``; turn a context into a
/// ``ClientConfiguration`` with ``clientConfiguration(context:)``. Relative file
/// paths are already resolved against the directory of the file they came from.
public struct KubeConfig: Sendable, Hashable {
    public var currentContext: String?
    public var clusters: [String: Cluster]
    public var contexts: [String: Context]
    public var users: [String: User]

    public init(currentContext: String? = nil, clusters: [String: Cluster] = [:], contexts: [String: Context] = [:], users: [String: User] = [:]) {
        self.currentContext = currentContext
        self.clusters = clusters
        self.contexts = contexts
        self.users = users
    }

    /// An API server and how to trust it.
    public struct Cluster: Sendable, Hashable {
        public var server: String?
        public var certificateAuthorityData: [UInt8]?
        /// Path of a PEM CA file; `certificateAuthorityData` wins when both are set.
        public var certificateAuthority: String?
        public var insecureSkipTLSVerify = false
        public var tlsServerName: String?

        public init(server: String? = nil) { self.server = server }
    }

    /// A user's credentials. Printing one shows no secrets.
    public struct User: Sendable, Hashable {
        public var token: Redacted<String>?
        public var tokenFile: String?
        public var clientCertificateData: [UInt8]?
        public var clientCertificate: String?
        public var clientKeyData: Redacted<[UInt8]>?
        public var clientKey: String?
        /// Mechanisms present in the file that this client does not implement
        /// (`exec`, `auth-provider`, `username`): named in the error when nothing else works.
        public var unsupportedMechanisms: [String] = []

        public init() {}
    }

    /// A cluster, a user and a default namespace, under one name.
    public struct Context: Sendable, Hashable {
        public var cluster: String?
        public var user: String?
        public var namespace: String?

        public init(cluster: String? = nil, user: String? = nil, namespace: String? = nil) {
            self.cluster = cluster
            self.user = user
            self.namespace = namespace
        }
    }
}

extension KubeConfig {
    /// This config with `lower` underneath, by client-go's rules for several
    /// `KUBECONFIG` files: the first file to define a cluster, user or context name
    /// wins that name whole (entries are not merged field by field), and the first
    /// non-empty `current-context` wins.
    public func merging(_ lower: KubeConfig) -> KubeConfig {
        var merged = self
        merged.clusters.merge(lower.clusters) { mine, _ in mine }
        merged.users.merge(lower.users) { mine, _ in mine }
        merged.contexts.merge(lower.contexts) { mine, _ in mine }
        if (merged.currentContext ?? "").isEmpty { merged.currentContext = lower.currentContext }
        return merged
    }
}
