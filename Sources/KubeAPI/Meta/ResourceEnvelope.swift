import Foundation
import JSONCore

/// The shared Codable body of objects shaped `{apiVersion, kind, metadata, spec, status}`
/// (Deployment, StatefulSet, DaemonSet, Namespace, TokenReview, TokenRequest, CRD) or
/// `{apiVersion, kind, metadata, spec}` (Lease). The types call it from their own
/// `init(from:)` and `encode(to:)` in one line each.
///
/// Decoding follows the types' rules: a missing or `null` `metadata` or `spec` decodes as
/// the empty value, `status` stays `nil`, and every other member (`apiVersion` and `kind`
/// are recognised, not kept) goes to `UnknownFields`. Encoding writes the unknown members
/// first, then `apiVersion` and `kind` of the type, `metadata`, `spec` and `status` when set.
public enum ResourceEnvelope {
    public enum CodingKeys: String, CodingKey, CaseIterable { case apiVersion, kind, metadata, spec, status }
    /// For objects without `status`: a `status` member is then an unknown one, kept verbatim.
    public enum SpecOnlyCodingKeys: String, CodingKey, CaseIterable { case apiVersion, kind, metadata, spec }

    @inlinable
    public static func decode<Spec: Decodable, Status: Decodable>(
        from decoder: any Decoder, emptySpec: @autoclosure () -> Spec
    ) throws -> (metadata: ObjectMeta, spec: Spec, status: Status?, unknownFields: UnknownFields) {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let metadata = try c.decode(.metadata, or: ObjectMeta())
        let spec = try c.decode(.spec, or: emptySpec())
        let status: Status? = try c.decodeIfPresent(.status)
        return (metadata, spec, status, try UnknownFields(from: decoder, known: CodingKeys.self))
    }

    @inlinable
    public static func decode<Spec: Decodable>(
        from decoder: any Decoder, emptySpec: @autoclosure () -> Spec
    ) throws -> (metadata: ObjectMeta, spec: Spec, unknownFields: UnknownFields) {
        let c = try decoder.container(keyedBy: SpecOnlyCodingKeys.self)
        let metadata = try c.decode(.metadata, or: ObjectMeta())
        let spec = try c.decode(.spec, or: emptySpec())
        return (metadata, spec, try UnknownFields(from: decoder, known: SpecOnlyCodingKeys.self))
    }

    @inlinable
    public static func encode<Spec: Encodable, Status: Encodable>(
        apiVersion: String, kind: String, metadata: ObjectMeta, spec: Spec, status: Status?,
        unknownFields: UnknownFields, to encoder: any Encoder
    ) throws {
        try encode(apiVersion: apiVersion, kind: kind, metadata: metadata, spec: spec, unknownFields: unknownFields, to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(status, forKey: .status)
    }

    @inlinable
    public static func encode<Spec: Encodable>(
        apiVersion: String, kind: String, metadata: ObjectMeta, spec: Spec, unknownFields: UnknownFields,
        to encoder: any Encoder
    ) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: SpecOnlyCodingKeys.self)
        try c.encode(apiVersion, forKey: .apiVersion)
        try c.encode(kind, forKey: .kind)
        try c.encode(metadata, forKey: .metadata)
        try c.encode(spec, forKey: .spec)
    }
}
