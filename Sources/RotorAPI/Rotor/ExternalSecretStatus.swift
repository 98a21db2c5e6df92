import Foundation
import JSONCore
import KubeAPI

/// What the operator last did with an ExternalSecret. Never holds secret values.
public struct ExternalSecretStatus: Codable, Sendable, Hashable {
    /// The `Ready` condition and its reason (Synced, ProviderError, SecretNotFound, InvalidSpec,
    /// StoreNotReady, Forbidden, Throttled, InvalidKey, TooLarge, Conflict, WriteRejected, WriteFailed).
    public var conditions: [Condition]?
    /// The metadata.generation the status describes.
    public var observedGeneration: Int64?
    /// When the values were last read from the provider successfully.
    public var refreshTime: KubeTime?
    /// A key of the synced spec (generation and store), to tell whether the spec changed since the last sync.
    public var syncedResourceVersion: String?
    /// An HMAC-SHA256 of the written data under a per-install key (`hmac-sha256:…`); never a plain hash.
    public var fingerprint: String?
    /// Rotation state.
    public var rotation: ExternalSecretRotationStatus?
    public var unknownFields = UnknownFields()

    public init(
        conditions: [Condition]? = nil, observedGeneration: Int64? = nil, refreshTime: KubeTime? = nil,
        syncedResourceVersion: String? = nil, fingerprint: String? = nil,
        rotation: ExternalSecretRotationStatus? = nil
    ) {
        self.conditions = conditions
        self.observedGeneration = observedGeneration
        self.refreshTime = refreshTime
        self.syncedResourceVersion = syncedResourceVersion
        self.fingerprint = fingerprint
        self.rotation = rotation
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case conditions, observedGeneration, refreshTime, syncedResourceVersion, fingerprint, rotation
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        conditions = try c.decodeIfPresent(.conditions)
        observedGeneration = try c.decodeIfPresent(.observedGeneration)
        refreshTime = try c.decodeIfPresent(.refreshTime)
        syncedResourceVersion = try c.decodeIfPresent(.syncedResourceVersion)
        fingerprint = try c.decodeIfPresent(.fingerprint)
        rotation = try c.decodeIfPresent(.rotation)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(conditions, forKey: .conditions)
        try c.encodeIfPresent(observedGeneration, forKey: .observedGeneration)
        try c.encodeIfPresent(refreshTime, forKey: .refreshTime)
        try c.encodeIfPresent(syncedResourceVersion, forKey: .syncedResourceVersion)
        try c.encodeIfPresent(fingerprint, forKey: .fingerprint)
        try c.encodeIfPresent(rotation, forKey: .rotation)
    }
}

extension ExternalSecretStatus: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "What the operator last did with an ExternalSecret. Never holds secret values.",
            properties: [
                "conditions": OpenAPISchema.conditions(
                    "The `Ready` condition and its reason (Synced, ProviderError, SecretNotFound, InvalidSpec, StoreNotReady, Forbidden, Throttled, InvalidKey, TooLarge, Conflict, WriteRejected, WriteFailed)."),
                "observedGeneration": OpenAPISchema.integer(
                    "The metadata.generation the status describes.", format: "int64"),
                "refreshTime": OpenAPISchema.dateTime("When the values were last read from the provider successfully."),
                "syncedResourceVersion": OpenAPISchema.string(
                    "A key of the synced spec (generation and store), to tell whether the spec changed since the last sync."),
                "fingerprint": OpenAPISchema.string(
                    "An HMAC-SHA256 of the written data under a per-install key (`hmac-sha256:…`); never a plain hash."),
                "rotation": ExternalSecretRotationStatus.openAPISchema.described("Rotation state."),
            ])
    }
}

