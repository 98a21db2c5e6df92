import Foundation
import JSONCore
import KubeAPI

/// A Go `time.Duration` as Kubernetes and Rotor specs write it: `1h`, `15m`, `1h30m`, `90s`,
/// `1.5h`, `250ms`, or `0`.
///
/// Spec fields keep the text the user wrote (so a read-modify-write does not turn `1h` into
/// `1h0m0s`); this type parses it when the value is needed. Parsing follows Go's
/// `time.ParseDuration` (units `ns`, `us`/`µs`, `ms`, `s`, `m`, `h`; an optional sign; a
/// bare number only for `0`), and `description` prints like Go's `Duration.String`.
public struct KubeDuration: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    public static let zero = KubeDuration(nanoseconds: 0)
    public static func seconds(_ n: Int64) -> KubeDuration { KubeDuration(nanoseconds: n * 1_000_000_000) }
    public static func minutes(_ n: Int64) -> KubeDuration { .seconds(n * 60) }
    public static func hours(_ n: Int64) -> KubeDuration { .seconds(n * 3600) }

    /// The longest duration any spec field accepts: 8760h (365 days). Enforced twice: by the
    /// CRD schema (``OpenAPISchema/duration(_:default:)`` adds a CEL rule, so the API server
    /// refuses a longer value) and by the operator, which refuses one already stored (an
    /// older CRD, or a cluster without CEL validation) with `InvalidSpec` naming the field.
    /// Far below what a `Duration` or a nanosecond `Int64` can hold, so no arithmetic on a
    /// spec duration (jitter, `now + interval`, requeue delays) can overflow.
    public static let specMaximum = KubeDuration.hours(8760)
    /// ``specMaximum`` as users write it.
    public static let specMaximumText = "8760h"
    /// The longest duration text a spec field accepts (CRD `maxLength`).
    public static let maximumTextLength = 64

    /// The regular expression CRD schemas use for non-negative durations. Stricter than the
    /// parser only in refusing a sign and the `µs` spellings.
    public static let pattern = #"^(0|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|ms|s|m|h))+)$"#

    /// Parses a Go duration; `nil` when `text` is not one (empty, no unit, unknown unit,
    /// out of range).
    public init?(_ text: String) {
        guard let nanoseconds = Self.parse(Array(text.unicodeScalars)) else { return nil }
        self.nanoseconds = nanoseconds
    }

    /// The duration in seconds.
    public var timeInterval: TimeInterval { Double(nanoseconds) / 1e9 }

    /// The same span as a Swift `Duration`.
    public var duration: Duration { .nanoseconds(nanoseconds) }

    public static func < (lhs: KubeDuration, rhs: KubeDuration) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    // MARK: Parsing

    private static let units: [(name: String, nanoseconds: UInt64)] = [
        ("ns", 1), ("us", 1_000), ("\u{00B5}s", 1_000), ("\u{03BC}s", 1_000), ("ms", 1_000_000),
        ("s", 1_000_000_000), ("m", 60_000_000_000), ("h", 3_600_000_000_000),
    ]

    private static func parse(_ s: [Unicode.Scalar]) -> Int64? {
        var i = 0
        var negative = false
        if i < s.count, s[i] == "-" || s[i] == "+" {
            negative = s[i] == "-"
            i += 1
        }
        if s.count - i == 1, s[i] == "0" { return 0 }
        guard i < s.count else { return nil }
        var total: UInt64 = 0
        let limit: UInt64 = negative ? UInt64(Int64.max) + 1 : UInt64(Int64.max)
        while i < s.count {
            // The number: digits, optionally a fraction; at least one digit overall.
            var whole: UInt64 = 0
            var digits = 0
            while i < s.count, let d = digit(s[i]) {
                let (times10, o1) = whole.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(d)
                guard !o1, !o2 else { return nil }
                whole = sum
                digits += 1
                i += 1
            }
            var fraction: UInt64 = 0
            var scale: UInt64 = 1
            if i < s.count, s[i] == "." {
                i += 1
                while i < s.count, let d = digit(s[i]) {
                    // Digits beyond nanosecond precision of an hour cannot matter; drop them.
                    if scale < 1_000_000_000_000_000 {
                        fraction = fraction * 10 + d
                        scale *= 10
                    }
                    digits += 1
                    i += 1
                }
            }
            guard digits > 0 else { return nil }
            // The unit: the longest known name at this position.
            let start = i
            while i < s.count, s[i] != ".", digit(s[i]) == nil { i += 1 }
            let name = String(String.UnicodeScalarView(s[start..<i]))
            guard let unit = units.first(where: { $0.name == name })?.nanoseconds else { return nil }
            let (wholeNanos, o1) = whole.multipliedReportingOverflow(by: unit)
            guard !o1 else { return nil }
            let fractionNanos = UInt64((Double(fraction) * Double(unit) / Double(scale)).rounded(.down))
            let (partial, o2) = wholeNanos.addingReportingOverflow(fractionNanos)
            let (sum, o3) = total.addingReportingOverflow(partial)
            guard !o2, !o3, sum <= limit else { return nil }
            total = sum
        }
        if negative { return total == UInt64(Int64.max) + 1 ? Int64.min : -Int64(total) }
        return Int64(total)
    }

    private static func digit(_ c: Unicode.Scalar) -> UInt64? {
        guard c.value >= 0x30, c.value <= 0x39 else { return nil }
        return UInt64(c.value - 0x30)
    }

    // MARK: Formatting

    /// Go's `Duration.String`: `0s`, `1h0m0s`, `1m30s`, `1.5s`, `250ms`, `1.5µs`, `10ns`.
    public var description: String {
        if nanoseconds == 0 { return "0s" }
        let sign = nanoseconds < 0 ? "-" : ""
        var u = nanoseconds.magnitude
        if u < 1_000_000_000 {
            if u < 1_000 { return "\(sign)\(u)ns" }
            if u < 1_000_000 {
                let fraction = Self.fraction(&u, digits: 3)
                return "\(sign)\(u)\(fraction)\u{00B5}s"
            }
            let fraction = Self.fraction(&u, digits: 6)
            return "\(sign)\(u)\(fraction)ms"
        }
        let fraction = Self.fraction(&u, digits: 9)
        var text = "\(u % 60)\(fraction)s"
        u /= 60
        if u > 0 {
            text = "\(u % 60)m" + text
            u /= 60
            if u > 0 { text = "\(u)h" + text }
        }
        return sign + text
    }

    /// Splits off the last `digits` decimal digits of `value` as `.ddd` without trailing
    /// zeros (empty when they are all zero), leaving the integral part in `value`.
    private static func fraction(_ value: inout UInt64, digits: Int) -> String {
        var scale: UInt64 = 1
        for _ in 0..<digits { scale *= 10 }
        var remainder = value % scale
        value /= scale
        guard remainder > 0 else { return "" }
        var width = digits
        while remainder % 10 == 0 {
            remainder /= 10
            width -= 1
        }
        let text = String(remainder)
        return "." + String(repeating: "0", count: width - text.count) + text
    }
}

extension OpenAPISchema {
    /// A Go-style duration (`1h`, `15m`, `90s`, `0`), checked by `KubeDuration.pattern`, at
    /// most 64 characters and at most ``KubeDuration/specMaximum`` (a CEL rule: the pattern
    /// alone admits `2562047h` and more).
    public static func duration(_ description: String? = nil, default defaultValue: String? = nil) -> JSONValue {
        var schema: JSONObject = [
            "type": "string", "pattern": .string(KubeDuration.pattern), "maxLength": .int(Int64(KubeDuration.maximumTextLength)),
        ]
        if let defaultValue { schema["default"] = .string(defaultValue) }
        schema["x-kubernetes-validations"] = .array([
            rule(
                "duration(self) <= duration('\(KubeDuration.specMaximumText)')",
                message: "must be at most \(KubeDuration.specMaximumText)"),
        ])
        if let description { schema["description"] = .string(description) }
        return .object(schema)
    }
}
