import Metrics

/// The metrics of one controller, through swift-metrics (the operator exports them
/// as Prometheus text). Labels carry names, never object contents.
struct ControllerMetrics: Sendable {
    let queueDepth: Gauge
    let adds: Counter
    let retries: Counter
    let reconcileDuration: Timer
    let reconcileErrors: Counter
    let reconciles: Counter

    init(controller: String, factory: any MetricsFactory) {
        let dimensions = [("controller", controller)]
        queueDepth = Gauge(label: "rotor_queue_depth", dimensions: dimensions, factory: factory)
        adds = Counter(label: "rotor_queue_adds_total", dimensions: dimensions, factory: factory)
        retries = Counter(label: "rotor_queue_retries_total", dimensions: dimensions, factory: factory)
        reconcileDuration = Timer(label: "rotor_reconcile_duration_seconds", dimensions: dimensions, preferredDisplayUnit: .seconds, factory: factory)
        reconcileErrors = Counter(label: "rotor_reconcile_errors_total", dimensions: dimensions, factory: factory)
        reconciles = Counter(label: "rotor_reconcile_total", dimensions: dimensions, factory: factory)
    }
}
