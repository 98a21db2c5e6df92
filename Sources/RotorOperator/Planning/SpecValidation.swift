import KubeAPI
import RotorAPI

/// The checks of an ExternalSecret's spec that need nothing but the spec, made before the
/// store is looked up or the provider read: a spec with a bad field gets `InvalidSpec`
/// naming that field whatever else is wrong (a missing store, a failing provider), so the
/// user never fixes one problem only to meet the next.
public enum SpecValidation {
    /// The first problem of `spec` (after `refreshInterval` and `refreshPolicy`, which
    /// `RefreshSchedule.of` checks), or nil.
    public static func firstProblem(_ spec: ExternalSecretSpec) -> SyncFailure? {
        if let name = spec.target?.name, !name.isEmpty, let problem = secretNameProblem(name) {
            return .invalidSpec(field: "spec.target.name", problem: "\(SecretLimits.shown(name)) \(problem)")
        }
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

    /// Why `name` cannot name a Secret (a DNS-1123 subdomain: at most 253 characters of
    /// `a-z`, `0-9`, `-` and `.`, starting and ending with a letter or digit), or nil. Checked
    /// here so that a bad name is an `InvalidSpec` condition rather than a refused request.
    static func secretNameProblem(_ name: String) -> String? {
        let bytes = Array(name.utf8)
        guard bytes.count <= 253 else { return "is longer than 253 characters" }
        func alphanumeric(_ byte: UInt8) -> Bool { (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x7A) }
        guard bytes.allSatisfy({ alphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }),
            let first = bytes.first, let last = bytes.last, alphanumeric(first), alphanumeric(last)
        else { return "is not a valid Secret name (lower-case letters, digits, '-' and '.', starting and ending with a letter or digit)" }
        return nil
    }
}
