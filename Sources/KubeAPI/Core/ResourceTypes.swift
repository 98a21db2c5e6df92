import Foundation

/// The built-in resource types Rotor reads or writes, in one place so that the client,
/// the emulator and RBAC generation agree on group, plural and scope.
public enum ResourceTypes {
    public static let namespaces = ResourceType(group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false)
    public static let secrets = ResourceType(group: "", version: "v1", plural: "secrets", kind: "Secret", namespaced: true)
    public static let configMaps = ResourceType(group: "", version: "v1", plural: "configmaps", kind: "ConfigMap", namespaced: true)
    public static let serviceAccounts = ResourceType(
        group: "", version: "v1", plural: "serviceaccounts", kind: "ServiceAccount", namespaced: true)
    /// Core (`v1`) events, the ones `kubectl describe` shows.
    public static let events = ResourceType(group: "", version: "v1", plural: "events", kind: "Event", namespaced: true)
    /// `events.k8s.io/v1` events: the same objects as `events`, in the newer schema.
    public static let eventsV1 = ResourceType(
        group: "events.k8s.io", version: "v1", plural: "events", kind: "Event", namespaced: true)
    public static let leases = ResourceType(
        group: "coordination.k8s.io", version: "v1", plural: "leases", kind: "Lease", namespaced: true)
    public static let deployments = ResourceType(
        group: "apps", version: "v1", plural: "deployments", kind: "Deployment", namespaced: true)
    public static let statefulSets = ResourceType(
        group: "apps", version: "v1", plural: "statefulsets", kind: "StatefulSet", namespaced: true)
    public static let daemonSets = ResourceType(
        group: "apps", version: "v1", plural: "daemonsets", kind: "DaemonSet", namespaced: true)
    public static let customResourceDefinitions = ResourceType(
        group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions",
        kind: "CustomResourceDefinition", namespaced: false)
    /// Create-only: the API server answers a posted TokenReview and stores nothing.
    public static let tokenReviews = ResourceType(
        group: "authentication.k8s.io", version: "v1", plural: "tokenreviews", kind: "TokenReview", namespaced: false)

    /// Every type above.
    public static let all: [ResourceType] = [
        namespaces, secrets, configMaps, serviceAccounts, events, eventsV1, leases,
        deployments, statefulSets, daemonSets, customResourceDefinitions, tokenReviews,
    ]

    /// The built-in type with this group and plural (any version), e.g. `("apps", "deployments")`.
    public static func named(group: String, plural: String) -> ResourceType? {
        all.first { $0.group == group && $0.plural == plural }
    }
}
