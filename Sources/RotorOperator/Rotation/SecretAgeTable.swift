import Foundation
import NIOConcurrencyHelpers

/// `rotor_secret_age_seconds{namespace, name}`: seconds since each ExternalSecret's values
/// last changed (its last rotation, else its Secret's creation), computed when `/metrics`
/// is scraped.
///
/// Kept here rather than as one swift-metrics `Gauge` per ExternalSecret: the Prometheus
/// registry copies a metric family's whole series table to add a series, so registering
/// one gauge per ExternalSecret costs time quadratic in their number (at 10,000 the first
/// refresh after a start spent a sixth of the operator's CPU there). Recording here is one
/// dictionary write, and the age is exact at scrape time rather than as of the last
/// reconcile. Label values are object names, never secret values.
///
/// One table per operator process: ``OperatorProcess`` makes it, hands it to the
/// ExternalSecret controller (through ``OperatorControllers``) and serves it at `/metrics`.
public final class SecretAgeTable: Sendable {
    private struct Key: Hashable, Comparable {
        let namespace: String
        let name: String
        static func < (a: Key, b: Key) -> Bool { (a.namespace, a.name) < (b.namespace, b.name) }
    }

    private let changedAt = NIOLockedValueBox<[Key: Date]>([:])

    public init() {}

    /// Records when the values of the ExternalSecret `namespace/name` last changed.
    public func record(changedAt date: Date, namespace: String, name: String) {
        changedAt.withLockedValue { $0[Key(namespace: namespace, name: name)] = date }
    }

    /// Drops the series of an ExternalSecret that is gone (not left at its last value).
    public func forget(namespace: String, name: String) {
        _ = changedAt.withLockedValue { $0.removeValue(forKey: Key(namespace: namespace, name: name)) }
    }

    /// The age in whole seconds (never negative) of each recorded ExternalSecret at `now`.
    public func ages(at now: Date) -> [(namespace: String, name: String, seconds: Double)] {
        changedAt.withLockedValue { $0 }.sorted { $0.key < $1.key }.map {
            (namespace: $0.key.namespace, name: $0.key.name, seconds: max(0, now.timeIntervalSince($0.value).rounded()))
        }
    }

    /// The family in the Prometheus text format (version 0.0.4); empty when nothing is recorded.
    public func exposition(at now: Date = Date()) -> [UInt8] {
        let ages = ages(at: now)
        guard !ages.isEmpty else { return [] }
        var text = "# HELP rotor_secret_age_seconds Seconds since the ExternalSecret's values last changed.\n"
        text += "# TYPE rotor_secret_age_seconds gauge\n"
        for age in ages {
            text += "rotor_secret_age_seconds{namespace=\"\(Self.escaped(age.namespace))\",name=\"\(Self.escaped(age.name))\"} \(Int64(age.seconds))\n"
        }
        return Array(text.utf8)
    }

    /// Escapes a label value as the text format requires (backslash, double quote, newline).
    static func escaped(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }
}
