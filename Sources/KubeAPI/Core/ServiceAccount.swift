import Foundation
import JSONCore

/// A Kubernetes `ServiceAccount` (v1): the identity a pod runs as. Rotor's pods
/// authenticate with its tokens, and Vault's Kubernetes auth checks them.
public struct ServiceAccount: KubernetesResource, Hashable {
    public static var resourceType: ResourceType { ResourceTypes.serviceAccounts }

    public var metadata: ObjectMeta
    /// Legacy token Secrets; new clusters leave it empty and mint tokens with `TokenRequest`.
    public var secrets: [ObjectReference]?
    public var imagePullSecrets: [LocalObjectReference]?
    /// Whether pods using this account get a token mounted unless they say otherwise.
    public var automountServiceAccountToken: Bool?
    public var unknownFields = UnknownFields()

    public init(
        metadata: ObjectMeta = ObjectMeta(), secrets: [ObjectReference]? = nil,
        imagePullSecrets: [LocalObjectReference]? = nil, automountServiceAccountToken: Bool? = nil
    ) {
        self.metadata = metadata
        self.secrets = secrets
        self.imagePullSecrets = imagePullSecrets
        self.automountServiceAccountToken = automountServiceAccountToken
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case apiVersion, kind, metadata, secrets, imagePullSecrets, automountServiceAccountToken
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try c.decode(.metadata, or: ObjectMeta())
        secrets = try c.decodeIfPresent(.secrets)
        imagePullSecrets = try c.decodeIfPresent(.imagePullSecrets)
        automountServiceAccountToken = try c.decodeIfPresent(.automountServiceAccountToken)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.apiVersion, forKey: .apiVersion)
        try c.encode(Self.kind, forKey: .kind)
        try c.encode(metadata, forKey: .metadata)
        try c.encodeIfPresent(secrets, forKey: .secrets)
        try c.encodeIfPresent(imagePullSecrets, forKey: .imagePullSecrets)
        try c.encodeIfPresent(automountServiceAccountToken, forKey: .automountServiceAccountToken)
    }
}
