import Foundation
import Metrics

/// The rotation metrics (DESIGN.md §5), through swift-metrics. Labels carry results and
/// object names, never values.
///
/// - `rotor_rotations_total{result}`: rotations, `result` = `success` (new values written
///   with their previous ones kept) or `failure` (a scheduled rotation's provider write failed).
/// - `rotor_rotation_overlap_active`: ExternalSecrets whose Secret holds previous values now.
/// - `rotor_secret_age_seconds{namespace, name}`: seconds since the ExternalSecret's values
///   last changed (its last rotation, else the Secret's creation), as of its last reconcile.
public actor RotationMetrics {
    /// Where every operator metric goes (also the sync counters of ``OperatorMetrics``).
    nonisolated let factory: any MetricsFactory
    private var overlapping: Set<String> = []
    private let overlapGauge: Gauge

    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        overlapGauge = Gauge(label: "rotor_rotation_overlap_active", dimensions: [], factory: factory)
    }

    /// Counts one rotation.
    public nonisolated func rotation(result: String) {
        Counter(label: "rotor_rotations_total", dimensions: [("result", result)], factory: factory).increment()
    }

    /// Records whether the ExternalSecret `namespace/name` is in an overlap window.
    public func setOverlap(_ active: Bool, namespace: String, name: String) {
        let key = "\(namespace)/\(name)"
        let changed = active ? overlapping.insert(key).inserted : overlapping.remove(key) != nil
        if changed || overlapping.isEmpty { overlapGauge.record(overlapping.count) }
    }

    /// Records the age of the ExternalSecret's values.
    public nonisolated func secretAge(_ seconds: TimeInterval, namespace: String, name: String) {
        secretAgeGauge(namespace: namespace, name: name).record(max(0, seconds.rounded()))
    }

    /// Forgets an ExternalSecret that is gone: it leaves the overlap count, and its age
    /// series is released (not left behind at its last value).
    public func forget(namespace: String, name: String) {
        setOverlap(false, namespace: namespace, name: name)
        secretAgeGauge(namespace: namespace, name: name).destroy()
    }

    private nonisolated func secretAgeGauge(namespace: String, name: String) -> Gauge {
        Gauge(label: "rotor_secret_age_seconds", dimensions: [("namespace", namespace), ("name", name)], factory: factory)
    }
}
