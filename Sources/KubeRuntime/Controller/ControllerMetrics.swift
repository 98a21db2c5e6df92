import KubeClient
import Metrics

/// The metrics of one controller, through swift-metrics (the program exports them, e.g.
/// as Prometheus text), named `<prefix>_queue_depth`, `<prefix>_reconcile_total`, … under
/// the caller's prefix. Labels carry names, never object contents.
struct ControllerMetrics: Sendable {
    let queueDepth: Gauge
    let adds: Counter
    let retries: Counter
    let reconcileDuration: Timer
    let reconcileErrors: Counter
    let reconciles: Counter

    init(controller: String, prefix: MetricPrefix, factory: any MetricsFactory) {
        let dimensions = [("controller", controller)]
        queueDepth = Gauge(label: prefix.name("queue_depth"), dimensions: dimensions, factory: factory)
        adds = Counter(label: prefix.name("queue_adds_total"), dimensions: dimensions, factory: factory)
        retries = Counter(label: prefix.name("queue_retries_total"), dimensions: dimensions, factory: factory)
        reconcileDuration = Timer(label: prefix.name("reconcile_duration_seconds"), dimensions: dimensions, preferredDisplayUnit: .seconds, factory: factory)
        reconcileErrors = Counter(label: prefix.name("reconcile_errors_total"), dimensions: dimensions, factory: factory)
        reconciles = Counter(label: prefix.name("reconcile_total"), dimensions: dimensions, factory: factory)
    }
}
