import Foundation

/// Durations written the way kubectl writes its AGE column: `5s`, `3m20s`, `3m`, `2h`, `5d`.
///
/// As `k8s.io/apimachinery/pkg/util/duration.HumanDuration` formats it, so that `kubectl rotor`
/// and the emulator's server-side tables read like `kubectl get`: seconds up to 2 minutes, then minutes (with seconds below 10
/// minutes), hours (with minutes below 8 hours), days (with hours below 8 days), years.
/// Every unit is truncated, never rounded up, as kubectl does.
public enum HumanDuration {
    /// `duration` (in seconds) as kubectl prints an age. Up to a second below zero counts as
    /// `0s` (clocks of two machines differ a little); further below is `<invalid>`.
    public static func format(_ duration: TimeInterval) -> String {
        let totalSeconds = Int(duration.rounded(.towardZero))
        if totalSeconds < -1 { return "<invalid>" }
        if totalSeconds < 0 { return "0s" }
        if totalSeconds < 60 * 2 { return "\(totalSeconds)s" }
        let minutes = totalSeconds / 60
        if minutes < 10 {
            let seconds = totalSeconds % 60
            return seconds == 0 ? "\(minutes)m" : "\(minutes)m\(seconds)s"
        }
        if minutes < 60 * 3 { return "\(minutes)m" }
        let hours = totalSeconds / 3600
        if hours < 8 {
            let remainder = minutes % 60
            return remainder == 0 ? "\(hours)h" : "\(hours)h\(remainder)m"
        }
        if hours < 48 { return "\(hours)h" }
        if hours < 24 * 8 {
            let remainder = hours % 24
            return remainder == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(remainder)h"
        }
        if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
        if hours < 24 * 365 * 8 {
            let days = (hours / 24) % 365
            return days == 0 ? "\(hours / 24 / 365)y" : "\(hours / 24 / 365)y\(days)d"
        }
        return "\(hours / 24 / 365)y"
    }

    /// The age of something that happened at `date`, seen at `now` (kubectl's AGE column).
    public static func age(of date: Date, now: Date) -> String {
        format(now.timeIntervalSince(date))
    }
}
