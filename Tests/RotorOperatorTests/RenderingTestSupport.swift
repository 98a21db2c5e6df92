import Crypto
import Foundation
import KubeAPI
import RotorAPI
import SecretProviders

/// A value distinctive enough that finding it anywhere in text proves a leak.
let renderingCanary = "CANARY-7f3a9c-s3cr3t"

func renderingValues(_ pairs: [String: String]) -> [String: SecretValue] {
    pairs.mapValues { SecretValue(utf8: $0) }
}

func renderingExternalSecret(
    name: String = "db", namespace: String = "shop", uid: String = "uid-es-db",
    target: ExternalSecretTarget? = nil
) -> ExternalSecret {
    var metadata = ObjectMeta(name: name, namespace: namespace)
    metadata.uid = uid
    metadata.generation = 3
    return ExternalSecret(
        metadata: metadata, spec: ExternalSecretSpec(secretStoreRef: SecretStoreRef(name: "vault"), target: target))
}

func renderingTemplate(
    _ data: [String: String]?, type: String? = nil, labels: [String: String]? = nil,
    annotations: [String: String]? = nil
) -> ExternalSecretTarget {
    let metadata =
        labels == nil && annotations == nil ? nil : ExternalSecretTemplateMetadata(labels: labels, annotations: annotations)
    return ExternalSecretTarget(template: ExternalSecretTemplate(type: type, metadata: metadata, data: data))
}

/// `SymmetricKey` is not `Sendable`, so each use makes its own (same bytes, same key).
func renderingKey(_ byte: UInt8 = 7) -> SymmetricKey { SymmetricKey(data: Array(repeating: byte, count: 32)) }

/// The text of a rendered value, for assertions.
func renderingText(_ value: SecretValue?) -> String? {
    value?.revealedString()
}

/// `String(describing:)` and `dump` of anything, for leak checks.
func renderingPrinted(_ subject: Any) -> String {
    var dumped = ""
    dump(subject, to: &dumped)
    return String(describing: subject) + "\n" + String(reflecting: subject) + "\n" + dumped
}

/// What the API server returns after creating `secret`: server-set metadata filled in.
func renderingStored(_ secret: Secret, resourceVersion: String = "100") -> Secret {
    var stored = secret
    stored.metadata.uid = "uid-secret"
    stored.metadata.resourceVersion = resourceVersion
    stored.metadata.creationTimestamp = KubeTime(Date(timeIntervalSince1970: 1_800_000_000))
    if stored.type == nil { stored.type = SecretType.opaque }
    return stored
}
