import Foundation
import JSONCore

/// Whether a condition holds: `True`, `False` or `Unknown`.
///
/// A string wrapper rather than an enum so that a value this code does not know
/// still decodes.
public struct ConditionStatus: RawRepresentable, Codable, Sendable, Hashable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }

    public static let `true`: ConditionStatus = "True"
    public static let `false`: ConditionStatus = "False"
    public static let unknown: ConditionStatus = "Unknown"
}

/// One entry of a `status.conditions` list.
///
/// Covers `metav1.Condition` and the per-type shapes built-in resources use
/// (`DeploymentCondition`, `NamespaceCondition`, `CustomResourceDefinitionCondition`, …),
/// which differ only in which timestamps they carry.
public struct Condition: Codable, Sendable, Hashable {
    /// The aspect the condition reports on, e.g. `Available`, `Progressing`, `Established`, `Ready`.
    public var type: String
    public var status: ConditionStatus
    /// The `metadata.generation` the condition was computed from (metav1.Condition only).
    public var observedGeneration: Int64?
    /// When `status` last changed.
    public var lastTransitionTime: KubeTime?
    /// When the condition was last written, even without a change (Deployment conditions).
    public var lastUpdateTime: KubeTime?
    /// A CamelCase machine-readable cause, e.g. `NewReplicaSetAvailable`, `ProgressDeadlineExceeded`.
    public var reason: String?
    public var message: String?
    public var unknownFields = UnknownFields()

    public init(
        type: String, status: ConditionStatus, observedGeneration: Int64? = nil, lastTransitionTime: KubeTime? = nil,
        lastUpdateTime: KubeTime? = nil, reason: String? = nil, message: String? = nil
    ) {
        self.type = type
        self.status = status
        self.observedGeneration = observedGeneration
        self.lastTransitionTime = lastTransitionTime
        self.lastUpdateTime = lastUpdateTime
        self.reason = reason
        self.message = message
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case type, status, observedGeneration, lastTransitionTime, lastUpdateTime, reason, message
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.decode(.type, or: "")
        status = try c.decode(.status, or: .unknown)
        observedGeneration = try c.decodeIfPresent(.observedGeneration)
        lastTransitionTime = try c.decodeIfPresent(.lastTransitionTime)
        lastUpdateTime = try c.decodeIfPresent(.lastUpdateTime)
        reason = try c.decodeIfPresent(.reason)
        message = try c.decodeIfPresent(.message)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        try c.encode(status, forKey: .status)
        try c.encodeIfPresent(observedGeneration, forKey: .observedGeneration)
        try c.encodeIfPresent(lastTransitionTime, forKey: .lastTransitionTime)
        try c.encodeIfPresent(lastUpdateTime, forKey: .lastUpdateTime)
        try c.encodeIfPresent(reason, forKey: .reason)
        try c.encodeIfPresent(message, forKey: .message)
    }
}

extension Array where Element == Condition {
    /// The condition of the given type, if present.
    public func first(ofType type: String) -> Condition? {
        first { $0.type == type }
    }
}
