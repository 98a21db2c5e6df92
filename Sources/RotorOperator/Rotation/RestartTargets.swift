import Foundation
import KubeClient
import KubeAPI
import RotorAPI

/// The workload annotation that rolls pods, as `kubectl rollout restart` sets it; Rotor writes
/// the rotation's ID (its `rotated-at` time), so the same rotation never rolls twice.
public enum RestartAnnotation {
    public static let name = "rotor.dev/restartedAt"
}

/// One restart target as found in the cluster.
public struct RestartTargetState: Sendable, Hashable {
    public var target: RestartTarget
    /// `nil`: the workload does not exist.
    public var restartedAt: String?
    public var exists: Bool
    /// `kubectl rollout status` rules: observedGeneration caught up, replicas updated and available.
    public var rollout: RolloutStatus?

    public init(target: RestartTarget, exists: Bool, restartedAt: String? = nil, rollout: RolloutStatus? = nil) {
        self.target = target
        self.exists = exists
        self.restartedAt = restartedAt
        self.rollout = rollout
    }

    /// `Deployment/api`.
    public var name: String { "\(target.kind.rawValue)/\(target.name)" }
}

/// Decisions about restart targets (pure).
public enum RestartPlanner {
    /// `InvalidSpec` for a target of an unknown kind or without a name.
    public static func validate(_ targets: [RestartTarget]) -> SyncFailure? {
        for (index, target) in targets.enumerated() {
            guard target.kind.isKnown else {
                let known = RestartTargetKind.knownValues.map(\.rawValue).joined(separator: ", ")
                return .invalidSpec(
                    field: "spec.rotation.restartTargets[\(index)].kind", problem: "\"\(target.kind.rawValue)\" is not one of \(known)")
            }
            guard !target.name.isEmpty else {
                return .invalidSpec(field: "spec.rotation.restartTargets[\(index)].name", problem: "must name a workload")
            }
        }
        return nil
    }

    /// Whether the targets still have to be rolled for `rotationID` (the window's
    /// ``RotationWindow/rotationID``): not yet recorded in `status.rotation.restartedFor`.
    public static func needsRestart(rotationID: String?, restartedFor: String?, targets: [RestartTarget]) -> Bool {
        guard let rotationID, !targets.isEmpty else { return false }
        return restartedFor != rotationID
    }

    /// The targets whose rollout for `rotationID` has not completed, by name, with kubectl's
    /// message. A workload that does not exist blocks nothing (there is nothing to roll, and a
    /// typo must not hold a previous value forever); one not yet restarted for this rotation,
    /// or still rolling out, does.
    public static func pendingRollouts(_ states: [RestartTargetState], rotationID: String) -> [(name: String, message: String)] {
        states.compactMap { state in
            guard state.exists else { return nil }
            guard state.restartedAt == rotationID else { return (state.name, "not restarted for this rotation yet") }
            guard let rollout = state.rollout, rollout.isComplete else {
                return (state.name, state.rollout?.message ?? "rollout status unknown")
            }
            return nil
        }
    }
}

/// Reads and rolls restart targets through the API (Deployments, StatefulSets, DaemonSets,
/// in the ExternalSecret's namespace). Each roll is a merge patch of the pod template's
/// annotation, so it never conflicts with other writers and repeats are no-ops.
struct RestartTargetClient: Sendable {
    let client: any KubernetesClient

    /// The target's state, or `exists: false` when it is not found.
    func state(of target: RestartTarget, namespace: String) async throws -> RestartTargetState {
        guard let type = Self.workloadType(of: target) else { return RestartTargetState(target: target, exists: false) }
        do {
            let workload = try await client.get(type, namespace: namespace, name: target.name)
            return RestartTargetState(
                target: target, exists: true, restartedAt: workload.podTemplate.metadata.annotations?[RestartAnnotation.name],
                rollout: workload.rolloutStatus)
        } catch let error as KubeAPIError where error.kind == .notFound {
            return RestartTargetState(target: target, exists: false)
        }
    }

    /// Sets the restart annotation to `rotationID` unless it already has that value.
    /// Returns whether the workload was patched.
    func restart(_ target: RestartTarget, namespace: String, rotationID: String) async throws -> Bool {
        guard let type = Self.workloadType(of: target) else { return false }
        let current = try await state(of: target, namespace: namespace)
        guard current.exists, current.restartedAt != rotationID else { return false }
        let patch = Patch.merge(["spec": ["template": ["metadata": ["annotations": [RestartAnnotation.name: .string(rotationID)]]]]])
        _ = try await client.patch(type, namespace: namespace, name: target.name, patch: patch)
        return true
    }

    /// The API type of a target's kind; nil for kinds that cannot be restarted.
    private static func workloadType(of target: RestartTarget) -> (any RestartableWorkload.Type)? {
        switch target.kind {
        case .deployment: Deployment.self
        case .statefulSet: StatefulSet.self
        case .daemonSet: DaemonSet.self
        default: nil
        }
    }
}

/// A workload that rolls its pods when its pod template changes.
protocol RestartableWorkload: KubernetesResource {
    var podTemplate: PodTemplateSpec { get }
    var rolloutStatus: RolloutStatus { get }
}

extension Deployment: RestartableWorkload {
    var podTemplate: PodTemplateSpec { spec.template }
}

extension StatefulSet: RestartableWorkload {
    var podTemplate: PodTemplateSpec { spec.template }
}

extension DaemonSet: RestartableWorkload {
    var podTemplate: PodTemplateSpec { spec.template }
}
