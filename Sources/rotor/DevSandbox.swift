import Foundation
import KubeClient
import KubeRuntime
import KubernetesEmulator
import Logging
import JSONCore
import KubeAPI
import RotorAPI
import RotorOperator

/// The operator side of `rotor dev`: installs the CRDs into the emulator, starts the
/// controllers against it, and applies a demo (a fake SecretStore and ExternalSecrets,
/// one with a template).
enum DevSandbox {
    static let operatorNamespace = "rotor-system"
    static let crds = ResourceType(group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions", kind: "CustomResourceDefinition", namespaced: false)
    static let namespaces = ResourceType(group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false)

    /// Installs what the operator needs and returns its controllers, ready to run.
    static func prepare(emulator: KubernetesEmulator, client: HTTPKubernetesClient, logger: Logger) async throws -> OperatorControllers {
        _ = try await client.create(namespaces, namespace: nil, body: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(operatorNamespace)]])
        for definition in RotorCRDs.shipped {
            _ = try await client.create(crds, namespace: nil, body: definition.object)
        }
        let key = try await FingerprintKey.loadOrCreate(client: client, namespace: operatorNamespace)
        let events = EventRecorder(client: client, configuration: .init(reportingComponent: "rotor", reportingInstance: "rotor-dev"), logger: logger)
        return OperatorControllers(client: client, fingerprintKey: key, events: events, logger: logger)
    }

    /// The demo: values are made up and shown in the sandbox only.
    static let demo: [String] = [
        #"{"apiVersion":"rotor.dev/v1alpha1","kind":"SecretStore","metadata":{"name":"demo-store","namespace":"default"},"spec":{"provider":{"fake":{"data":[{"key":"shop/db","value":"{\"user\":\"app\",\"password\":\"demo-password-1\"}","version":"1"},{"key":"shop/api-token","value":"demo-token-1","version":"1"}]}}}}"#,
        #"{"apiVersion":"rotor.dev/v1alpha1","kind":"ExternalSecret","metadata":{"name":"db","namespace":"default"},"spec":{"secretStoreRef":{"name":"demo-store","kind":"SecretStore"},"refreshInterval":"1m","target":{"name":"db-credentials"},"data":[{"secretKey":"user","remoteRef":{"key":"shop/db","property":"user"}},{"secretKey":"password","remoteRef":{"key":"shop/db","property":"password"}}]}}"#,
        #"{"apiVersion":"rotor.dev/v1alpha1","kind":"ExternalSecret","metadata":{"name":"db-url","namespace":"default"},"spec":{"secretStoreRef":{"name":"demo-store","kind":"SecretStore"},"refreshInterval":"1m","target":{"template":{"data":{"DATABASE_URL":"postgres://{{user}}:{{password}}@db:5432/shop"}}},"dataFrom":[{"extract":{"key":"shop/db"}}]}}"#,
        #"{"apiVersion":"rotor.dev/v1alpha1","kind":"ExternalSecret","metadata":{"name":"api","namespace":"default"},"spec":{"secretStoreRef":{"name":"demo-store","kind":"SecretStore"},"refreshInterval":"1h","data":[{"secretKey":"token","remoteRef":{"key":"shop/api-token"}}]}}"#,
    ]

    static func applyDemo(client: HTTPKubernetesClient) async throws {
        for text in demo {
            let object = try JSONValue(parsing: text)
            let kind = object["kind"]?.stringValue ?? ""
            let type = kind == "SecretStore" ? SecretStore.resourceType : ExternalSecret.resourceType
            _ = try await client.create(type, namespace: "default", body: object)
        }
    }
}
