import Foundation
import KubeAPI
import RotorAPI

/// One line of `kubectl rotor status`: what an ExternalSecret's spec and status say, as
/// text cells. Built from the object alone (no other request), at a given `now`, so the
/// same object always renders the same way at the same time.
public struct StatusRow: Sendable, Hashable {
    public var namespace: String
    public var name: String
    /// `spec.secretStoreRef.name`.
    public var store: String
    /// The `Ready` condition's status: `True`, `False`, `Unknown`, or `<none>` before the
    /// operator first looked at the object.
    public var ready: String
    /// The age of `status.refreshTime` (the last successful read), or `<never>`.
    public var lastSync: String
    /// `status.rotation.phase` (`Stable`, `Pending`, `Overlap`), or `<none>`.
    public var rotation: String
    /// During an overlap window, the time left until the previous values go
    /// (`status.rotation.graceUntil`); `ended` once that has passed while the window is
    /// still open (restart targets still rolling out); `<none>` outside a window.
    public var grace: String
    /// See ``NextRefresh``.
    public var nextRefresh: String

    /// The text of a cell whose field is not set.
    public static let none = "<none>"

    public init(_ externalSecret: ExternalSecret, now: Date) {
        let status = externalSecret.status
        namespace = externalSecret.metadata.namespace ?? ""
        name = externalSecret.metadata.name ?? ""
        store = externalSecret.spec.secretStoreRef.name
        ready = status?.conditions?.first(ofType: ExternalSecretConditions.ready)?.status.rawValue ?? Self.none
        lastSync = status?.refreshTime.map { HumanDuration.age(of: $0.date, now: now) } ?? "<never>"
        rotation = status?.rotation?.phase?.rawValue ?? Self.none
        grace = Self.graceCell(status?.rotation, now: now)
        nextRefresh = NextRefresh(spec: externalSecret.spec, status: status, now: now).cell(now: now)
    }

    static func graceCell(_ rotation: ExternalSecretRotationStatus?, now: Date) -> String {
        guard let rotation, rotation.phase == .overlap, let until = rotation.graceUntil?.date else { return none }
        return until > now ? HumanDuration.format(until.timeIntervalSince(now)) : "ended"
    }
}

/// The table `kubectl rotor status` prints.
public enum StatusTable {
    /// One row per ExternalSecret, sorted by namespace and name; a NAMESPACE column first
    /// when listing across namespaces (`-A`), as `kubectl get -A` has.
    public static func make(_ externalSecrets: [ExternalSecret], allNamespaces: Bool, now: Date) -> TextTable {
        let rows = externalSecrets.map { StatusRow($0, now: now) }
            .sorted { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
        var headers = ["NAME", "STORE", "READY", "LAST SYNC", "ROTATION", "GRACE", "NEXT REFRESH"]
        if allNamespaces { headers.insert("NAMESPACE", at: 0) }
        return TextTable(headers: headers, rows: rows.map { row in
            let cells = [row.name, row.store, row.ready, row.lastSync, row.rotation, row.grace, row.nextRefresh]
            return allNamespaces ? [row.namespace] + cells : cells
        })
    }

    /// What kubectl says on stderr when a list is empty.
    public static func emptyMessage(namespace: String?) -> String {
        guard let namespace else { return "No resources found" }
        return "No resources found in \(namespace) namespace."
    }
}
