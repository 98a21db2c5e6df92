import Foundation
import JSONCore

/// An `apps/v1` `DaemonSet`. Rotor restarts daemon sets that consume a rotated secret
/// and waits for the rollout.
public struct DaemonSet: KubernetesResource, Hashable {
    public static var resourceType: ResourceType { ResourceTypes.daemonSets }

    public var metadata: ObjectMeta
    public var spec: DaemonSetSpec
    public var status: DaemonSetStatus?
    public var unknownFields = UnknownFields()

    public init(metadata: ObjectMeta = ObjectMeta(), spec: DaemonSetSpec = DaemonSetSpec(), status: DaemonSetStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    /// Where the rollout stands, by `kubectl rollout status` rules. A missing strategy
    /// type counts as `RollingUpdate`, the API server's default.
    public var rolloutStatus: RolloutStatus {
        let strategyType = spec.updateStrategy?.type ?? UpdateStrategyType.rollingUpdate
        guard strategyType == UpdateStrategyType.rollingUpdate else {
            return .failed(message: "rollout status is only available for RollingUpdate strategy type")
        }
        let name = metadata.name ?? ""
        let status = status ?? DaemonSetStatus()
        guard (metadata.generation ?? 0) <= (status.observedGeneration ?? 0) else {
            return .inProgress(message: "Waiting for daemon set spec update to be observed...")
        }
        let desired = status.desiredNumberScheduled ?? 0
        let updated = status.updatedNumberScheduled ?? 0
        if updated < desired {
            return .inProgress(
                message: "Waiting for daemon set \"\(name)\" rollout to finish: \(updated) out of \(desired) new pods have been updated...")
        }
        let available = status.numberAvailable ?? 0
        if available < desired {
            return .inProgress(
                message: "Waiting for daemon set \"\(name)\" rollout to finish: \(available) of \(desired) updated pods are available...")
        }
        return .complete(message: "daemon set \"\(name)\" successfully rolled out")
    }

    /// True when `kubectl rollout status` would report success.
    public var rolloutComplete: Bool { rolloutStatus.isComplete }

    public init(from decoder: any Decoder) throws {
        (metadata, spec, status, unknownFields) = try ResourceEnvelope.decode(from: decoder, emptySpec: DaemonSetSpec())
    }

    public func encode(to encoder: any Encoder) throws {
        try ResourceEnvelope.encode(
            apiVersion: Self.apiVersion, kind: Self.kind, metadata: metadata, spec: spec, status: status,
            unknownFields: unknownFields, to: encoder)
    }
}

/// The desired state of a daemon set.
public struct DaemonSetSpec: Codable, Sendable, Hashable {
    public var selector: LabelSelector?
    public var template: PodTemplateSpec
    public var updateStrategy: DaemonSetUpdateStrategy?
    public var minReadySeconds: Int32?
    public var revisionHistoryLimit: Int32?
    public var unknownFields = UnknownFields()

    public init(
        selector: LabelSelector? = nil, template: PodTemplateSpec = PodTemplateSpec(),
        updateStrategy: DaemonSetUpdateStrategy? = nil, minReadySeconds: Int32? = nil, revisionHistoryLimit: Int32? = nil
    ) {
        self.selector = selector
        self.template = template
        self.updateStrategy = updateStrategy
        self.minReadySeconds = minReadySeconds
        self.revisionHistoryLimit = revisionHistoryLimit
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case selector, template, updateStrategy, minReadySeconds, revisionHistoryLimit
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        selector = try c.decodeIfPresent(.selector)
        template = try c.decode(.template, or: PodTemplateSpec())
        updateStrategy = try c.decodeIfPresent(.updateStrategy)
        minReadySeconds = try c.decodeIfPresent(.minReadySeconds)
        revisionHistoryLimit = try c.decodeIfPresent(.revisionHistoryLimit)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(selector, forKey: .selector)
        try c.encode(template, forKey: .template)
        try c.encodeIfPresent(updateStrategy, forKey: .updateStrategy)
        try c.encodeIfPresent(minReadySeconds, forKey: .minReadySeconds)
        try c.encodeIfPresent(revisionHistoryLimit, forKey: .revisionHistoryLimit)
    }
}

/// How a daemon set replaces pods when its template changes.
public struct DaemonSetUpdateStrategy: Codable, Sendable, Hashable {
    /// `RollingUpdate` (the default) or `OnDelete`; see `UpdateStrategyType`.
    public var type: String?
    /// `maxUnavailable` / `maxSurge`, kept as JSON (each an int or a percentage string).
    public var rollingUpdate: JSONValue?
    public var unknownFields = UnknownFields()

