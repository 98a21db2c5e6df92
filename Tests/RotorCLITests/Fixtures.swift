import Foundation
import KubeAPI
import RotorAPI

/// ExternalSecrets in the states the plugin renders, at one fixed moment.
enum Fixtures {
    /// 2026-12-07T12:00:00Z: every test renders at this moment.
    static let now = Date(timeIntervalSince1970: 1_796_644_800)

    static func time(_ offset: TimeInterval) -> KubeTime { KubeTime(now.addingTimeInterval(offset)) }

    static func externalSecret(
        _ name: String, namespace: String = "default", store: String = "demo-store", storeKind: SecretStoreKind? = nil,
        refreshInterval: String? = "1h", refreshPolicy: RefreshPolicy? = nil, rotation: ExternalSecretRotation? = nil,
        status: ExternalSecretStatus? = nil, generation: Int64? = nil
    ) -> ExternalSecret {
        var metadata = ObjectMeta(name: name, namespace: namespace)
        metadata.generation = generation
        return ExternalSecret(
            metadata: metadata,
            spec: ExternalSecretSpec(
                secretStoreRef: SecretStoreRef(name: store, kind: storeKind), refreshInterval: refreshInterval,
                refreshPolicy: refreshPolicy, rotation: rotation),
            status: status)
    }

    static func ready(_ status: ConditionStatus, _ reason: String, _ message: String, since: TimeInterval = -180) -> Condition {
        Condition(type: "Ready", status: status, lastTransitionTime: time(since), reason: reason, message: message)
    }

    /// Synced 20 minutes ago, refresh every hour, no rotation.
    static let synced = externalSecret(
        "db",
        status: ExternalSecretStatus(
            conditions: [ready(.true, "Synced", #"Secret "db" is in sync with SecretStore "demo-store" in namespace "default""#)],
            refreshTime: time(-20 * 60)))

    /// In an overlap window with 90 seconds of grace left.
    static let overlapping = externalSecret(
        "db-rotating", refreshInterval: "15m",
        rotation: ExternalSecretRotation(gracePeriod: "2m", generate: [RotationGenerator(property: "password")]),
        status: ExternalSecretStatus(
            conditions: [ready(.true, "Synced", "in sync")], refreshTime: time(-5 * 60),
            rotation: ExternalSecretRotationStatus(phase: .overlap, rotatedAt: time(-30), graceUntil: time(90))))

    /// Never synced: its store does not exist.
    static let failing = externalSecret(
        "api", namespace: "shop", store: "missing",
        status: ExternalSecretStatus(conditions: [
            ready(.false, "StoreNotReady", #"SecretStore "missing" in namespace "shop" not found"#, since: -4 * 3600)
        ]))
}
