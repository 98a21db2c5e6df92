
/// Everything an ``HTTPKubernetesClient`` is built from: where the API server
/// is, how to trust it, how to authenticate, and how hard to push it.
///
/// Make one with ``fromKubeconfig(path:context:environment:)``,
/// ``inCluster(environment:serviceAccountDirectory:)`` or ``automatic(environment:)``,
/// or by hand (tests, the emulator). Printing it shows no credentials.
public struct ClientConfiguration: Sendable, Hashable {
    /// The API server URL, e.g. `https://10.96.0.1:443`; may carry a path prefix.
    public var server: String
    public var tls: TLSOptions
    public var authentication: Authentication
    /// The namespace of the kubeconfig context or of the pod: the default for callers that need one.
    public var namespace: String
    /// A fixed ceiling on top of the adaptive pacing, in sustained requests a second (watches
    /// and Lease requests excluded); 0, the default, sets none. The pacing (``pacing``) already
    /// slows down when the server answers 429, 5xx or slowly; a ceiling is for clusters whose
    /// administrators want a hard limit per client whatever the server says (an API server
    /// without Priority and Fairness, or one shared with workloads that must never see 429).
    public var qps: Double = 0
    /// Requests allowed at once under the ceiling (0: twice `qps`).
    public var burst: Int = 0
    /// How requests are paced by default (``AdaptivePacer``).
    public var pacing = PacingPolicy()
    /// The ceiling `qps`/`burst` describe, if any.
    public var ceiling: RequestCeiling? {
        qps > 0 ? RequestCeiling(qps: qps, burst: burst) : nil
    }
    /// Deadline of a non-watch request, from sending to the last body byte.
    public var requestTimeout: Duration = .seconds(30)
    public var connectTimeout: Duration = .seconds(10)
    /// Time a watch may run past its `timeoutSeconds` before the client gives up
    /// on the server closing it. A watch without `timeoutSeconds` has no deadline.
    public var watchTimeoutSlack: Duration = .seconds(30)
    /// How often a token file is re-read (in addition to after each 401).
    public var tokenRefreshInterval: Duration = .seconds(60)
    /// Sent as `User-Agent`; a program sets its own name and version.
    public var userAgent: String = "kubeclient"
    /// Connections kept per server for reads and writes (watches and Lease requests have a
    /// pool of their own, so they never queue behind them).
    public var maximumConnections: Int = 64
    /// The largest response body read into memory; a larger one is refused while being
    /// read (a list of many Secrets can be large: watchers then list in smaller pages).
    /// A quarter of the chart's 256 MiB memory limit.
    public var maximumResponseBytes: Int = 64 << 20

    public init(server: String, tls: TLSOptions = TLSOptions(), authentication: Authentication = .none, namespace: String = "default") {
        self.server = server
        self.tls = tls
        self.authentication = authentication
        self.namespace = namespace
    }
}

/// How the server is verified and how the client proves itself in TLS.
public struct TLSOptions: Sendable, Hashable {
    /// PEM certificates to trust instead of the system roots (kubeconfig
    /// `certificate-authority(-data)`, the pod's `ca.crt`).
    public var certificateAuthorityPEM: [UInt8]?
    /// PEM client certificate chain (kubeconfig `client-certificate(-data)`).
    public var clientCertificatePEM: [UInt8]?
    /// PEM private key of the client certificate: RSA, EC or PKCS#8.
    public var clientKeyPEM: Redacted<[UInt8]>?
    /// Do not verify the server certificate at all (kubeconfig `insecure-skip-tls-verify`).
    public var insecureSkipVerify: Bool
    /// Verify the server certificate for this name, and send it as SNI, instead of
    /// the server URL's host (kubeconfig `tls-server-name`).
    public var serverName: String?

    public init(
        certificateAuthorityPEM: [UInt8]? = nil, clientCertificatePEM: [UInt8]? = nil, clientKeyPEM: [UInt8]? = nil,
        insecureSkipVerify: Bool = false, serverName: String? = nil
    ) {
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM.map(Redacted.init)
        self.insecureSkipVerify = insecureSkipVerify
        self.serverName = serverName
    }
}
