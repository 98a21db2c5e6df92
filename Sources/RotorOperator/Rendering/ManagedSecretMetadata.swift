/// The labels and annotations Rotor puts on the Secrets it writes.
public enum ManagedSecretMetadata {
    /// Label selecting the Secrets Rotor manages (the operator's Secret informer filters on it).
    public static let managedLabel = "rotor.dev/managed"
    public static let managedLabelValue = "true"
    /// The Kubernetes recommended label naming the managing tool.
    public static let managedByLabel = "app.kubernetes.io/managed-by"
    public static let managedByLabelValue = "rotor"

    /// Every annotation with this prefix on a target Secret belongs to Rotor: a plan drops the
    /// ones it does not (re)compute, so stale rotation annotations disappear by themselves.
    public static let annotationPrefix = "rotor.dev/"
    /// Keyed fingerprint (`hmac-sha256:…`) of the synced data.
    public static let fingerprintAnnotation = "rotor.dev/fingerprint"
    /// Rotation state, written by the RotationPlanner through `ManagedSecretAdditions`.
    public static let rotatedAtAnnotation = "rotor.dev/rotated-at"
    public static let graceUntilAnnotation = "rotor.dev/grace-until"
    public static let previousKeysAnnotation = "rotor.dev/previous-keys"
    /// The ExternalSecret (name, in the Secret's namespace) that manages the Secret: the one
    /// writer it has (``TargetOwnership``).
    public static let managedByAnnotation = "rotor.dev/managed-by"
    /// The `metadata.uid` of that ExternalSecret, so a deleted (or deleted and re-created)
    /// manager can be told apart from a live one.
    public static let managedByUIDAnnotation = "rotor.dev/managed-by-uid"

    /// The labels every Secret Rotor creates carries.
    public static var managedLabels: [String: String] {
        [managedLabel: managedLabelValue, managedByLabel: managedByLabelValue]
    }
}
