import Foundation
import JSONCore

/// A Kubernetes `Secret` (v1): named byte strings, the object Rotor writes.
///
/// `description`, `debugDescription` and `dump` show the keys, never the values, so a
/// Secret that reaches a log or a test failure message does not leak.
public struct Secret: KubernetesResource, Hashable {
    public static var resourceType: ResourceType { ResourceTypes.secrets }

    public var metadata: ObjectMeta
    /// Fixes which keys the secret must hold; see `SecretType`. The API server defaults it
    /// to `Opaque` and refuses to change it later.
    public var type: String?
    /// The values. Base64 on the wire (the `KubeJSON` coders do this); plain bytes here.
    public var data: [String: Data]?
    /// Write-only plain-text values: the API server merges them into `data` (winning on
    /// conflicts) and never returns them.
    public var stringData: [String: String]?
    /// When true, the API server refuses changes to `data`; the secret can only be deleted.
    public var immutable: Bool?
    public var unknownFields = UnknownFields()

    public init(
        metadata: ObjectMeta = ObjectMeta(), type: String? = nil, data: [String: Data]? = nil,
        stringData: [String: String]? = nil, immutable: Bool? = nil
    ) {
        self.metadata = metadata
        self.type = type
        self.data = data
        self.stringData = stringData
        self.immutable = immutable
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case apiVersion, kind, metadata, type, data, stringData, immutable }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try c.decode(.metadata, or: ObjectMeta())
        type = try c.decodeIfPresent(.type)
        data = try c.decodeIfPresent(.data)
        stringData = try c.decodeIfPresent(.stringData)
        immutable = try c.decodeIfPresent(.immutable)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.apiVersion, forKey: .apiVersion)
        try c.encode(Self.kind, forKey: .kind)
        try c.encode(metadata, forKey: .metadata)
        try c.encodeIfPresent(type, forKey: .type)
        try c.encodeIfPresent(data, forKey: .data)
        try c.encodeIfPresent(stringData, forKey: .stringData)
        try c.encodeIfPresent(immutable, forKey: .immutable)
    }
}

extension Secret: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        let keys = Set((data ?? [:]).keys).union((stringData ?? [:]).keys).sorted()
        let place = metadata.namespace.map { "\($0)/" } ?? ""
        return "Secret(\(place)\(metadata.name ?? ""), type: \(type ?? "nil"), keys: \(keys), values: <redacted>)"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "metadata": metadata,
                "type": type as Any,
                "dataKeys": data.map { $0.keys.sorted() } as Any,
                "stringDataKeys": stringData.map { $0.keys.sorted() } as Any,
                "immutable": immutable as Any,
            ],
            displayStyle: .struct)
    }
}

/// Well-known values of `Secret.type`; each fixes the keys the API server requires.
public enum SecretType {
    /// Arbitrary keys: the default.
    public static let opaque = "Opaque"
    /// `tls.crt` and `tls.key`.
    public static let tls = "kubernetes.io/tls"
    /// `.dockerconfigjson`.
    public static let dockerConfigJSON = "kubernetes.io/dockerconfigjson"
    /// `username` and/or `password`.
    public static let basicAuth = "kubernetes.io/basic-auth"
    /// `ssh-privatekey`.
    public static let sshAuth = "kubernetes.io/ssh-auth"
    /// A legacy long-lived service-account token, filled in by the token controller.
    public static let serviceAccountToken = "kubernetes.io/service-account-token"
}
