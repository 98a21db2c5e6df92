import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOSSL

/// The ``KubernetesClient`` that talks to a real API server over HTTPS, with
/// async-http-client.
///
/// One instance holds one connection pool; share it. Call ``shutdown()`` before
/// dropping it (async-http-client requires this and traps in debug builds
/// otherwise).
///
/// ```swift
/// let client = try HTTPKubernetesClient(configuration: .automatic())
/// let secret = try await client.get(Secret.self, namespace: "shop", name: "db")
/// try await client.shutdown()
/// ```
public final class HTTPKubernetesClient: KubernetesClient {
    public let configuration: ClientConfiguration
    /// Reads and writes.
    let httpClient: HTTPClient
    /// Watches and Lease requests: a pool of their own, so that neither a watch being opened
    /// nor a leader's renewal ever waits for a connection behind reconcile traffic.
    let controlClient: HTTPClient
    /// The server URL requests are sent to (its host is `tls-server-name` when set; see `init`).
    let requestServer: String
    let pacer: any RequestPacer
    let tokens: any BearerTokenProvider
    let logger: Logger
    let requestCounters: RequestCounters

    /// Builds the client; fails if the TLS material does not parse.
    ///
    /// - Parameters:
    ///   - pacer: replaces the ``AdaptivePacer`` made from `pacing` and `qps`/`burst` (tests, shared limits).
    ///   - eventLoopGroup: defaults to async-http-client's shared singleton group.
    ///   - logger: the client's logger (the caller picks its label).
    ///   - metricPrefix: names the request counter `<prefix>_kube_requests_total`.
    public init(
        configuration: ClientConfiguration, pacer: (any RequestPacer)? = nil,
        eventLoopGroup: any EventLoopGroup = HTTPClient.defaultEventLoopGroup,
        logger: Logger = Logger(label: "kubeclient"), metricPrefix: MetricPrefix = .kubeClient
    ) throws {
        self.configuration = configuration
        self.logger = logger
        self.requestCounters = RequestCounters(prefix: metricPrefix)
        self.pacer = pacer ?? AdaptivePacer(policy: configuration.pacing, ceiling: configuration.ceiling)
        switch configuration.authentication {
        case .none: tokens = NoBearerToken()
        case .bearerToken(let token): tokens = StaticBearerToken(value: token.value)
        case .bearerTokenFile(let path):
            tokens = TokenFileSource(path: path, refreshInterval: configuration.tokenRefreshInterval, clock: ContinuousClock())
        }

        var http = HTTPClient.Configuration()
        http.tlsConfiguration = try configuration.tls.makeTLSConfiguration()
        // A redirect could carry the bearer token to another host; the API server never redirects.
        http.redirectConfiguration = .disallow
        // No read timeout: a watch is legitimately silent for minutes. Requests get deadlines instead.
        http.timeout = HTTPClient.Configuration.Timeout(connect: .init(configuration.connectTimeout), read: nil)
        http.connectionPool = HTTPClient.Configuration.ConnectionPool(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, configuration.maximumConnections))
        http.decompression = .disabled
        // This client sets up no tracing: without this, every request still builds span attributes
        // for the no-op tracer (measurable on the operator's busiest path).
        http.tracing.tracer = nil

        let server = try Self.serverComponents(configuration.server)
        if let serverName = configuration.tls.serverName, serverName != server.host {
            // Address the server by the name its certificate carries (SNI and
            // verification), while connecting to the configured host.
            http.dnsOverride = [serverName: server.host]
            requestServer = server.replacingHost(with: serverName)
        } else {
            requestServer = configuration.server
        }
        httpClient = HTTPClient(eventLoopGroup: eventLoopGroup, configuration: http, backgroundActivityLogger: logger)
        var control = http
        control.connectionPool = HTTPClient.Configuration.ConnectionPool(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        controlClient = HTTPClient(eventLoopGroup: eventLoopGroup, configuration: control, backgroundActivityLogger: logger)
    }

    /// Closes all connections and ends open watches. Call once, when done.
    public func shutdown() async throws {
        var failure: (any Error)?
        for client in [httpClient, controlClient] {
            do { try await client.shutdown() } catch { failure = failure ?? error }
        }
        if let failure { throw failure }
    }

    private struct ServerComponents {
        var components: URLComponents
        var host: String
        func replacingHost(with name: String) -> String {
            var copy = components
            copy.host = name
            return copy.string ?? ""
        }
    }

    private static func serverComponents(_ server: String) throws -> ServerComponents {
        guard let components = URLComponents(string: server), let scheme = components.scheme?.lowercased(),
            scheme == "https" || scheme == "http", var host = components.host, !host.isEmpty
        else {
            throw KubeConfigError(.invalidValue, "server \(server) is not an http(s) URL")
        }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return ServerComponents(components: components, host: host)
    }
}
