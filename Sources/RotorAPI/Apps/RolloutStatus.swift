import Foundation

/// Where a workload's rollout stands, decided by the rules of `kubectl rollout status`
/// (kubectl/pkg/polymorphichelpers/rollout_status.go), with kubectl's messages.
public enum RolloutStatus: Sendable, Hashable {
    /// The controller has caught up with the latest spec and its pods are updated and available.
    case complete(message: String)
    /// Still rolling out; the message says what is awaited.
    case inProgress(message: String)
    /// Will not finish by itself: the progress deadline passed, or the update strategy
    /// (`OnDelete`) has no rollout to follow.
    case failed(message: String)

    public var isComplete: Bool {
        if case .complete = self { return true } else { return false }
    }

    public var message: String {
        switch self {
        case .complete(let message), .inProgress(let message), .failed(let message): return message
        }
    }
}

/// The `type` of a workload update strategy.
public enum UpdateStrategyType {
    /// Replace pods gradually: the default of every workload kind.
    public static let rollingUpdate = "RollingUpdate"
    /// StatefulSet and DaemonSet: replace a pod only when someone deletes it.
    public static let onDelete = "OnDelete"
    /// Deployment: kill all old pods before creating new ones.
    public static let recreate = "Recreate"
}
