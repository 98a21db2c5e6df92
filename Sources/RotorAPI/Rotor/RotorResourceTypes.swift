import Foundation
import KubeAPI

/// Rotor's own resource types (group `rotor.dev`, version `v1alpha1`), in one place so that
/// the operator, the client, the CRDs and RBAC agree on group, plural and scope.
public enum RotorResourceTypes {
    public static let group = "rotor.dev"
    public static let version = "v1alpha1"
    /// The kubectl category of every Rotor resource: `kubectl get rotor`.
    public static let category = "rotor"

    public static let externalSecrets = ResourceType(
        group: group, version: version, plural: "externalsecrets", kind: "ExternalSecret", namespaced: true)
    public static let secretStores = ResourceType(
        group: group, version: version, plural: "secretstores", kind: "SecretStore", namespaced: true)
    public static let clusterSecretStores = ResourceType(
        group: group, version: version, plural: "clustersecretstores", kind: "ClusterSecretStore", namespaced: false)
    public static let clusterExternalSecrets = ResourceType(
        group: group, version: version, plural: "clusterexternalsecrets", kind: "ClusterExternalSecret", namespaced: false)
    public static let pushSecrets = ResourceType(
        group: group, version: version, plural: "pushsecrets", kind: "PushSecret", namespaced: true)

    /// Every type above.
    public static let all: [ResourceType] = [externalSecrets, secretStores, clusterSecretStores, clusterExternalSecrets, pushSecrets]
}
