/// Why no client configuration could be made: a kubeconfig or in-cluster
/// setting is missing or wrong. Messages name files, contexts and fields, never
/// tokens or keys.
public struct KubeConfigError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// No kubeconfig file at the given path(s).
        case fileNotFound
        /// A file exists but cannot be read or is not a kubeconfig.
        case invalidFile
        /// No context was asked for and the kubeconfig has no `current-context`.
        case noCurrentContext
        /// The context, or the cluster or user it names, is not in the kubeconfig.
        case missingEntry
        /// A value is malformed or contradicts another (bad URL, CA with insecure-skip-tls-verify, cert without key, bad PEM).
        case invalidValue
        /// The user authenticates with something this client does not implement (exec plugins, auth providers).
        case unsupportedAuthentication
        /// Not running in a pod: the service environment or the service-account files are missing.
        case notInCluster
    }

    public let kind: Kind
    let detail: String

    init(_ kind: Kind, _ detail: String) {
        self.kind = kind
        self.detail = detail
    }

    /// A stable machine-readable code, e.g. `kubeconfig.missingEntry`.
    public var code: String { "kubeconfig.\(kind.rawValue)" }
    public var description: String { "kubeconfig: \(detail)" }
}
