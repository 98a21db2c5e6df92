import Foundation
import JSONCore

/// A Kubernetes `metav1.Time`: RFC 3339 in UTC with second precision, e.g.
/// `2026-11-29T10:00:00Z`.
public struct KubeTime: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var date: Date

    public init(_ date: Date) { self.date = Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)) }

    public static func now() -> KubeTime { KubeTime(Date()) }

    public init?(rfc3339 text: String) {
        guard let date = RFC3339.parse(text) else { return nil }
        self.init(date)
    }

    public var rfc3339: String { RFC3339.format(date, fractionalDigits: 0) }
    public var description: String { rfc3339 }

    public static func < (lhs: KubeTime, rhs: KubeTime) -> Bool { lhs.date < rhs.date }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let date = RFC3339.parse(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an RFC 3339 time"))
        }
        self.init(date)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rfc3339)
    }
}

/// A Kubernetes `metav1.MicroTime`: RFC 3339 with microseconds, used by Events and Leases.
public struct KubeMicroTime: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var date: Date

    /// Keeps `date` to the nearest microsecond. Nearest, not truncated: a `Date` near the
    /// present is a Double good to about 0.2 µs, so `…00.000001` may be held as
    /// `…00.00000095`, and truncating would lose the microsecond.
    public init(_ date: Date) {
        self.date = Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1_000_000).rounded() / 1_000_000)
    }

    public init?(rfc3339 text: String) {
        guard let date = RFC3339.parse(text) else { return nil }
        self.init(date)
    }

    public static func now() -> KubeMicroTime { KubeMicroTime(Date()) }

    public var rfc3339: String { RFC3339.format(date, fractionalDigits: 6) }
    public var description: String { rfc3339 }

    public static func < (lhs: KubeMicroTime, rhs: KubeMicroTime) -> Bool { lhs.date < rhs.date }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let date = RFC3339.parse(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an RFC 3339 time"))
        }
        self.init(date)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rfc3339)
    }
}

/// RFC 3339 formatting and parsing without Foundation formatters (which are slow and
/// not Sendable).
public enum RFC3339 {
    /// Formats `date` in UTC with `fractionalDigits` (0 to 9) digits of second fraction.
    ///
    /// With no fraction digits the seconds are truncated, as Go does. The fraction is
    /// rounded to the nearest unit instead: a `Date` near the present is a Double good to
    /// about 0.2 µs, so truncating would print `.000001` as `.000000`.
    public static func format(_ date: Date, fractionalDigits: Int) -> String {
        let digits = min(max(fractionalDigits, 0), 9)
        // Years 0001 to 9999, as RFC 3339 can write them: a date computed from data (now plus
        // some interval) can be anything, and `Int64(_:)` of a Double beyond 9.2e18 traps.
        let unclamped = date.timeIntervalSince1970
        let total = unclamped.isNaN ? 0 : min(max(unclamped, -62_135_596_800), 253_402_300_799)
        var seconds = Int64(total.rounded(.down))
        var fraction: Int64 = 0
        if digits > 0 {
            var scale: Int64 = 1
            for _ in 0..<digits { scale *= 10 }
            // `total - floor(total)` is exact, so only the final rounding errs.
            fraction = Int64(((total - total.rounded(.down)) * Double(scale)).rounded())
            if fraction == scale {
                fraction = 0
                seconds += 1
            }
        }
        var days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let secondOfDay = seconds - days * 86400
        // Civil-from-days (Howard Hinnant's algorithm).
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        var year = yearOfEra + era * 400
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        if month <= 2 { year += 1 }
        func pad(_ v: Int64, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        var text = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay % 3600 / 60, 2)):\(pad(secondOfDay % 60, 2))"
        if digits > 0 {
            text += "." + pad(fraction, digits)
        }
        return text + "Z"
    }

    public static func parse(_ text: String) -> Date? {
        let u = Array(text.utf8)
        guard u.count >= 20 else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var v: Int64 = 0
            for i in range {
                guard i < u.count, u[i] >= 48, u[i] <= 57 else { return nil }
                v = v * 10 + Int64(u[i] - 48)
            }
            return v
        }
        guard let year = number(0..<4), u[4] == UInt8(ascii: "-"), let month = number(5..<7), u[7] == UInt8(ascii: "-"),
            let day = number(8..<10), u[10] == UInt8(ascii: "T") || u[10] == UInt8(ascii: "t"),
            let hour = number(11..<13), u[13] == UInt8(ascii: ":"), let minute = number(14..<16),
            u[16] == UInt8(ascii: ":"), let second = number(17..<19),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var i = 19
        // The fraction is read as an integer count of units and divided once: summing digit
        // by digit accumulates rounding errors that can cost a microsecond.
        var fraction = 0.0
        if i < u.count, u[i] == UInt8(ascii: ".") {
            i += 1
            let start = i
            var units: Int64 = 0
            var scale: Int64 = 1
            while i < u.count, u[i] >= 48, u[i] <= 57 {
                if i - start < 9 {  // nanoseconds at most, as Go
                    units = units * 10 + Int64(u[i] - 48)
                    scale *= 10
                }
                i += 1
            }
            if i == start { return nil }
            fraction = Double(units) / Double(scale)
        }
        var offset: Int64 = 0
        guard i < u.count else { return nil }
        if u[i] == UInt8(ascii: "Z") || u[i] == UInt8(ascii: "z") {
            i += 1
        } else if u[i] == UInt8(ascii: "+") || u[i] == UInt8(ascii: "-") {
            let sign: Int64 = u[i] == UInt8(ascii: "+") ? 1 : -1
            guard let oh = number((i + 1)..<(i + 3)), i + 3 < u.count, u[i + 3] == UInt8(ascii: ":"),
                let om = number((i + 4)..<(i + 6)), oh < 24, om < 60
            else { return nil }
            offset = sign * (oh * 3600 + om * 60)
            i += 6
        } else {
            return nil
        }
        guard i == u.count else { return nil }
        let isLeapYear = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let daysInMonth: [Int64] = [31, isLeapYear ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard day <= daysInMonth[Int(month - 1)] else { return nil }
        // Days-from-civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        let seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }
}
