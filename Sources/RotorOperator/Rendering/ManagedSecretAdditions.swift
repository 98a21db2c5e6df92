import SecretProviders

/// What the RotationPlanner adds to a plan beyond the rendered Secret: the seam through which
/// overlap rotation writes `KEY_previous` values and its `rotor.dev/*` annotations.
///
/// Every `rotor.dev/` annotation on a target Secret belongs to Rotor, and a plan writes only
/// the ones computed for it (the fingerprint plus `annotations` here), so ending an overlap
/// window is passing no rotation annotations. Data keys are owned likewise with `Owner` and
/// `Orphan` (the data is exactly rendered + `data`); with `Merge` foreign keys stay, so the
/// previous keys to drop must be named in `removedDataKeys`.
public struct ManagedSecretAdditions: Sendable, Equatable, CustomStringConvertible {
    /// Extra annotations, e.g. `rotor.dev/rotated-at`, `rotor.dev/grace-until`,
    /// `rotor.dev/previous-keys`. The fingerprint annotation is always computed by the plan.
    public var annotations: [String: String]
    /// Extra data keys, e.g. `password_previous`. A rendered key of the same name wins.
    public var data: [String: SecretValue]
    /// Keys to remove from a `Merge` target (e.g. previous keys whose window ended).
    /// Rendered keys and `data` keys are never removed.
    public var removedDataKeys: Set<String>

    public init(
        annotations: [String: String] = [:], data: [String: SecretValue] = [:], removedDataKeys: Set<String> = []
    ) {
        self.annotations = annotations
        self.data = data
        self.removedDataKeys = removedDataKeys
    }

    /// Nothing added: a plain sync.
    public static let none = ManagedSecretAdditions()

    public var description: String {
        "ManagedSecretAdditions(annotations: \(annotations), keys: \(data.keys.sorted()), removedKeys: \(removedDataKeys.sorted()), values: <redacted>)"
    }
}
