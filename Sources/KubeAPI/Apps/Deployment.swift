import Foundation
import JSONCore

/// An `apps/v1` `Deployment`. Rotor restarts deployments that consume a rotated secret
/// and waits for the rollout.
public struct Deployment: KubernetesResource, Hashable {
    public static var resourceType: ResourceType { ResourceTypes.deployments }

    public var metadata: ObjectMeta
    public var spec: DeploymentSpec
    public var status: DeploymentStatus?
    public var unknownFields = UnknownFields()

    public init(metadata: ObjectMeta = ObjectMeta(), spec: DeploymentSpec = DeploymentSpec(), status: DeploymentStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    /// Where the rollout stands, by `kubectl rollout status` rules.
    public var rolloutStatus: RolloutStatus {
        let name = metadata.name ?? ""
        let status = status ?? DeploymentStatus()
        guard (metadata.generation ?? 0) <= (status.observedGeneration ?? 0) else {
            return .inProgress(message: "Waiting for deployment spec update to be observed...")
        }
        if let progressing = status.conditions?.first(ofType: "Progressing"), progressing.reason == "ProgressDeadlineExceeded" {
            return .failed(message: "deployment \"\(name)\" exceeded its progress deadline")
        }
        let updated = status.updatedReplicas ?? 0
        if let desired = spec.replicas, updated < desired {
            return .inProgress(
                message: "Waiting for deployment \"\(name)\" rollout to finish: \(updated) out of \(desired) new replicas have been updated...")
        }
        let replicas = status.replicas ?? 0
        if replicas > updated {
            return .inProgress(
                message: "Waiting for deployment \"\(name)\" rollout to finish: \(replicas - updated) old replicas are pending termination...")
        }
        let available = status.availableReplicas ?? 0
        if available < updated {
            return .inProgress(
                message: "Waiting for deployment \"\(name)\" rollout to finish: \(available) of \(updated) updated replicas are available...")
        }
        return .complete(message: "deployment \"\(name)\" successfully rolled out")
    }

    /// True when `kubectl rollout status` would report success.
    public var rolloutComplete: Bool { rolloutStatus.isComplete }

    public init(from decoder: any Decoder) throws {
        (metadata, spec, status, unknownFields) = try ResourceEnvelope.decode(from: decoder, emptySpec: DeploymentSpec())
    }

    public func encode(to encoder: any Encoder) throws {
        try ResourceEnvelope.encode(
            apiVersion: Self.apiVersion, kind: Self.kind, metadata: metadata, spec: spec, status: status,
            unknownFields: unknownFields, to: encoder)
    }
}

/// The desired state of a deployment. `strategy` and the rest stay in `unknownFields`.
public struct DeploymentSpec: Codable, Sendable, Hashable {
    /// Desired pods; the API server defaults it to 1.
    public var replicas: Int32?
    /// Which pods belong to the deployment; must match the template's labels.
    public var selector: LabelSelector?
    public var template: PodTemplateSpec
    public var minReadySeconds: Int32?
    public var revisionHistoryLimit: Int32?
    /// A paused deployment does not roll out template changes.
    public var paused: Bool?
    /// After this long without progress the `Progressing` condition turns `ProgressDeadlineExceeded`.
    public var progressDeadlineSeconds: Int32?
    public var unknownFields = UnknownFields()

    public init(
        replicas: Int32? = nil, selector: LabelSelector? = nil, template: PodTemplateSpec = PodTemplateSpec(),
        minReadySeconds: Int32? = nil, revisionHistoryLimit: Int32? = nil, paused: Bool? = nil,
        progressDeadlineSeconds: Int32? = nil
    ) {
        self.replicas = replicas
        self.selector = selector
        self.template = template
        self.minReadySeconds = minReadySeconds
        self.revisionHistoryLimit = revisionHistoryLimit
        self.paused = paused
        self.progressDeadlineSeconds = progressDeadlineSeconds
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case replicas, selector, template, minReadySeconds, revisionHistoryLimit, paused, progressDeadlineSeconds
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        replicas = try c.decodeIfPresent(.replicas)
        selector = try c.decodeIfPresent(.selector)
        template = try c.decode(.template, or: PodTemplateSpec())
        minReadySeconds = try c.decodeIfPresent(.minReadySeconds)
        revisionHistoryLimit = try c.decodeIfPresent(.revisionHistoryLimit)
        paused = try c.decodeIfPresent(.paused)
        progressDeadlineSeconds = try c.decodeIfPresent(.progressDeadlineSeconds)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(replicas, forKey: .replicas)
        try c.encodeIfPresent(selector, forKey: .selector)
        try c.encode(template, forKey: .template)
        try c.encodeIfPresent(minReadySeconds, forKey: .minReadySeconds)
        try c.encodeIfPresent(revisionHistoryLimit, forKey: .revisionHistoryLimit)
        try c.encodeIfPresent(paused, forKey: .paused)
        try c.encodeIfPresent(progressDeadlineSeconds, forKey: .progressDeadlineSeconds)
    }
}

/// The observed state of a deployment, as the deployment controller reports it.
public struct DeploymentStatus: Codable, Sendable, Hashable {
    /// The `metadata.generation` the controller last acted on.
    public var observedGeneration: Int64?
    /// Pods of all revisions.
    public var replicas: Int32?
    /// Pods of the latest template.
    public var updatedReplicas: Int32?
    public var readyReplicas: Int32?
    /// Pods ready for at least `minReadySeconds`.
    public var availableReplicas: Int32?
    public var unavailableReplicas: Int32?
    /// `Available`, `Progressing`, `ReplicaFailure`.
    public var conditions: [Condition]?
    public var unknownFields = UnknownFields()

    public init(
        observedGeneration: Int64? = nil, replicas: Int32? = nil, updatedReplicas: Int32? = nil,
        readyReplicas: Int32? = nil, availableReplicas: Int32? = nil, unavailableReplicas: Int32? = nil,
        conditions: [Condition]? = nil
    ) {
        self.observedGeneration = observedGeneration
        self.replicas = replicas
        self.updatedReplicas = updatedReplicas
        self.readyReplicas = readyReplicas
        self.availableReplicas = availableReplicas
        self.unavailableReplicas = unavailableReplicas
        self.conditions = conditions
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case observedGeneration, replicas, updatedReplicas, readyReplicas, availableReplicas, unavailableReplicas
        case conditions
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        observedGeneration = try c.decodeIfPresent(.observedGeneration)
        replicas = try c.decodeIfPresent(.replicas)
        updatedReplicas = try c.decodeIfPresent(.updatedReplicas)
        readyReplicas = try c.decodeIfPresent(.readyReplicas)
        availableReplicas = try c.decodeIfPresent(.availableReplicas)
        unavailableReplicas = try c.decodeIfPresent(.unavailableReplicas)
        conditions = try c.decodeIfPresent(.conditions)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(observedGeneration, forKey: .observedGeneration)
        try c.encodeIfPresent(replicas, forKey: .replicas)
        try c.encodeIfPresent(updatedReplicas, forKey: .updatedReplicas)
        try c.encodeIfPresent(readyReplicas, forKey: .readyReplicas)
        try c.encodeIfPresent(availableReplicas, forKey: .availableReplicas)
        try c.encodeIfPresent(unavailableReplicas, forKey: .unavailableReplicas)
        try c.encodeIfPresent(conditions, forKey: .conditions)
    }
}
