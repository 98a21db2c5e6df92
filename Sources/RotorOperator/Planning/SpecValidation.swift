import RotorAPI

/// The checks of an ExternalSecret's spec that need nothing but the spec, made before the
/// store is looked up or the provider read: a spec with a bad field gets `InvalidSpec`
/// naming that field whatever else is wrong (a missing store, a failing provider), so the
/// user never fixes one problem only to meet the next.
public enum SpecValidation {
    /// The first problem of `spec` (after `refreshInterval` and `refreshPolicy`, which
    /// `RefreshSchedule.of` checks), or nil.
    public static func firstProblem(_ spec: ExternalSecretSpec) -> SyncFailure? {
        if let policy = spec.target?.creationPolicy, !CreationPolicy.knownValues.contains(policy) {
            return .invalidSpec(
                field: "spec.target.creationPolicy",
                problem: "\"\(policy.rawValue)\" is not one of \(CreationPolicy.knownValues.map(\.rawValue).joined(separator: ", "))")
        }
        if let policy = spec.target?.deletionPolicy, !DeletionPolicy.knownValues.contains(policy) {
            return .invalidSpec(
                field: "spec.target.deletionPolicy",
                problem: "\"\(policy.rawValue)\" is not one of \(DeletionPolicy.knownValues.map(\.rawValue).joined(separator: ", "))")
        }
        if let rotation = spec.rotation {
            return RotationPlanner.validate(rotation) ?? ScheduledRotation.validate(rotation) ?? RestartPlanner.validate(rotation.restartTargets ?? [])
        }
        return nil
    }
}
