import Foundation
import KubeAPI
import RotorAPI

/// The text of `kubectl rotor explain`: a headline saying whether the ExternalSecret is
/// ready and why (its `Ready` condition's reason and message), then the facts behind it —
/// whether the operator has seen the latest spec, last sync, next refresh, rotation, the
/// store's own readiness — and the latest Events, most recent first.
///
/// Pure: the same explanation at the same `now` renders the same text. Everything shown
/// comes from status fields, conditions and Events, none of which ever holds secret values.
public enum ExplanationReport {
    public static func render(_ explanation: Explanation, now: Date) -> String {
        let externalSecret = explanation.externalSecret
        let status = externalSecret.status
        var lines = headline(externalSecret)
        lines.append("")
        lines.append(field("Secret", externalSecret.targetSecretName))
        if let ready = status?.conditions?.first(ofType: ExternalSecretConditions.ready) {
            var text = "\(ready.status.rawValue) (\(ready.reason ?? "no reason"))"
            if let since = ready.lastTransitionTime { text += " for \(HumanDuration.age(of: since.date, now: now))" }
            lines.append(field("Ready", text))
        }
        if let rollout = status?.conditions?.first(ofType: ExternalSecretConditions.rolloutComplete) {
            lines.append(field("Rollout", "\(rollout.status.rawValue) (\(rollout.reason ?? "no reason"))\(rollout.message.map { ": \(oneLine($0))" } ?? "")"))
        }
        lines.append(field("Last sync", status?.refreshTime.map { "\(HumanDuration.age(of: $0.date, now: now)) ago (\($0.rfc3339))" } ?? "never"))
        lines.append(field("Next refresh", nextRefresh(externalSecret, now: now)))
        lines.append(field("Rotation", rotation(externalSecret, now: now)))
        lines.append(field("Store", store(explanation.store)))
        if case .found(let storeStatus) = explanation.store.state,
            let message = storeStatus?.conditions?.first(ofType: SecretStoreConditions.ready)?.message, !message.isEmpty
        {
            lines.append(field("", oneLine(message)))
        }
        lines.append(contentsOf: events(explanation, now: now))
        return lines.joined(separator: "\n") + "\n"
    }

    /// Whether it is ready and why, and whether the status is about the latest spec.
    static func headline(_ externalSecret: ExternalSecret) -> [String] {
        let title = "ExternalSecret \(externalSecret.metadata.namespace ?? "")/\(externalSecret.metadata.name ?? "")"
        let status = externalSecret.status
        var lines: [String]
        if let ready = status?.conditions?.first(ofType: ExternalSecretConditions.ready) {
            let verdict: String
            switch ready.status {
            case .true: verdict = "is ready"
            case .false: verdict = "is not ready"
            default: verdict = "readiness is unknown"
            }
            lines = ["\(title) \(verdict): \(ready.reason ?? "no reason given")"]
            if let message = ready.message, !message.isEmpty { lines.append("  \(oneLine(message))") }
        } else {
            lines = [
                "\(title) has no Ready condition yet: the operator has not reported on it",
                "  (is rotor running, and does it watch this namespace?)",
            ]
        }
        if let generation = externalSecret.metadata.generation, let observed = status?.observedGeneration, observed < generation {
            lines.append("  The status describes generation \(observed) of the spec, which is at generation \(generation): the operator has not acted on the latest change yet.")
        }
        return lines
    }

    static func nextRefresh(_ externalSecret: ExternalSecret, now: Date) -> String {
        let interval = externalSecret.spec.refreshInterval ?? NextRefresh.defaultIntervalText
        switch NextRefresh(spec: externalSecret.spec, status: externalSecret.status, now: now) {
        case .never: return "never (refreshPolicy CreatedOnce)"
        case .onChange: return "on change only (refreshPolicy \(externalSecret.spec.effectiveRefreshPolicy.rawValue), refreshInterval \(interval))"
        case .due: return "due now (every \(interval))"
        case .at(let date): return "in about \(HumanDuration.format(date.timeIntervalSince(now))) (every \(interval), ±10 % jitter)"
        case .invalidSpec: return "none: refreshInterval \"\(interval)\" or refreshPolicy is invalid"
        }
    }

    static func rotation(_ externalSecret: ExternalSecret, now: Date) -> String {
        guard let rotation = externalSecret.status?.rotation, let phase = rotation.phase else {
            return externalSecret.spec.rotation == nil ? "not configured" : "configured, no rotation recorded yet"
        }
        var text = phase.rawValue
        if phase == .overlap, let until = rotation.graceUntil {
            let remaining = until.date.timeIntervalSince(now)
            text += remaining > 0
                ? ": previous values removed in \(HumanDuration.format(remaining)) (\(until.rfc3339))"
                : ": grace period ended \(HumanDuration.format(-remaining)) ago; previous values still held"
        }
        if phase == .pending { text += ": a scheduled rotation's new value is being written to the provider" }
        if let rotatedAt = rotation.rotatedAt { text += "; last rotated \(HumanDuration.age(of: rotatedAt.date, now: now)) ago" }
        if let next = rotation.nextRotation, next.date > now {
            text += "; next scheduled in \(HumanDuration.format(next.date.timeIntervalSince(now)))"
        }
        return text
    }

    static func store(_ finding: StoreFinding) -> String {
        switch finding.state {
        case .notFound:
            return "\(finding.title): not found"
        case .unreadable(let reason):
            return "\(finding.title): cannot be read: \(reason)"
        case .found(let status):
            guard let ready = status?.conditions?.first(ofType: SecretStoreConditions.ready) else {
                return "\(finding.title): not checked by the operator yet (no Ready condition)"
            }
            return "\(finding.title): Ready \(ready.status.rawValue) (\(ready.reason ?? "no reason"))"
        }
    }

    static func events(_ explanation: Explanation, now: Date) -> [String] {
        if let reason = explanation.eventsUnavailable { return [field("Events", "cannot be listed: \(reason)")] }
        guard !explanation.events.isEmpty else { return [field("Events", "<none>")] }
        let table = TextTable(
            headers: ["LAST SEEN", "TYPE", "REASON", "MESSAGE"],
            rows: explanation.events.map { event in
                [
                    event.lastSeen.map { HumanDuration.age(of: $0, now: now) } ?? "<unknown>",
                    event.type?.rawValue ?? "", event.reason ?? "", oneLine(event.message ?? ""),
                ]
            })
        let rendered = table.render().split(separator: "\n").map { "  \($0)" }
        return ["Events (most recent first):"] + rendered
    }

    /// `Label:` padded so that values line up, as `kubectl describe` aligns them.
    static func field(_ label: String, _ value: String) -> String {
        let prefix = label.isEmpty ? "" : "\(label):"
        return prefix + String(repeating: " ", count: max(1, labelWidth - prefix.count)) + value
    }

    static let labelWidth = 15

    /// A message on one line (conditions and Events may hold newlines).
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