/// Rotation state. With the Secret's annotations it lets a restarted operator resume a grace window exactly.
public struct ExternalSecretRotationStatus: Codable, Sendable, Hashable {
    /// Where the rotation cycle is.
    public var phase: RotationPhase?
    /// When the values last changed.
    public var rotatedAt: KubeTime?
    /// When the previous values will be removed.
    public var graceUntil: KubeTime?
    /// When the next scheduled rotation is due.
    public var nextRotation: KubeTime?
    /// The idempotency token of a scheduled rotation in progress (AWS ClientRequestToken); cleared when it
    /// completed.
    public var pendingID: String?
    /// The rotation whose restart targets were last rolled, so that each rotation rolls them once.
    public var restartedFor: String?
    /// The value of the `rotor.dev/rotate` annotation last acted on.
    public var rotateRequest: String?
    public var unknownFields = UnknownFields()

    public init(
        phase: RotationPhase? = nil, rotatedAt: KubeTime? = nil, graceUntil: KubeTime? = nil,
        nextRotation: KubeTime? = nil, pendingID: String? = nil, restartedFor: String? = nil, rotateRequest: String? = nil
    ) {
        self.phase = phase
        self.rotatedAt = rotatedAt
        self.graceUntil = graceUntil
        self.nextRotation = nextRotation
        self.pendingID = pendingID
        self.restartedFor = restartedFor
        self.rotateRequest = rotateRequest
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case phase, rotatedAt, graceUntil, nextRotation, pendingID, restartedFor, rotateRequest
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        phase = try c.decodeIfPresent(.phase)
        rotatedAt = try c.decodeIfPresent(.rotatedAt)
        graceUntil = try c.decodeIfPresent(.graceUntil)
        nextRotation = try c.decodeIfPresent(.nextRotation)
        pendingID = try c.decodeIfPresent(.pendingID)
        restartedFor = try c.decodeIfPresent(.restartedFor)
        rotateRequest = try c.decodeIfPresent(.rotateRequest)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(phase, forKey: .phase)
        try c.encodeIfPresent(rotatedAt, forKey: .rotatedAt)
        try c.encodeIfPresent(graceUntil, forKey: .graceUntil)
        try c.encodeIfPresent(nextRotation, forKey: .nextRotation)
        try c.encodeIfPresent(pendingID, forKey: .pendingID)
        try c.encodeIfPresent(restartedFor, forKey: .restartedFor)
        try c.encodeIfPresent(rotateRequest, forKey: .rotateRequest)
    }
}

extension ExternalSecretRotationStatus: SchemaDescribed {
    public static var openAPISchema: JSONValue {
        OpenAPISchema.object(
            "Rotation state. With the Secret's annotations it lets a restarted operator resume a grace window exactly.",
            properties: [
                "phase": OpenAPISchema.string("Where the rotation cycle is.", of: RotationPhase.self),
                "rotatedAt": OpenAPISchema.dateTime("When the values last changed."),
                "graceUntil": OpenAPISchema.dateTime("When the previous values will be removed."),
                "nextRotation": OpenAPISchema.dateTime("When the next scheduled rotation is due."),
                "pendingID": OpenAPISchema.string(
                    "The idempotency token of a scheduled rotation in progress (AWS ClientRequestToken); cleared when it completed."),
                "restartedFor": OpenAPISchema.string(
                    "The rotation whose restart targets were last rolled, so that each rotation rolls them once."),
                "rotateRequest": OpenAPISchema.string("The value of the `rotor.dev/rotate` annotation last acted on."),
            ])
    }
}

/// Where an ExternalSecret is in its rotation cycle.
public struct RotationPhase: OpenStringEnum {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Only current values are in the Secret.
    public static let stable: RotationPhase = "Stable"
    /// A scheduled rotation was recorded (`pendingID`) and its new value is being written to the provider.
    public static let pending: RotationPhase = "Pending"
    /// The previous values are still in the Secret, until `graceUntil`.
    public static let overlap: RotationPhase = "Overlap"

    public static let knownValues: [RotationPhase] = [.stable, .pending, .overlap]
}
