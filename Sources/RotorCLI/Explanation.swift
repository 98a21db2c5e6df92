import Foundation
import KubeAPI
import RotorAPI

/// What `kubectl rotor explain NAME` found out about one ExternalSecret: the object itself
/// (spec and status, never the Secret it writes), the store it names, and its latest Events.
/// Gathered by ``ExplanationGatherer``, rendered by ``ExplanationReport``.
public struct Explanation: Sendable, Hashable {
    public var externalSecret: ExternalSecret
    public var store: StoreFinding
    /// The latest Events about the ExternalSecret, most recent first.
    public var events: [Event]
    /// Why the Events could not be listed (e.g. RBAC), if they could not.
    public var eventsUnavailable: String?

    public init(externalSecret: ExternalSecret, store: StoreFinding, events: [Event], eventsUnavailable: String? = nil) {
        self.externalSecret = externalSecret
        self.store = store
        self.events = events
        self.eventsUnavailable = eventsUnavailable
    }
}

/// The store an ExternalSecret names, as found when asked.
public struct StoreFinding: Sendable, Hashable {
    /// `SecretStore` or `ClusterSecretStore`.
    public var kind: String
    /// The store's namespace (a SecretStore's is the ExternalSecret's); nil for a ClusterSecretStore.
    public var namespace: String?
    public var name: String
    public var state: State

    public enum State: Sendable, Hashable {
        /// The store exists; its status as the operator last wrote it (nil before its first check).
        case found(SecretStoreStatus?)
        /// There is no such store.
        case notFound
        /// It could not be read; the reason, worded as kubectl words errors.
        case unreadable(String)
    }

    public init(kind: String, namespace: String?, name: String, state: State) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.state = state
    }

    /// `SecretStore default/demo-store`, `ClusterSecretStore shared`.
    public var title: String {
        "\(kind) \(namespace.map { "\($0)/" } ?? "")\(name)"
    }
}

extension Event {
    /// When the Event was last seen, as `kubectl get events` sorts and shows it: the last
    /// timestamp, else the series' last observation, the event time, the first timestamp,
    /// or the object's creation.
    public var lastSeen: Date? {
        lastTimestamp?.date ?? series?.lastObservedTime?.date ?? eventTime?.date ?? firstTimestamp?.date
            ?? metadata.creationTimestamp?.date
    }
}
