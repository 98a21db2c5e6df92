import Crypto
import Foundation
import KubeClient
import KubeRuntime
import KubeAPI
import RotorAPI
import Logging
import NIOConcurrencyHelpers
import RotorAPI
import SecretProviders
import ServiceLifecycle

/// `rotor run`: the operator as a process — the health and metrics endpoint, the
/// fingerprint key, leader election (optional) and the controllers, stopped
/// gracefully on SIGTERM/SIGINT (in-flight reconciles finish, the Lease is released).
public enum OperatorProcess {
    /// What `/readyz` answers, as the process moves from start to leading.
    private enum Phase: Sendable {
        case starting
        case running(OperatorControllers, LeaderElector?)
    }

    /// Runs until a termination signal; throws when the cluster cannot be reached at
    /// start or when leadership is lost (the pod restarts with fresh state).
    ///
    /// - Parameters:
    ///   - metrics: the Prometheus text exposition of the metrics registry, served at
    ///     `/metrics` followed by the process's ``SecretAgeTable``.
    ///   - onListening: called with the health port once it is bound (tests, logs).
    public static func run(
        _ configuration: OperatorConfiguration, environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger, metrics: @escaping @Sendable () -> [UInt8], onListening: @Sendable (Int) -> Void = { _ in }
    ) async throws {
        let phase = NIOLockedValueBox(Phase.starting)
        let secretAges = SecretAgeTable()
        var health: HealthServer?
        if let address = configuration.healthAddress {
            let server = try await HealthServer(
                host: address.host, port: address.port, logger: logger,
                readiness: { await readiness(phase.withLockedValue { $0 }) },
                metrics: { metrics() + secretAges.exposition() })
            health = server
            onListening(server.port)
            logger.info("serving /healthz, /readyz and /metrics", metadata: ["address": "\(address.host):\(server.port)"])
        }
        var clientConfiguration: ClientConfiguration
        do {
            if configuration.kubeconfig != nil || configuration.context != nil {
                clientConfiguration = try ClientConfiguration.fromKubeconfig(
                    path: configuration.kubeconfig, context: configuration.context, environment: environment)
            } else {
                clientConfiguration = try ClientConfiguration.automatic(environment: environment)
            }
        } catch {
            await health?.shutdown()
            throw error
        }
        clientConfiguration.qps = configuration.kubeQPS
        clientConfiguration.burst = configuration.kubeBurst
        let client = try kubernetesClient(clientConfiguration)
        do {
            try await runControllers(configuration, client: client, secretAges: secretAges, phase: phase, logger: logger)
        } catch {
            await health?.shutdown()
            try? await client.shutdown()
            throw error
        }
        await health?.shutdown()
        try await client.shutdown()
    }

    /// The operator's own namespace (fingerprint key, Lease) does not exist: a configuration
    /// error, said in one line with what to do.
    public struct OperatorNamespaceMissing: Error, CustomStringConvertible {
        public var namespace: String
        public var description: String {
            "the operator namespace \(namespace) does not exist: create it (kubectl create namespace \(namespace)) or name another with --operator-namespace NS"
        }
    }

    /// The operator's Kubernetes client: its User-Agent is `rotor/<version>`, its logger
    /// `rotor.kubeclient`, its request counter `rotor_kube_requests_total`.
    public static func kubernetesClient(_ configuration: ClientConfiguration) throws -> HTTPKubernetesClient {
        var configuration = configuration
        configuration.userAgent = "rotor/\(RotorAPIVersion.string)"
        return try HTTPKubernetesClient(
            configuration: configuration, logger: Logger(label: "rotor.kubeclient"), metricPrefix: OperatorMetrics.prefix)
    }

