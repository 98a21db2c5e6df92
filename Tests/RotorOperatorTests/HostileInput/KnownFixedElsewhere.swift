import Foundation
import RotorAPI

/// TEMPORARY — the lead deletes this file (and its call sites, each marked with the
/// comment `// knownFixedElsewhere`) once the issue-13 branches are merged; until then
/// `ROTOR_FUZZ_NO_GUARDS=1` runs every case as if it were deleted.
///
/// Inputs of the hostile-input property tests that trap or stall on this branch and that
/// other issue-13 work fixes (findings 5, 6 and 7). They are still generated; only their
/// execution (or, for `writeTimeChecks`, the assertion about them) is skipped here, and the
/// number of cases skipped is printed. Nothing else may be listed here.
enum KnownFixedElsewhere {
    /// Set `ROTOR_FUZZ_NO_GUARDS=1` to run every case as if this list were deleted.
    static let disabled = ProcessInfo.processInfo.environment["ROTOR_FUZZ_NO_GUARDS"] == "1"

    /// Finding 5: `refreshInterval` so long that the jittered requeue overflows
    /// `Int64` nanoseconds in `RefreshPlanner.nextAction` (e.g. `2562047h`).
    static func refreshIntervalOverflows(_ spec: ExternalSecretSpec) -> Bool {
        guard !disabled, let interval = spec.refreshInterval.flatMap(KubeDuration.init) else { return false }
        return interval.nanoseconds > Int64.max / 11 * 10 - 1_000_000_000
    }

    /// Finding 5: a `Retry-After` header of `1e300`, `inf` or anything beyond
    /// `Int64.max` milliseconds traps in `AWSErrorMapping.retryAfter`.
    static func awsRetryAfterTraps(_ header: String?) -> Bool {
        guard !disabled, let header, let seconds = Double(header.trimmingCharacters(in: .whitespaces)), seconds >= 0 else { return false }
        return !(seconds * 1000 < 9.2e18)
    }

    /// Finding 5: an AWS `region` that is not plain ASCII hits the `try!` in
    /// `AWSEndpoint.regional` when no endpoint is set.
    static func awsRegionTraps(region: String, endpoint: String?) -> Bool {
        guard !disabled, endpoint?.isEmpty ?? true else { return false }
        return !region.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-") }
            || region.isEmpty
    }

    /// Finding 6: a catastrophic `find.name.regexp` (nested quantifiers) over keys long
    /// enough to take Swift `Regex` seconds to minutes.
    static func catastrophicFind(_ regexp: String?, keys: [String]) -> Bool {
        guard !disabled, let regexp else { return false }
        let nested = ["+)+", "*)*", "+)*", "*)+", "|aa)+", "|a)+", "+)*$", "?)+"]
        return nested.contains { regexp.contains($0) } && keys.contains { $0.count > 12 }
    }

    /// Finding 7: keys a Secret cannot hold and Secrets over 1 MiB are refused by the API
    /// server at the write, outside the failure rule, until the key/size validation lands.
    /// The property tests still check that nothing partial is written; the "condition
    /// naming the field" assertion for these cases waits for that fix.
    static var writeTimeChecks: Bool { !disabled }
}
