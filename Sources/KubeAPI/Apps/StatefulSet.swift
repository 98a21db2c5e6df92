import Foundation
import JSONCore

/// An `apps/v1` `StatefulSet`. Rotor restarts stateful sets that consume a rotated secret
/// and waits for the rollout.
public struct StatefulSet: KubernetesResource, Hashable {
    public static var resourceType: ResourceType { ResourceTypes.statefulSets }

    public var metadata: ObjectMeta
    public var spec: StatefulSetSpec
    public var status: StatefulSetStatus?
    public var unknownFields = UnknownFields()

    public init(metadata: ObjectMeta = ObjectMeta(), spec: StatefulSetSpec = StatefulSetSpec(), status: StatefulSetStatus? = nil) {
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
        let status = status ?? StatefulSetStatus()
        let observed = status.observedGeneration ?? 0
        if observed == 0 || (metadata.generation ?? 0) > observed {
            return .inProgress(message: "Waiting for statefulset spec update to be observed...")
        }
        let ready = status.readyReplicas ?? 0
        if let desired = spec.replicas, ready < desired {
            return .inProgress(message: "Waiting for \(desired - ready) pods to be ready...")
        }
        let updated = status.updatedReplicas ?? 0
        if let rollingUpdate = spec.updateStrategy?.rollingUpdate {
            if let desired = spec.replicas, let partition = rollingUpdate.partition, updated < desired - partition {
                return .inProgress(
                    message: "Waiting for partitioned roll out to finish: \(updated) out of \(desired - partition) new pods have been updated...")
            }
            return .complete(message: "partitioned roll out complete: \(updated) new pods have been updated...")
        }
        if status.updateRevision != status.currentRevision {
            return .inProgress(
                message: "waiting for statefulset rolling update to complete \(updated) pods at revision \(status.updateRevision ?? "")...")
        }
        return .complete(
            message: "statefulset rolling update complete \(status.currentReplicas ?? 0) pods at revision \(status.currentRevision ?? "")...")
    }

    /// True when `kubectl rollout status` would report success.
    public var rolloutComplete: Bool { rolloutStatus.isComplete }

    public init(from decoder: any Decoder) throws {
        (metadata, spec, status, unknownFields) = try ResourceEnvelope.decode(from: decoder, emptySpec: StatefulSetSpec())
    }

    public func encode(to encoder: any Encoder) throws {
        try ResourceEnvelope.encode(
            apiVersion: Self.apiVersion, kind: Self.kind, metadata: metadata, spec: spec, status: status,
            unknownFields: unknownFields, to: encoder)
    }
}

/// The desired state of a stateful set. `volumeClaimTemplates` and the rest stay in `unknownFields`.
public struct StatefulSetSpec: Codable, Sendable, Hashable {
    public var replicas: Int32?
    public var selector: LabelSelector?
    public var template: PodTemplateSpec
    /// The headless service that gives the pods their DNS names.
    public var serviceName: String?
    /// `OrderedReady` (the default) or `Parallel`.
    public var podManagementPolicy: String?
    public var updateStrategy: StatefulSetUpdateStrategy?
    public var revisionHistoryLimit: Int32?
    public var minReadySeconds: Int32?
    public var unknownFields = UnknownFields()

    public init(
        replicas: Int32? = nil, selector: LabelSelector? = nil, template: PodTemplateSpec = PodTemplateSpec(),
        serviceName: String? = nil, podManagementPolicy: String? = nil, updateStrategy: StatefulSetUpdateStrategy? = nil,
        revisionHistoryLimit: Int32? = nil, minReadySeconds: Int32? = nil
    ) {
        self.replicas = replicas
        self.selector = selector
        self.template = template
        self.serviceName = serviceName
        self.podManagementPolicy = podManagementPolicy
        self.updateStrategy = updateStrategy
        self.revisionHistoryLimit = revisionHistoryLimit
        self.minReadySeconds = minReadySeconds
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case replicas, selector, template, serviceName, podManagementPolicy, updateStrategy, revisionHistoryLimit
        case minReadySeconds
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        replicas = try c.decodeIfPresent(.replicas)
        selector = try c.decodeIfPresent(.selector)
        template = try c.decode(.template, or: PodTemplateSpec())
        serviceName = try c.decodeIfPresent(.serviceName)
        podManagementPolicy = try c.decodeIfPresent(.podManagementPolicy)
        updateStrategy = try c.decodeIfPresent(.updateStrategy)
        revisionHistoryLimit = try c.decodeIfPresent(.revisionHistoryLimit)
        minReadySeconds = try c.decodeIfPresent(.minReadySeconds)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(replicas, forKey: .replicas)
        try c.encodeIfPresent(selector, forKey: .selector)
        try c.encode(template, forKey: .template)
        try c.encodeIfPresent(serviceName, forKey: .serviceName)
        try c.encodeIfPresent(podManagementPolicy, forKey: .podManagementPolicy)
        try c.encodeIfPresent(updateStrategy, forKey: .updateStrategy)
        try c.encodeIfPresent(revisionHistoryLimit, forKey: .revisionHistoryLimit)
        try c.encodeIfPresent(minReadySeconds, forKey: .minReadySeconds)
    }
}

