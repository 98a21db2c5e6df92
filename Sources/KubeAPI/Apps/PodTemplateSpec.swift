import Foundation
import JSONCore

/// The pod template of a workload. Rotor reads and writes only its metadata (e.g. the
/// restart annotation that rolls pods after a rotation), so the pod spec is kept as
/// JSON, verbatim.
public struct PodTemplateSpec: Codable, Sendable, Hashable {
    public var metadata: ObjectMeta
    /// The pod spec (containers, volumes, …), unmodelled.
    public var spec: JSONValue
    public var unknownFields = UnknownFields()

    public init(metadata: ObjectMeta = ObjectMeta(), spec: JSONValue = [:]) {
        self.metadata = metadata
        self.spec = spec
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case metadata, spec }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try c.decode(.metadata, or: ObjectMeta())
        spec = try c.decode(.spec, or: [:])
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(metadata, forKey: .metadata)
        try c.encode(spec, forKey: .spec)
    }
}
