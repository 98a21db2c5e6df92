import KubeClient
import Metrics

/// The operator's own metric names, in one place so that each name is
/// always registered with the same label names (Prometheus refuses a name reused
/// with other labels). Labels carry outcomes and kinds, never keys or values.
public enum OperatorMetrics {
    /// The prefix of every operator metric, also given to the Kubernetes client and the
    /// controller machinery for theirs (`rotor_kube_requests_total`, `rotor_queue_depth`, …).
    public static let prefix: MetricPrefix = "rotor"

    /// `rotor_provider_requests_total{provider, op, result}`.
    static func providerRequest(provider: String, op: String, result: String, factory: any MetricsFactory) {
        Counter(
            label: "rotor_provider_requests_total", dimensions: [("provider", provider), ("op", op), ("result", result)],
            factory: factory
        ).increment()
    }

    /// `rotor_sync_total{result}` and `rotor_sync_duration_seconds`: one ExternalSecret
    /// reconcile, `result` = `synced` or the failure reason.
    public static func sync(result: String, duration: Duration, factory: any MetricsFactory = MetricsSystem.factory) {
        Counter(label: "rotor_sync_total", dimensions: [("result", result)], factory: factory).increment()
        Timer(label: "rotor_sync_duration_seconds", dimensions: [], preferredDisplayUnit: .seconds, factory: factory)
            .recordNanoseconds(Int64(duration.components.seconds) * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }
}