/// How a stateful set replaces pods when its template changes.
public struct StatefulSetUpdateStrategy: Codable, Sendable, Hashable {
    /// `RollingUpdate` (the default) or `OnDelete`; see `UpdateStrategyType`.
    public var type: String?
    public var rollingUpdate: RollingUpdateStatefulSetStrategy?
    public var unknownFields = UnknownFields()

    public init(type: String? = nil, rollingUpdate: RollingUpdateStatefulSetStrategy? = nil) {
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

/// Parameters of a stateful set rolling update. `maxUnavailable` stays in `unknownFields`.
public struct RollingUpdateStatefulSetStrategy: Codable, Sendable, Hashable {
    /// Only pods with an ordinal at or above the partition are updated (a staged rollout).
    public var partition: Int32?
    public var unknownFields = UnknownFields()

    public init(partition: Int32? = nil) { self.partition = partition }

    enum CodingKeys: String, CodingKey, CaseIterable { case partition }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        partition = try c.decodeIfPresent(.partition)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(partition, forKey: .partition)
    }
}

/// The observed state of a stateful set.
public struct StatefulSetStatus: Codable, Sendable, Hashable {
    public var observedGeneration: Int64?
    public var replicas: Int32?
    public var readyReplicas: Int32?
    /// Pods at `currentRevision`.
    public var currentReplicas: Int32?
    /// Pods at `updateRevision`.
    public var updatedReplicas: Int32?
    public var availableReplicas: Int32?
    /// The revision (ControllerRevision name) the pods ran before the update began.
    public var currentRevision: String?
    /// The revision of the latest template; equal to `currentRevision` once the update is done.
    public var updateRevision: String?
    public var conditions: [Condition]?
    public var unknownFields = UnknownFields()

    public init(
        observedGeneration: Int64? = nil, replicas: Int32? = nil, readyReplicas: Int32? = nil,
        currentReplicas: Int32? = nil, updatedReplicas: Int32? = nil, availableReplicas: Int32? = nil,
        currentRevision: String? = nil, updateRevision: String? = nil, conditions: [Condition]? = nil
    ) {
        self.observedGeneration = observedGeneration
        self.replicas = replicas
        self.readyReplicas = readyReplicas
        self.currentReplicas = currentReplicas
        self.updatedReplicas = updatedReplicas
        self.availableReplicas = availableReplicas
        self.currentRevision = currentRevision
        self.updateRevision = updateRevision
        self.conditions = conditions
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case observedGeneration, replicas, readyReplicas, currentReplicas, updatedReplicas, availableReplicas
        case currentRevision, updateRevision, conditions
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        observedGeneration = try c.decodeIfPresent(.observedGeneration)
        replicas = try c.decodeIfPresent(.replicas)
        readyReplicas = try c.decodeIfPresent(.readyReplicas)
        currentReplicas = try c.decodeIfPresent(.currentReplicas)
        updatedReplicas = try c.decodeIfPresent(.updatedReplicas)
        availableReplicas = try c.decodeIfPresent(.availableReplicas)
        currentRevision = try c.decodeIfPresent(.currentRevision)
        updateRevision = try c.decodeIfPresent(.updateRevision)
        conditions = try c.decodeIfPresent(.conditions)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(observedGeneration, forKey: .observedGeneration)
        try c.encodeIfPresent(replicas, forKey: .replicas)
        try c.encodeIfPresent(readyReplicas, forKey: .readyReplicas)
        try c.encodeIfPresent(currentReplicas, forKey: .currentReplicas)
        try c.encodeIfPresent(updatedReplicas, forKey: .updatedReplicas)
        try c.encodeIfPresent(availableReplicas, forKey: .availableReplicas)
        try c.encodeIfPresent(currentRevision, forKey: .currentRevision)
        try c.encodeIfPresent(updateRevision, forKey: .updateRevision)
        try c.encodeIfPresent(conditions, forKey: .conditions)
    }
}
