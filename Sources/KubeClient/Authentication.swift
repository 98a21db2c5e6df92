/// How the client proves who it is, besides a TLS client certificate.
public enum Authentication: Sendable, Hashable {
    /// Anonymous, or a TLS client certificate only.
    case none
    /// A fixed bearer token (kubeconfig `token`).
    case bearerToken(Redacted<String>)
    /// A bearer token read from a file and re-read as it rotates: kubeconfig
    /// `tokenFile`, or the projected service-account token in a pod, which the
    /// kubelet replaces well before it expires.
    case bearerTokenFile(path: String)
}
