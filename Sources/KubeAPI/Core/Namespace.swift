import Foundation
import JSONCore

/// A Kubernetes `Namespace` (v1).
public struct Namespace: KubernetesResource, Hashable {
    public static var resourceType: ResourceType { ResourceTypes.namespaces }

    public var metadata: ObjectMeta
    public var spec: NamespaceSpec
    public var status: NamespaceStatus?
    public var unknownFields = UnknownFields()

    public init(metadata: ObjectMeta = ObjectMeta(), spec: NamespaceSpec = NamespaceSpec(), status: NamespaceStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    /// True once deletion has begun: no new objects may be created in the namespace.
    public var isTerminating: Bool {
        status?.phase == .terminating || metadata.deletionTimestamp != nil
    }

    public init(from decoder: any Decoder) throws {
        (metadata, spec, status, unknownFields) = try ResourceEnvelope.decode(from: decoder, emptySpec: NamespaceSpec())
    }

    public func encode(to encoder: any Encoder) throws {
        try ResourceEnvelope.encode(
            apiVersion: Self.apiVersion, kind: Self.kind, metadata: metadata, spec: spec, status: status,
            unknownFields: unknownFields, to: encoder)
    }
}

/// The desired state of a namespace.
public struct NamespaceSpec: Codable, Sendable, Hashable {
    /// Finalizers the namespace controller must clear before the namespace goes
    /// (`kubernetes` by default); distinct from `metadata.finalizers`.
    public var finalizers: [String]?
    public var unknownFields = UnknownFields()

    public init(finalizers: [String]? = nil) { self.finalizers = finalizers }

    enum CodingKeys: String, CodingKey, CaseIterable { case finalizers }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        finalizers = try c.decodeIfPresent(.finalizers)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(finalizers, forKey: .finalizers)
    }
}

/// The lifecycle phase of a namespace: `Active` or `Terminating`.
public struct NamespacePhase: RawRepresentable, Codable, Sendable, Hashable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }

    public static let active: NamespacePhase = "Active"
    /// Being deleted: the API server refuses to create objects in it.
    public static let terminating: NamespacePhase = "Terminating"
}

/// The observed state of a namespace.
public struct NamespaceStatus: Codable, Sendable, Hashable {
    public var phase: NamespacePhase?
    /// Why deletion is stuck, e.g. `NamespaceContentRemaining`, `NamespaceFinalizersRemaining`.
    public var conditions: [Condition]?
    public var unknownFields = UnknownFields()

    public init(phase: NamespacePhase? = nil, conditions: [Condition]? = nil) {
        self.phase = phase
        self.conditions = conditions
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case phase, conditions }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        phase = try c.decodeIfPresent(.phase)
        conditions = try c.decodeIfPresent(.conditions)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(phase, forKey: .phase)
        try c.encodeIfPresent(conditions, forKey: .conditions)
    }
}
