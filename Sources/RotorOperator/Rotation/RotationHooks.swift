/// The steps of a scheduled rotation after which a test may inject a crash.
public enum RotationStep: String, Sendable, Hashable {
    /// `status.rotation.pendingID` was recorded; the provider was not written yet.
    case pendingRecorded
    /// The provider holds the new value; the Secret was not synced yet.
    case providerWritten
}

/// A test seam: called after each ``RotationStep``. Throwing from it ends the reconcile
/// there, as a crash of the operator would (the state written so far stays).
public struct RotationHooks: Sendable {
    public var after: @Sendable (RotationStep) async throws -> Void

    public init(after: @escaping @Sendable (RotationStep) async throws -> Void = { _ in }) {
        self.after = after
    }
}
