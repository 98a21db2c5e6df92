import Foundation
import JSONCore

/// An `events.k8s.io/v1` `Event`: the newer event schema, written by current recorders.
///
/// Same storage as the core `Event`; fields were renamed (`involvedObject` → `regarding`,
/// `message` → `note`, `source` → `reportingController`/`reportingInstance`) and the old
/// counting fields kept as `deprecated*`.
public struct EventsV1Event: KubernetesResource, Hashable {
    public static var resourceType: ResourceType { ResourceTypes.eventsV1 }

    public var metadata: ObjectMeta
    /// When the event was first observed. Required by the API server on create.
    public var eventTime: KubeMicroTime?
    /// Set once the event repeats; the recorder bumps `series.count` instead of adding events.
    public var series: EventSeries?
    /// The controller that emitted the event, e.g. `rotor.dev/controller`. Required on create.
    public var reportingController: String?
    /// The emitting instance, e.g. the pod name. Required on create.
    public var reportingInstance: String?
    /// What was done or failed, e.g. `Rotate`. Required on create.
    public var action: String?
    /// A short CamelCase cause, e.g. `SecretRotated`. Required on create.
    public var reason: String?
    /// The object the event is about.
    public var regarding: ObjectReference?
    /// A second object involved.
    public var related: ObjectReference?
    /// Human-readable detail, at most 1 kB. Must never carry secret values.
    public var note: String?
    /// `Normal` or `Warning`.
    public var type: EventType?
    public var deprecatedSource: EventSource?
    public var deprecatedFirstTimestamp: KubeTime?
    public var deprecatedLastTimestamp: KubeTime?
    public var deprecatedCount: Int32?
    public var unknownFields = UnknownFields()

    public init(
        metadata: ObjectMeta = ObjectMeta(), eventTime: KubeMicroTime? = nil, series: EventSeries? = nil,
        reportingController: String? = nil, reportingInstance: String? = nil, action: String? = nil,
        reason: String? = nil, regarding: ObjectReference? = nil, related: ObjectReference? = nil,
        note: String? = nil, type: EventType? = nil
    ) {
        self.metadata = metadata
        self.eventTime = eventTime
        self.series = series
        self.reportingController = reportingController
        self.reportingInstance = reportingInstance
        self.action = action
        self.reason = reason
        self.regarding = regarding
        self.related = related
        self.note = note
        self.type = type
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case apiVersion, kind, metadata, eventTime, series, reportingController, reportingInstance, action, reason
        case regarding, related, note, type, deprecatedSource, deprecatedFirstTimestamp, deprecatedLastTimestamp
        case deprecatedCount
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try c.decode(.metadata, or: ObjectMeta())
        eventTime = try c.decodeIfPresent(.eventTime)
        series = try c.decodeIfPresent(.series)
        reportingController = try c.decodeIfPresent(.reportingController)
        reportingInstance = try c.decodeIfPresent(.reportingInstance)
        action = try c.decodeIfPresent(.action)
        reason = try c.decodeIfPresent(.reason)
        regarding = try c.decodeIfPresent(.regarding)
        related = try c.decodeIfPresent(.related)
        note = try c.decodeIfPresent(.note)
        type = try c.decodeIfPresent(.type)
        deprecatedSource = try c.decodeIfPresent(.deprecatedSource)
        deprecatedFirstTimestamp = try c.decodeIfPresent(.deprecatedFirstTimestamp)
        deprecatedLastTimestamp = try c.decodeIfPresent(.deprecatedLastTimestamp)
        deprecatedCount = try c.decodeIfPresent(.deprecatedCount)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.apiVersion, forKey: .apiVersion)
        try c.encode(Self.kind, forKey: .kind)
        try c.encode(metadata, forKey: .metadata)
        try c.encodeIfPresent(eventTime, forKey: .eventTime)
        try c.encodeIfPresent(series, forKey: .series)
        try c.encodeIfPresent(reportingController, forKey: .reportingController)
        try c.encodeIfPresent(reportingInstance, forKey: .reportingInstance)
        try c.encodeIfPresent(action, forKey: .action)
        try c.encodeIfPresent(reason, forKey: .reason)
        try c.encodeIfPresent(regarding, forKey: .regarding)
        try c.encodeIfPresent(related, forKey: .related)
        try c.encodeIfPresent(note, forKey: .note)
        try c.encodeIfPresent(type, forKey: .type)
        try c.encodeIfPresent(deprecatedSource, forKey: .deprecatedSource)
        try c.encodeIfPresent(deprecatedFirstTimestamp, forKey: .deprecatedFirstTimestamp)
        try c.encodeIfPresent(deprecatedLastTimestamp, forKey: .deprecatedLastTimestamp)
        try c.encodeIfPresent(deprecatedCount, forKey: .deprecatedCount)
    }
}
