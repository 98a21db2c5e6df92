/// Tuning of the `aws` provider; the defaults suit production, tests and benchmarks
/// shorten or count.
public struct AWSProviderOptions: Sendable {
    /// How long reads of current versions are gathered into one `BatchGetSecretValue`
    /// (Parameter Store: `GetParameters`).
    public var batchWindow: Duration = .milliseconds(10)
    /// Most secrets per `BatchGetSecretValue` (AWS allows 20); Parameter Store's
    /// `GetParameters` takes at most 10 whatever this says.
    public var maxBatchSize: Int = 20
    /// Requests a second to AWS per store, on average (well under the Secrets Manager quotas).
    public var requestsPerSecond: Double = 50
    /// Requests allowed in a burst above the average.
    public var burst: Int = 50
    /// Requests in flight per store.
    public var maxConcurrentRequests: Int = 8
    /// Retries and backoff on throttling and transient failures.
    public var callPolicy = AWSCallPolicy()
    /// `ListSecrets` page size (AWS allows 1–100); `GetParametersByPath` pages hold at most 10.
    public var listPageSize: Int = 100
    /// Most `GetParametersByPath` pages one Parameter Store `find` reads: a hierarchy larger
    /// than that (or an endpoint that never stops paging) fails the `find` instead.
    public var maxParameterPages: Int = 1_000
    /// Temporary credentials are refreshed this long before they expire.
    public var credentialRefreshMargin: Duration = .seconds(300)
    /// Long-lived keys read from a Secret are re-read after this long.
    public var staticCredentialReuse: Duration = .seconds(60)
    /// The session name given to STS.
    public var roleSessionName: String = "rotor"
    /// The HTTP transport; the shared async-http-client by default.
    public var transport: any AWSTransport = AsyncHTTPClientTransport()
    /// The transport to the container credentials endpoint (EKS Pod Identity, ECS): by
    /// default a client of its own that follows no redirect, with 5 s timeouts.
    public var containerCredentialsTransport: any AWSTransport = ContainerCredentialSource.defaultTransport
    /// Called with the operation name before each request to AWS (counters, benchmarks).
    public var onRequest: (@Sendable (String) -> Void)?

    public init() {}
}
