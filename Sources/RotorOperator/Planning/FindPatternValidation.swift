import RotorAPI
import SecretProviders

/// Checks the `dataFrom[].find.name.regexp` patterns of an ExternalSecret before anything is
/// read: a pattern ``LinearRegex`` refuses (bad syntax, a construct RE2 lacks such as a
/// backreference or lookaround, longer than ``LinearRegex/maximumPatternBytes``, too large a
/// repetition) is the tenant's to fix, so it is `InvalidSpec` naming the entry, not a
/// provider error retried with backoff.
public enum FindPatternValidation {
    /// `InvalidSpec` for the first pattern that does not compile; nil when all do.
    public static func validate(_ spec: ExternalSecretSpec) -> SyncFailure? {
        for (index, source) in (spec.dataFrom ?? []).enumerated() {
            guard let pattern = source.find?.name?.regexp, !pattern.isEmpty else { continue }
            do {
                _ = try LinearRegex(pattern)
            } catch {
                return .invalidSpec(field: "spec.dataFrom[\(index)].find.name.regexp", problem: error.description)
            }
        }
        return nil
    }
}
