/// The labels and annotations Rotor puts on the Secrets it writes (DESIGN.md §3).
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

    /// The labels every Secret Rotor creates carries.
    public static var managedLabels: [String: String] {
        [managedLabel: managedLabelValue, managedByLabel: managedByLabelValue]
    }
}