    private static func runControllers(
        _ configuration: OperatorConfiguration, client: HTTPKubernetesClient, secretAges: SecretAgeTable,
        phase: NIOLockedValueBox<Phase>, logger: Logger
    ) async throws {
        let key = try await loadFingerprintKey(namespace: configuration.operatorNamespace, client: client, logger: logger)
        CacheBudget.shared.setLimits(CacheBudget.Limits(maxBytes: configuration.cacheMemoryMiB << 20))
        let identity = LeaderElectionConfiguration.defaultIdentity()
        let events = EventRecorder(
            client: client, configuration: .init(reportingComponent: "rotor", reportingInstance: identity), logger: logger)
        let controllers = OperatorControllers(
            client: client, scope: configuration.scope, workers: configuration.workers, fingerprintKey: key, events: events,
            logger: logger, allowances: configuration.allowances, secretAges: secretAges,
            audit: auditLog(configuration.auditLog, identity: identity, logger: logger))
        let service: any Service
        var elector: LeaderElector?
        if configuration.leaderElection {
            let leaderElector = try LeaderElector(
                configuration: LeaderElectionConfiguration(
                    leaseName: configuration.leaseName, leaseNamespace: configuration.operatorNamespace, identity: identity),
                client: client, logger: logger,
                onStartedLeading: { logger.info("leading: reconciling") },
                onStoppedLeading: { logger.info("no longer leading") },
                onNewLeader: { leader in logger.info("leader elected", metadata: ["leader": "\(leader ?? "none")"]) })
            elector = leaderElector
            service = LeaderElectedService(elector: leaderElector, inner: controllers)
        } else {
            service = controllers
        }
        phase.withLockedValue { $0 = .running(controllers, elector) }
        logger.info(
            "rotor started",
            metadata: [
                "namespaces": "\(configuration.namespaces.isEmpty ? "all" : configuration.namespaces.joined(separator: ","))",
                "workers": "\(configuration.workers)", "leaderElection": "\(configuration.leaderElection)",
                "allowOperatorServiceAccountToken": "\(configuration.allowOperatorServiceAccountToken)",
                "allowPodCloudIdentity": "\(configuration.allowPodCloudIdentity)",
                "identity": "\(identity)", "auditLog": "\(configuration.auditLog)",
                "stateKeys": "\(configuration.stateKeys.map { "\($0)" } ?? "none")",
            ])
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: service)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        logger.info("rotor stopped")
    }

    /// The audit log `destination` asks for, its lines naming `identity` as the operator.
    static func auditLog(_ destination: OperatorConfiguration.AuditDestination, identity: String, logger: Logger) -> AuditLog? {
        switch destination {
        case .off: nil
        case .standardOutput: AuditLog(operator: identity, sink: .standardOutput)
        case .file(let path): AuditLog(operator: identity, sink: .file(path: path, logger: logger))
        }
    }

    /// Reads or creates the fingerprint key. A refusal (RBAC that lacks the key's rules) is
    /// retried with backoff up to 30 s, said at each attempt: the pod stays up and not
    /// ready, naming the permission, rather than crash-looping; granting it is enough to
    /// go on. A missing operator namespace is a configuration error, and other errors stop
    /// the process as before.
    static func loadFingerprintKey(namespace: String, client: any KubernetesClient, logger: Logger) async throws -> SymmetricKey {
        var delay = Duration.seconds(1)
        while true {
            do {
                return try await FingerprintKey.loadOrCreate(client: client, namespace: namespace)
            } catch let error as KubeAPIError where error.kind == .notFound && error.status?.details?.kind == "namespaces" {
                throw OperatorNamespaceMissing(namespace: namespace)
            } catch let error as KubeAPIError where error.kind == .forbidden || error.kind == .unauthorized {
                logger.error(
                    "cannot read or create the fingerprint key; retrying",
                    metadata: ["secret": "\(namespace)/\(FingerprintKey.secretName)", "error": "\(error)", "retryIn": "\(delay)"])
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(30))
            }
        }
    }

    private static func readiness(_ phase: Phase) async -> HealthServer.Readiness {
        switch phase {
        case .starting:
            return .notReady("starting")
        case .running(let controllers, let elector):
            if let elector, !elector.isLeader {
                return .ready("standby; leader is \(elector.currentLeader ?? "not known yet")")
            }
            return await controllers.hasSynced() ? .ready("caches synced") : .notReady("caches syncing")
        }
    }
}
