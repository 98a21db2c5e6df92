import Foundation
import Metrics

/// The rotation metrics, through swift-metrics. Labels carry results and
/// object names, never values.
///
/// - `rotor_rotations_total{result}`: rotations, `result` = `success` (new values written
///   with their previous ones kept) or `failure` (a scheduled rotation's provider write failed).
/// - `rotor_rotation_overlap_active`: ExternalSecrets whose Secret holds previous values now.
/// - `rotor_secret_age_seconds{namespace, name}`: kept in a ``SecretAgeTable`` (see there why).
public actor RotationMetrics {
    /// Where every operator metric goes (also the sync counters of ``OperatorMetrics``).
    nonisolated let factory: any MetricsFactory
    /// Where the ages of ExternalSecrets' values go.
    nonisolated let secretAges: SecretAgeTable
    private var overlapping: Set<String> = []
    private let overlapGauge: Gauge

    /// - Parameter secretAges: where ages are recorded: the process's served table; a
    ///   table of their own (served nowhere) by default.
    public init(factory: any MetricsFactory = MetricsSystem.factory, secretAges: SecretAgeTable = SecretAgeTable()) {
        self.factory = factory
        self.secretAges = secretAges
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

    /// Records when the ExternalSecret's values last changed.
    public nonisolated func valuesChanged(at date: Date, namespace: String, name: String) {
        secretAges.record(changedAt: date, namespace: namespace, name: name)
    }

    /// Forgets an ExternalSecret that is gone: it leaves the overlap count, and its age
    /// series is released (not left behind at its last value).
    public func forget(namespace: String, name: String) {
        setOverlap(false, namespace: namespace, name: name)
        secretAges.forget(namespace: namespace, name: name)
    }
}
