import Foundation
import KubeAPI
import RotorAPI

/// Builds `status.rotation` from the window the Secret records. As with the rest of the
/// status, an unchanged state gives an equal value, so nothing is written.
public enum RotationStatusPlanner {
    /// The rotation status after a reconcile.
    ///
    /// - `phase`: `Pending` while a scheduled rotation is recorded (`pendingID`), else
    ///   `Overlap` while previous values are kept, else `Stable`.
    /// - `rotatedAt`: the window's start; kept after the window ended (the values last changed then).
    /// - `graceUntil`: the window's end, cleared with the window.
    /// - `nextRotation`: see ``ScheduledRotation/nextRotation(recorded:schedule:now:)``.
    /// - `pendingID`, `restartedFor`, `rotateRequest` come from `current`.
    /// - `nil` when rotation is not configured and nothing of it is left.
    /// - Parameters:
    ///   - completedScheduled: a scheduled rotation's provider write is done and its values
    ///     synced in this reconcile: `pendingID` is cleared and the next time counted from now.
    public static func status(
        current: ExternalSecretRotationStatus?, rotation: ExternalSecretRotation?, window: RotationWindow?,
        completedScheduled: Bool = false, now: Date
    ) -> ExternalSecretRotationStatus? {
        let configured = rotation != nil
        guard configured || window != nil || current?.pendingID != nil else { return nil }
        var status = current ?? ExternalSecretRotationStatus()
        if completedScheduled || (rotation?.generate ?? []).isEmpty { status.pendingID = nil }
        status.nextRotation = ScheduledRotation.nextRotation(
            recorded: completedScheduled ? nil : status.nextRotation?.date, schedule: rotation?.schedule, now: now).map(KubeTime.init)
        if let window {
            status.rotatedAt = KubeTime(window.rotatedAt)
            status.graceUntil = KubeTime(window.graceUntil)
        } else {
            status.graceUntil = nil
        }
        status.phase = status.pendingID != nil ? .pending : (window != nil ? .overlap : .stable)
        return status
    }
}
