import KubeRuntime
import Logging

/// The durable steps of a scheduled rotation: after each, what was written so far is
/// enough for any later reconcile (of this process or of a restarted one) to finish it.
public enum RotationStep: String, Sendable, Hashable {
    /// `status.rotation.pendingID` was recorded; the provider was not written yet.
    case pendingRecorded
    /// The provider holds the new value; the Secret was not synced yet.
    case providerWritten
}

/// One scheduled rotation reaching one of its durable steps.
public struct RotationCheckpoint: Sendable, Hashable {
    public var step: RotationStep
    /// The ExternalSecret being rotated.
    public var externalSecret: ObjectKey
    /// The rotation's ID (`status.rotation.pendingID`): names no value.
    public var pendingID: String
}

/// Where the ExternalSecret reconciler reports each durable step of a scheduled rotation,
/// an injected dependency of ``ExternalSecretReconciler``.
///
/// In the operator it is ``logging(_:)``: a debug log line per step, the trail of a
/// rotation (which ExternalSecret, which rotation ID, how far it got) without any value.
/// Throwing from `reached` ends the reconcile right there, with what was written so far
/// kept: exactly what a crash of the process at that step leaves. Crash-safety tests inject
/// one that never returns, to stop an operator between two steps and prove that a new one
/// resumes the rotation.
public struct RotationCheckpoints: Sendable {
    public var reached: @Sendable (RotationCheckpoint) async throws -> Void

    public init(reached: @escaping @Sendable (RotationCheckpoint) async throws -> Void) {
        self.reached = reached
    }

    /// Reports nothing.
    public static let none = RotationCheckpoints { _ in }

    /// Logs each step at debug level, with the ExternalSecret and the rotation ID.
    public static func logging(_ logger: Logger) -> RotationCheckpoints {
        RotationCheckpoints { checkpoint in
            logger.debug(
                "scheduled rotation step done",
                metadata: [
                    "step": "\(checkpoint.step.rawValue)", "externalsecret": "\(checkpoint.externalSecret)",
                    "pendingID": "\(checkpoint.pendingID)",
                ])
        }
    }
}