    public init(type: String? = nil, rollingUpdate: JSONValue? = nil) {
        self.type = type
        self.rollingUpdate = rollingUpdate
    }

    public init(from decoder: any Decoder) throws {
        (type, rollingUpdate, unknownFields) = try UpdateStrategyCoding.decode(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        try UpdateStrategyCoding.encode(type: type, rollingUpdate: rollingUpdate, unknownFields: unknownFields, to: encoder)
    }
}

/// The observed state of a daemon set: counts of nodes by the state of their pod.
public struct DaemonSetStatus: Codable, Sendable, Hashable {
    public var observedGeneration: Int64?
    /// Nodes that should run the pod.
    public var desiredNumberScheduled: Int32?
    /// Nodes running at least one pod of the daemon set.
    public var currentNumberScheduled: Int32?
    /// Nodes running a pod of the latest template.
    public var updatedNumberScheduled: Int32?
    /// Nodes running the pod although they should not.
    public var numberMisscheduled: Int32?
    public var numberReady: Int32?
    /// Nodes whose pod has been ready for at least `minReadySeconds`.
    public var numberAvailable: Int32?
    public var numberUnavailable: Int32?
    public var conditions: [Condition]?
    public var unknownFields = UnknownFields()

    public init(
        observedGeneration: Int64? = nil, desiredNumberScheduled: Int32? = nil, currentNumberScheduled: Int32? = nil,
        updatedNumberScheduled: Int32? = nil, numberMisscheduled: Int32? = nil, numberReady: Int32? = nil,
        numberAvailable: Int32? = nil, numberUnavailable: Int32? = nil, conditions: [Condition]? = nil
    ) {
        self.observedGeneration = observedGeneration
        self.desiredNumberScheduled = desiredNumberScheduled
        self.currentNumberScheduled = currentNumberScheduled
        self.updatedNumberScheduled = updatedNumberScheduled
        self.numberMisscheduled = numberMisscheduled
        self.numberReady = numberReady
        self.numberAvailable = numberAvailable
        self.numberUnavailable = numberUnavailable
        self.conditions = conditions
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case observedGeneration, desiredNumberScheduled, currentNumberScheduled, updatedNumberScheduled
        case numberMisscheduled, numberReady, numberAvailable, numberUnavailable, conditions
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        observedGeneration = try c.decodeIfPresent(.observedGeneration)
        desiredNumberScheduled = try c.decodeIfPresent(.desiredNumberScheduled)
        currentNumberScheduled = try c.decodeIfPresent(.currentNumberScheduled)
        updatedNumberScheduled = try c.decodeIfPresent(.updatedNumberScheduled)
        numberMisscheduled = try c.decodeIfPresent(.numberMisscheduled)
        numberReady = try c.decodeIfPresent(.numberReady)
        numberAvailable = try c.decodeIfPresent(.numberAvailable)
        numberUnavailable = try c.decodeIfPresent(.numberUnavailable)
        conditions = try c.decodeIfPresent(.conditions)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(observedGeneration, forKey: .observedGeneration)
        try c.encodeIfPresent(desiredNumberScheduled, forKey: .desiredNumberScheduled)
        try c.encodeIfPresent(currentNumberScheduled, forKey: .currentNumberScheduled)
        try c.encodeIfPresent(updatedNumberScheduled, forKey: .updatedNumberScheduled)
        try c.encodeIfPresent(numberMisscheduled, forKey: .numberMisscheduled)
        try c.encodeIfPresent(numberReady, forKey: .numberReady)
        try c.encodeIfPresent(numberAvailable, forKey: .numberAvailable)
        try c.encodeIfPresent(numberUnavailable, forKey: .numberUnavailable)
        try c.encodeIfPresent(conditions, forKey: .conditions)
    }
}
