import Foundation
import JSONCore

/// A `coordination.k8s.io/v1` `Lease`: the lock of leader election. One replica holds it
/// and renews it; the others take it over once it has not been renewed for
/// `leaseDurationSeconds`.
public struct Lease: KubernetesResource, Hashable {
    public static var resourceType: ResourceType { ResourceTypes.leases }

    public var metadata: ObjectMeta
    public var spec: LeaseSpec
    public var unknownFields = UnknownFields()

    public init(metadata: ObjectMeta = ObjectMeta(), spec: LeaseSpec = LeaseSpec()) {
        self.metadata = metadata
        self.spec = spec
    }

    public init(from decoder: any Decoder) throws {
        (metadata, spec, unknownFields) = try ResourceEnvelope.decode(from: decoder, emptySpec: LeaseSpec())
    }

    public func encode(to encoder: any Encoder) throws {
        try ResourceEnvelope.encode(
            apiVersion: Self.apiVersion, kind: Self.kind, metadata: metadata, spec: spec, unknownFields: unknownFields,
            to: encoder)
    }
}

/// Who holds a lease and until when.
public struct LeaseSpec: Codable, Sendable, Hashable {
    /// The current holder, e.g. a pod name plus a random suffix; `nil` or empty when released.
    public var holderIdentity: String?
    /// How long after `renewTime` others must wait before taking the lease over.
    public var leaseDurationSeconds: Int32?
    /// When the current holder acquired the lease.
    public var acquireTime: KubeMicroTime?
    /// When the current holder last renewed the lease.
    public var renewTime: KubeMicroTime?
    /// How many times the lease has changed hands.
    public var leaseTransitions: Int32?
    /// Coordinated leader election only: the strategy picking the next holder.
    public var strategy: String?
    /// Coordinated leader election only: the holder that should take over.
    public var preferredHolder: String?
    public var unknownFields = UnknownFields()

    public init(
        holderIdentity: String? = nil, leaseDurationSeconds: Int32? = nil, acquireTime: KubeMicroTime? = nil,
        renewTime: KubeMicroTime? = nil, leaseTransitions: Int32? = nil, strategy: String? = nil,
        preferredHolder: String? = nil
    ) {
        self.holderIdentity = holderIdentity
        self.leaseDurationSeconds = leaseDurationSeconds
        self.acquireTime = acquireTime
        self.renewTime = renewTime
        self.leaseTransitions = leaseTransitions
        self.strategy = strategy
        self.preferredHolder = preferredHolder
    }

    /// When the lease lapses unless renewed: `renewTime + leaseDurationSeconds`, or `nil`
    /// when either is missing (a lease nobody holds).
    public var expiry: Date? {
        guard let renewTime, let leaseDurationSeconds else { return nil }
        return renewTime.date.addingTimeInterval(TimeInterval(leaseDurationSeconds))
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case holderIdentity, leaseDurationSeconds, acquireTime, renewTime, leaseTransitions, strategy, preferredHolder
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        holderIdentity = try c.decodeIfPresent(.holderIdentity)
        leaseDurationSeconds = try c.decodeIfPresent(.leaseDurationSeconds)
        acquireTime = try c.decodeIfPresent(.acquireTime)
        renewTime = try c.decodeIfPresent(.renewTime)
        leaseTransitions = try c.decodeIfPresent(.leaseTransitions)
        strategy = try c.decodeIfPresent(.strategy)
        preferredHolder = try c.decodeIfPresent(.preferredHolder)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(holderIdentity, forKey: .holderIdentity)
        try c.encodeIfPresent(leaseDurationSeconds, forKey: .leaseDurationSeconds)
        try c.encodeIfPresent(acquireTime, forKey: .acquireTime)
        try c.encodeIfPresent(renewTime, forKey: .renewTime)
        try c.encodeIfPresent(leaseTransitions, forKey: .leaseTransitions)
        try c.encodeIfPresent(strategy, forKey: .strategy)
        try c.encodeIfPresent(preferredHolder, forKey: .preferredHolder)
    }
}
