import Crypto
import Foundation
import KubeClient
import KubeAPI

/// The per-install HMAC key behind `rotor.dev/fingerprint`, kept in a Secret in the
/// operator's namespace so fingerprints stay comparable across restarts and replicas,
/// and are meaningless outside this install (never a plain hash of a secret value).
public enum FingerprintKey {
    public static let secretName = "rotor-fingerprint-key"
    static let dataKey = "key"

    /// Reads the key, creating it (32 random bytes) on first start. Two replicas racing
    /// to create it both end up with the one that was stored first.
    public static func loadOrCreate(client: any KubernetesClient, namespace: String) async throws -> SymmetricKey {
        if let existing = try await read(client: client, namespace: namespace) { return existing }
        let key = SymmetricKey(size: .bits256)
        var secret = Secret(metadata: ObjectMeta(name: secretName, namespace: namespace, labels: ["app.kubernetes.io/managed-by": "rotor"]))
        secret.data = [dataKey: key.withUnsafeBytes { Data($0) }]
        do {
            _ = try await client.create(secret)
            return key
        } catch let error as KubeAPIError where error.kind == .alreadyExists {
            guard let stored = try await read(client: client, namespace: namespace) else { throw error }
            return stored
        }
    }

    private static func read(client: any KubernetesClient, namespace: String) async throws -> SymmetricKey? {
        do {
            let secret = try await client.get(Secret.self, namespace: namespace, name: secretName)
            guard let bytes = secret.data?[dataKey], bytes.count >= 32 else { return nil }
            return SymmetricKey(data: bytes)
        } catch let error as KubeAPIError where error.kind == .notFound {
            return nil
        }
    }
}
