import ArgumentParser
import Foundation
import KubeClient
import Logging
import Metrics
import Prometheus
import RotorOperator

/// The settings of `rotor run` and `rotor check-config`: each a flag, else a `ROTOR_*`
/// environment variable, else a default (see `OperatorConfiguration.Setting`).
struct OperatorOptions: ParsableArguments {
    @Option(help: "Path of a kubeconfig (ROTOR_KUBECONFIG). Default: KUBECONFIG, else in-cluster, else ~/.kube/config.")
    var kubeconfig: String?

    @Option(help: "Kubeconfig context (ROTOR_CONTEXT). Default: the current context.")
    var context: String?

    @Option(help: "Comma-separated namespaces to watch (ROTOR_NAMESPACES). Default: all.")
    var namespaces: String?

    @Option(help: "The operator's own namespace: fingerprint key, Lease (ROTOR_OPERATOR_NAMESPACE). Default: POD_NAMESPACE, else the service account's, else rotor-system.")
    var operatorNamespace: String?

    @Option(help: "Concurrent ExternalSecret reconciles, 1…256 or auto (ROTOR_WORKERS). Default: auto, 8 per processor within 16…64 (reconciles mostly wait on I/O).")
    var workers: String?

    @Option(help: "Take the leader Lease before reconciling: true or false (ROTOR_LEADER_ELECT). Default: true.")
    var leaderElect: String?

    @Option(help: "Name of the leader Lease (ROTOR_LEASE_NAME). Default: rotor-leader.")
    var leaseName: String?

    @Option(help: "HOST:PORT of /healthz, /readyz and /metrics, or off (ROTOR_HEALTH_ADDRESS). Default: 0.0.0.0:8080.")
    var healthAddress: String?

    @Option(help: "trace, debug, info, notice, warning, error or critical (ROTOR_LOG_LEVEL). Default: info.")
    var logLevel: String?

    @Option(help: "json or text (ROTOR_LOG_FORMAT). Default: json.")
    var logFormat: String?

    @Option(help: "A fixed ceiling on requests per second to the API server, on top of the adaptive pacing (ROTOR_KUBE_QPS). Default: 0, no ceiling: requests are paced by what the server answers (429 with Retry-After, 5xx, latency).")
    var kubeQps: String?

    @Option(help: "Requests at once under --kube-qps (ROTOR_KUBE_BURST). Default: 0, twice --kube-qps.")
    var kubeBurst: String?

    @Option(help: "Let ClusterSecretStores use the operator's own mounted ServiceAccount token (Vault kubernetes auth without serviceAccountRef): true or false (ROTOR_ALLOW_OPERATOR_SERVICE_ACCOUNT_TOKEN). Never for a SecretStore. Default: false.")
    var allowOperatorServiceAccountToken: String?

    @Option(help: "Let ClusterSecretStores use the pod's AWS identity (environment credentials, IRSA, roles assumed with them; AWS stores without auth): true or false (ROTOR_ALLOW_POD_CLOUD_IDENTITY). Never for a SecretStore. Default: false.")
    var allowPodCloudIdentity: String?

    @Option(help: "MiB of cached secret values over all stores, least recently used evicted first (ROTOR_CACHE_MEMORY). Default: 64.")
    var cacheMemory: String?

    @Option(help: "File holding the current key the operator's own state (Vault tokens, lease records) is sealed with, AES-256-GCM: exactly 32 bytes, raw or base64 (44 characters, a trailing newline allowed) (ROTOR_STATE_KEY_FILE). Default: none.")
    var stateKeyFile: String?

    @Option(help: "File holding the previous state key during a rotation: records sealed with it are still opened, then sealed again with the current key (ROTOR_STATE_PREVIOUS_KEY_FILE). Needs --state-key-file. Default: none.")
    var statePreviousKeyFile: String?

    @Option(help: "Audit log of provider reads and writes and Secret writes, one JSON line each, never a value: off, stdout (lines tagged \"logger\":\"audit\") or a file PATH appended to (ROTOR_AUDIT_LOG). Default: off.")
    var auditLog: String?

