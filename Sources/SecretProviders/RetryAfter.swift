import Foundation

/// A server's "wait this long before retrying" hint (`Retry-After`), read so that no
/// value a server can send traps or stalls the operator.
///
/// A provider is outside the trust boundary: `Retry-After: 1e300`, `inf`, `-1`, `NaN` or
/// twenty digits must neither crash the conversion to a `Duration` nor park an
/// ExternalSecret for a century. Hints are therefore clamped to ``maximum``.
public enum RetryAfter {
    /// The longest wait a server hint can impose: 10 minutes. A longer hint waits this long
    /// (and the next answer can ask again).
    public static let maximum: Duration = .seconds(600)

    /// The delay of a `Retry-After` header in delta-seconds form (`"7"`, `"1.5"`), at most
    /// ``maximum``; nil for a missing, negative, non-numeric or not-a-number value, and for the
    /// HTTP-date form (then the caller's own backoff applies).
    public static func parse(_ header: String?) -> Duration? {
        guard let header else { return nil }
        let text = header.trimmingCharacters(in: .whitespaces)
        // Only plain decimal numbers: `Double` would also take "inf", "nan", "0x1p3", "1e300".
        guard !text.isEmpty, text.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E }),
            text.utf8.filter({ $0 == 0x2E }).count <= 1, let seconds = Double(text)
        else { return nil }
        return clamped(seconds: seconds)
    }

    /// `seconds` as a duration in `0...maximum`; nil when not a number or negative.
    public static func clamped(seconds: Double) -> Duration? {
        guard !seconds.isNaN, seconds >= 0 else { return nil }
        let limit = Double(maximum.components.seconds)
        guard seconds < limit else { return maximum }
        return .milliseconds(Int64((seconds * 1000).rounded(.up)))
    }

    /// `duration` limited to `0...maximum`; nil stays nil.
    public static func clamped(_ duration: Duration?) -> Duration? {
        guard let duration else { return nil }
        return min(max(duration, .zero), maximum)
    }
}
