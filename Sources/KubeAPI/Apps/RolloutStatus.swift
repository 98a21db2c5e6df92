import Foundation
import JSONCore

/// Where a workload's rollout stands, decided by the rules of `kubectl rollout status`
/// (kubectl/pkg/polymorphichelpers/rollout_status.go), with kubectl's messages.
public enum RolloutStatus: Sendable, Hashable {
    /// The controller has caught up with the latest spec and its pods are updated and available.
    case complete(message: String)
    /// Still rolling out; the message says what is awaited.
    case inProgress(message: String)
    /// Will not finish by itself: the progress deadline passed, or the update strategy
    /// (`OnDelete`) has no rollout to follow.
    case failed(message: String)

    public var isComplete: Bool {
        if case .complete = self { return true } else { return false }
    }

    public var message: String {
        switch self {
        case .complete(let message), .inProgress(let message), .failed(let message): return message
        }
    }
}

/// The `type` of a workload update strategy.
public enum UpdateStrategyType {
    /// Replace pods gradually: the default of every workload kind.
    public static let rollingUpdate = "RollingUpdate"
    /// StatefulSet and DaemonSet: replace a pod only when someone deletes it.
    public static let onDelete = "OnDelete"
    /// Deployment: kill all old pods before creating new ones.
    public static let recreate = "Recreate"
}

/// The shared Codable body of the `{type, rollingUpdate}` update strategies of daemon sets
/// and stateful sets, which differ only in how they model `rollingUpdate`. Both members are
/// optional; every other member goes to `UnknownFields` and is written back first.
enum UpdateStrategyCoding {
    enum CodingKeys: String, CodingKey, CaseIterable { case type, rollingUpdate }

    static func decode<RollingUpdate: Decodable>(
        from decoder: any Decoder
    ) throws -> (type: String?, rollingUpdate: RollingUpdate?, unknownFields: UnknownFields) {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type: String? = try c.decodeIfPresent(.type)
        let rollingUpdate: RollingUpdate? = try c.decodeIfPresent(.rollingUpdate)
        return (type, rollingUpdate, try UnknownFields(from: decoder, known: CodingKeys.self))
    }

    static func encode<RollingUpdate: Encodable>(
        type: String?, rollingUpdate: RollingUpdate?, unknownFields: UnknownFields, to encoder: any Encoder
    ) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(type, forKey: .type)
        try c.encodeIfPresent(rollingUpdate, forKey: .rollingUpdate)
    }
}