    var given: [OperatorConfiguration.Setting: String] {
        let values: [(OperatorConfiguration.Setting, String?)] = [
            (.kubeconfig, kubeconfig), (.context, context), (.namespaces, namespaces), (.operatorNamespace, operatorNamespace),
            (.workers, workers), (.leaderElect, leaderElect), (.leaseName, leaseName), (.healthAddress, healthAddress),
            (.logLevel, logLevel), (.logFormat, logFormat), (.kubeQPS, kubeQps), (.kubeBurst, kubeBurst),
            (.allowOperatorServiceAccountToken, allowOperatorServiceAccountToken), (.allowPodCloudIdentity, allowPodCloudIdentity),
            (.cacheMemory, cacheMemory), (.stateKeyFile, stateKeyFile), (.statePreviousKeyFile, statePreviousKeyFile),
            (.auditLog, auditLog),
        ]
        return Dictionary(uniqueKeysWithValues: values.compactMap { setting, value in value.map { (setting, $0) } })
    }

    /// The validated configuration, or every problem on standard error and exit code 2.
    func resolve() throws -> OperatorConfiguration {
        let serviceAccountNamespace = (try? String(
            contentsOfFile: "/var/run/secrets/kubernetes.io/serviceaccount/namespace", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        switch OperatorConfiguration.resolve(
            flags: given, environment: ProcessInfo.processInfo.environment,
            serviceAccountNamespace: serviceAccountNamespace.flatMap { $0.isEmpty ? nil : $0 })
        {
        case .success(let configuration):
            return configuration
        case .failure(let problems):
            FileHandle.standardError.write(Data("rotor: \(problems)\n".utf8))
            throw ExitCode(2)
        }
    }
}

/// `rotor run`: the operator against a cluster.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the operator against a cluster (kubeconfig or in-cluster service account).",
        discussion: """
            Exit codes: 0 stopped by SIGTERM or SIGINT, 1 a runtime failure, 2 a configuration or usage error.
            """)

    @OptionGroup var options: OperatorOptions

    func run() async throws {
        let configuration = try options.resolve()
        let level = Logger.Level(rawValue: configuration.logLevel.rawValue) ?? .info
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = configuration.logFormat == .json
                ? JSONLogHandler(label: label) : StreamLogHandler.standardOutput(label: label)
            handler.logLevel = level
            return handler
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let logger = Logger(label: "rotor")
        do {
            try await OperatorProcess.run(configuration, logger: logger, metrics: { registry.emitToBuffer() })
        } catch let missing as OperatorProcess.OperatorNamespaceMissing {
            FileHandle.standardError.write(Data("rotor: \(missing)\n".utf8))
            throw ExitCode(2)
        } catch {
            logger.critical("rotor stopped on an error", metadata: ["error": "\(error)"])
            throw ExitCode.failure
        }
    }
}

/// `rotor check-config`: validates the settings `rotor run` would use, and nothing else.
/// How requests to the API server will be paced, as `check-config` prints it.
private func ceilingDescription(_ configuration: OperatorConfiguration) -> String {
    guard configuration.kubeQPS > 0 else { return "adaptive pacing, no fixed ceiling" }
    let ceiling = RequestCeiling(qps: configuration.kubeQPS, burst: configuration.kubeBurst)
    return "adaptive pacing under a ceiling of \(ceiling.qps) qps, burst \(ceiling.burst)"
}

struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate the settings of `rotor run` (flags and ROTOR_* variables) without touching the cluster.",
        discussion: """
            Exit codes: 0 valid, 2 invalid (every problem is listed).
            """)

    @OptionGroup var options: OperatorOptions

    func run() throws {
        let configuration = try options.resolve()
        print("""
            configuration is valid:
              kubeconfig: \(configuration.kubeconfig ?? "automatic (KUBECONFIG, in-cluster, ~/.kube/config)")
              namespaces: \(configuration.namespaces.isEmpty ? "all" : configuration.namespaces.joined(separator: ","))
              operator namespace: \(configuration.operatorNamespace)
              workers: \(configuration.workers)
              API requests: \(ceilingDescription(configuration))
              leader election: \(configuration.leaderElection ? "on (Lease \(configuration.operatorNamespace)/\(configuration.leaseName))" : "off")
              health address: \(configuration.healthAddress.map(\.description) ?? "off")
              log: \(configuration.logLevel.rawValue), \(configuration.logFormat.rawValue)
              audit log: \(configuration.auditLog)
              state keys: \(configuration.stateKeys.map { "current \($0.current.idHex)" + ($0.previous.isEmpty ? "" : ", previous \($0.previous.map(\.idHex).joined(separator: ", "))") } ?? "none")
            """)
    }
}
