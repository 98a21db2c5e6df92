import Foundation
import JSONCore

/// A Kubernetes `ConfigMap` (v1): non-secret configuration, as text and bytes.
public struct ConfigMap: KubernetesResource, Hashable {
    public static var resourceType: ResourceType { ResourceTypes.configMaps }

    public var metadata: ObjectMeta
    /// UTF-8 values.
    public var data: [String: String]?
    /// Non-UTF-8 values; base64 on the wire. A key may appear in `data` or here, not both.
    public var binaryData: [String: Data]?
    /// When true, the API server refuses changes to the values.
    public var immutable: Bool?
    public var unknownFields = UnknownFields()

    public init(
        metadata: ObjectMeta = ObjectMeta(), data: [String: String]? = nil, binaryData: [String: Data]? = nil,
        immutable: Bool? = nil
    ) {
        self.metadata = metadata
        self.data = data
        self.binaryData = binaryData
        self.immutable = immutable
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case apiVersion, kind, metadata, data, binaryData, immutable }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try c.decode(.metadata, or: ObjectMeta())
        data = try c.decodeIfPresent(.data)
        binaryData = try c.decodeIfPresent(.binaryData)
        immutable = try c.decodeIfPresent(.immutable)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.apiVersion, forKey: .apiVersion)
        try c.encode(Self.kind, forKey: .kind)
        try c.encode(metadata, forKey: .metadata)
        try c.encodeIfPresent(data, forKey: .data)
        try c.encodeIfPresent(binaryData, forKey: .binaryData)
        try c.encodeIfPresent(immutable, forKey: .immutable)
    }
}
