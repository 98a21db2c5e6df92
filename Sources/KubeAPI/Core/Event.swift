import Foundation
import JSONCore

/// A core (`v1`) Kubernetes `Event`: a report about an object, shown by `kubectl describe`.
///
/// The API server stores both event APIs in one place; this is the older schema, which
/// every kubectl reads. See `EventsV1Event` for the `events.k8s.io/v1` one.
public struct Event: KubernetesResource, Hashable {
    public static var resourceType: ResourceType { ResourceTypes.events }

    public var metadata: ObjectMeta
    /// The object the event is about.
    public var involvedObject: ObjectReference
    /// A short CamelCase cause, e.g. `SecretRotated`, `ProviderError`.
    public var reason: String?
    /// Human-readable detail. Must never carry secret values.
    public var message: String?
    /// `Normal` or `Warning`.
    public var type: EventType?
    /// How many times this event has occurred; repeats bump it instead of adding events.
    public var count: Int32?
    public var firstTimestamp: KubeTime?
    public var lastTimestamp: KubeTime?
    public var source: EventSource?
    /// When the event was first observed, to the microsecond (newer recorders).
    public var eventTime: KubeMicroTime?
    /// Set by recorders that group repeats into a series instead of bumping `count`.
    public var series: EventSeries?
    /// What was done or failed, e.g. `Rotate`, `Sync`.
    public var action: String?
    /// A second object involved, e.g. the Secret an ExternalSecret wrote.
    public var related: ObjectReference?
    /// The controller that emitted the event, e.g. `rotor.dev/controller`.
    public var reportingComponent: String?
    /// The emitting instance, e.g. the pod name.
    public var reportingInstance: String?
    public var unknownFields = UnknownFields()

    public init(
        metadata: ObjectMeta = ObjectMeta(), involvedObject: ObjectReference = ObjectReference(), reason: String? = nil,
        message: String? = nil, type: EventType? = nil, count: Int32? = nil, firstTimestamp: KubeTime? = nil,
        lastTimestamp: KubeTime? = nil, source: EventSource? = nil, eventTime: KubeMicroTime? = nil,
        series: EventSeries? = nil, action: String? = nil, related: ObjectReference? = nil,
        reportingComponent: String? = nil, reportingInstance: String? = nil
    ) {
        self.metadata = metadata
        self.involvedObject = involvedObject
        self.reason = reason
        self.message = message
        self.type = type
        self.count = count
        self.firstTimestamp = firstTimestamp
        self.lastTimestamp = lastTimestamp
        self.source = source
        self.eventTime = eventTime
        self.series = series
        self.action = action
        self.related = related
        self.reportingComponent = reportingComponent
        self.reportingInstance = reportingInstance
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case apiVersion, kind, metadata, involvedObject, reason, message, type, count, firstTimestamp, lastTimestamp
        case source, eventTime, series, action, related, reportingComponent, reportingInstance
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try c.decode(.metadata, or: ObjectMeta())
        involvedObject = try c.decode(.involvedObject, or: ObjectReference())
        reason = try c.decodeIfPresent(.reason)
        message = try c.decodeIfPresent(.message)
        type = try c.decodeIfPresent(.type)
        count = try c.decodeIfPresent(.count)
        firstTimestamp = try c.decodeIfPresent(.firstTimestamp)
        lastTimestamp = try c.decodeIfPresent(.lastTimestamp)
        source = try c.decodeIfPresent(.source)
        eventTime = try c.decodeIfPresent(.eventTime)
        series = try c.decodeIfPresent(.series)
        action = try c.decodeIfPresent(.action)
        related = try c.decodeIfPresent(.related)
        reportingComponent = try c.decodeIfPresent(.reportingComponent)
        reportingInstance = try c.decodeIfPresent(.reportingInstance)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.apiVersion, forKey: .apiVersion)
        try c.encode(Self.kind, forKey: .kind)
        try c.encode(metadata, forKey: .metadata)
        try c.encode(involvedObject, forKey: .involvedObject)
        try c.encodeIfPresent(reason, forKey: .reason)
        try c.encodeIfPresent(message, forKey: .message)
        try c.encodeIfPresent(type, forKey: .type)
        try c.encodeIfPresent(count, forKey: .count)
        try c.encodeIfPresent(firstTimestamp, forKey: .firstTimestamp)
        try c.encodeIfPresent(lastTimestamp, forKey: .lastTimestamp)
        try c.encodeIfPresent(source, forKey: .source)
        try c.encodeIfPresent(eventTime, forKey: .eventTime)
        try c.encodeIfPresent(series, forKey: .series)
        try c.encodeIfPresent(action, forKey: .action)
        try c.encodeIfPresent(related, forKey: .related)
        try c.encodeIfPresent(reportingComponent, forKey: .reportingComponent)
        try c.encodeIfPresent(reportingInstance, forKey: .reportingInstance)
    }
}

/// The severity of an event: `Normal` or `Warning`.
public struct EventType: RawRepresentable, Codable, Sendable, Hashable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }

    public static let normal: EventType = "Normal"
    /// Something went wrong or needs attention.
    public static let warning: EventType = "Warning"
}

/// The component (and host) that emitted a core event.
public struct EventSource: Codable, Sendable, Hashable {
    public var component: String?
    public var host: String?

    public init(component: String? = nil, host: String? = nil) {
        self.component = component
        self.host = host
    }
}

/// A run of repeated events, reported as one event with a count.
public struct EventSeries: Codable, Sendable, Hashable {
    /// Occurrences so far.
    public var count: Int32?
    public var lastObservedTime: KubeMicroTime?
    public var unknownFields = UnknownFields()

    public init(count: Int32? = nil, lastObservedTime: KubeMicroTime? = nil) {
        self.count = count
        self.lastObservedTime = lastObservedTime
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case count, lastObservedTime }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        count = try c.decodeIfPresent(.count)
        lastObservedTime = try c.decodeIfPresent(.lastObservedTime)
        unknownFields = try UnknownFields(from: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        try unknownFields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(count, forKey: .count)
        try c.encodeIfPresent(lastObservedTime, forKey: .lastObservedTime)
    }
}
