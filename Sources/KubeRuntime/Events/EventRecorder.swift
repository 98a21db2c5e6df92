import Foundation
import KubeClient
import Logging
import JSONCore
import KubeAPI

/// Records core (`v1`) Events about objects, as `kubectl describe` shows them, like
/// client-go's legacy event recorder.
///
/// - Identical repeats — the same involved object (apiVersion, kind, namespace, name, uid,
///   fieldPath), type, reason and message — are aggregated: the existing Event's `count`
///   is incremented and its `lastTimestamp` updated with a merge patch instead of creating
///   a new object. Recent events are remembered in a bounded LRU cache (`cacheCapacity`
///   keys); a repeat of an event that fell out of the cache, or whose Event was deleted,
///   creates a new Event.
/// - Events are named like client-go's, `<object name>.<hex nanoseconds>` (by the injected
///   clock, strictly increasing per recorder), in the involved object's namespace
///   (`default` for cluster-scoped objects).
/// - Failures to record are logged, never thrown: an event is not worth failing a
///   reconcile for.
///
/// **Never put secret values in a reason or message.** Callers pass only object names,
/// keys and error codes (e.g. "synced key `password` from store `vault`"), never data. Messages
/// are truncated to 1024 bytes (at a character boundary), the limit the API server applies.
public actor EventRecorder {
    public struct Configuration: Sendable, Hashable {
        /// The controller emitting events, e.g. `example.com/widget-controller`: `reportingComponent`
        /// and `source.component`.
        public var reportingComponent: String
        /// This instance, e.g. the pod name: `reportingInstance`.
        public var reportingInstance: String
        /// `source.host`, e.g. the node name (optional).
        public var host: String?
        /// How many distinct recent events are remembered for aggregation.
        public var cacheCapacity: Int

        public init(reportingComponent: String, reportingInstance: String, host: String? = nil, cacheCapacity: Int = 4096) {
            self.reportingComponent = reportingComponent
            self.reportingInstance = reportingInstance
            self.host = host
            self.cacheCapacity = cacheCapacity
        }
    }

    /// The API server's limit on an event message, in UTF-8 bytes.
    public static let maximumMessageBytes = 1024

    public nonisolated let configuration: Configuration
    private let client: any KubernetesClient
    private let clock: any RuntimeClock
    private let logger: Logger
    private var cache: EventKeyCache<EventKey, CachedEvent>
    /// The write in progress per key, so that repeats of one event are applied in order.
    private var inFlight: [EventKey: Task<String?, Never>] = [:]
    private var lastNameNanos: UInt64 = 0

    public init(
        client: any KubernetesClient, configuration: Configuration, clock: any RuntimeClock = SystemClock(),
        logger: Logger = Logger(label: "kuberuntime.events")
    ) {
        self.client = client
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        self.cache = EventKeyCache(capacity: configuration.cacheCapacity)
    }

    /// Records an event about `object` and returns the name of the Event written (nil when
    /// recording failed; the failure is logged). `message` must not contain secret values.
    @discardableResult
    public func record(
        _ type: EventType, reason: String, message: String, about object: ObjectReference, action: String? = nil,
        related: ObjectReference? = nil
    ) async -> String? {
        let message = Self.truncate(message, toBytes: Self.maximumMessageBytes)
        let key = EventKey(object: object, type: type, reason: reason, message: message)
        let previous = inFlight[key]
        let task = Task<String?, Never> {
            _ = await previous?.value
            return await self.write(key: key, object: object, action: action, related: related)
        }
        inFlight[key] = task
        let name = await task.value
        if inFlight[key] == task { inFlight[key] = nil }
        return name
    }

    /// Records a `Normal` event.
    @discardableResult
    public func normal(reason: String, message: String, about object: ObjectReference, action: String? = nil) async -> String? {
        await record(.normal, reason: reason, message: message, about: object, action: action)
    }

    /// Records a `Warning` event.
    @discardableResult
    public func warning(reason: String, message: String, about object: ObjectReference, action: String? = nil) async -> String? {
        await record(.warning, reason: reason, message: message, about: object, action: action)
    }

    /// The longest prefix of `text` of at most `limit` UTF-8 bytes that ends at a character boundary.
    public static func truncate(_ text: String, toBytes limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        var bytes = 0
        var end = text.startIndex
        for index in text.indices {
            let next = text.index(after: index)
            let size = text.utf8.distance(from: index, to: next)
            if bytes + size > limit { break }
            bytes += size
            end = next
        }
        return String(text[..<end])
    }

    // MARK: - Writing

    private func write(key: EventKey, object: ObjectReference, action: String?, related: ObjectReference?) async -> String? {
        let now = clock.now()
        if let cached = cache.value(for: key) {
            let count = cached.count + 1
            let patch: JSONValue = [
                "count": .int(Int64(count)),
                "lastTimestamp": .string(KubeTime(now).rfc3339),
            ]
            do {
                _ = try await client.patch(
                    ResourceTypes.events, namespace: cached.namespace, name: cached.name, patch: .merge(patch))
                cache.set(CachedEvent(name: cached.name, namespace: cached.namespace, count: count), for: key)
                return cached.name
            } catch let error as KubeAPIError where error.kind == .notFound {
                // Deleted (events expire): start a new one.
                cache.removeValue(for: key)
            } catch {
                logger.warning(
                    "failed to update event", metadata: ["event": "\(cached.namespace)/\(cached.name)", "error": "\(error)"])
                return nil
            }
        }
        return await create(key: key, object: object, action: action, related: related, now: now)
    }

    private func create(key: EventKey, object: ObjectReference, action: String?, related: ObjectReference?, now: Date) async -> String? {
        let namespace = object.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        for _ in 0..<3 {
            let name = eventName(for: object, at: now)
            let event = Event(
                metadata: ObjectMeta(name: name, namespace: namespace), involvedObject: object, reason: key.reason,
                message: key.message, type: key.type, count: 1, firstTimestamp: KubeTime(now), lastTimestamp: KubeTime(now),
                source: EventSource(component: configuration.reportingComponent, host: configuration.host),
                action: action, related: related, reportingComponent: configuration.reportingComponent,
                reportingInstance: configuration.reportingInstance)
            do {
                try await client.createReturningReceipt(event, namespace: namespace)
                cache.set(CachedEvent(name: name, namespace: namespace, count: 1), for: key)
                return name
            } catch let error as KubeAPIError where error.kind == .alreadyExists {
                continue  // another recorder used the name: take the next one
            } catch {
                logger.warning(
                    "failed to record event",
                    metadata: [
                        "object": "\(object.kind ?? "")/\(namespace)/\(object.name ?? "")", "reason": "\(key.reason)",
                        "error": "\(error)",
                    ])
                return nil
            }
        }
        logger.warning("failed to record event: no free name", metadata: ["object": "\(object.name ?? "")"])
        return nil
    }

    /// `<object name>.<hex nanoseconds>`, strictly increasing per recorder (a manual clock, or
    /// two events in one nanosecond, would otherwise repeat a name).
    private func eventName(for object: ObjectReference, at now: Date) -> String {
        let seconds = max(0, now.timeIntervalSince1970)
        let nanos = UInt64(seconds * 1_000_000_000)
        lastNameNanos = max(nanos, lastNameNanos &+ 1)
        let suffix = "." + String(lastNameNanos, radix: 16)
        var base = object.name.flatMap { $0.isEmpty ? nil : $0 } ?? (object.kind ?? "object").lowercased()
        // Names are DNS subdomains of at most 253 characters.
        if base.utf8.count + suffix.utf8.count > 253 {
            base = String(base.utf8.prefix(253 - suffix.utf8.count)) ?? "object"
        }
        return base + suffix
    }
}

/// What makes two events "the same" for aggregation.
struct EventKey: Hashable, Sendable {
    var apiVersion: String?
    var kind: String?
    var namespace: String?
    var name: String?
    var uid: String?
    var fieldPath: String?
    var type: EventType
    var reason: String
    var message: String

    init(object: ObjectReference, type: EventType, reason: String, message: String) {
        apiVersion = object.apiVersion
        kind = object.kind
        namespace = object.namespace
        name = object.name
        uid = object.uid
        fieldPath = object.fieldPath
        self.type = type
        self.reason = reason
        self.message = message
    }
}

struct CachedEvent: Sendable {
    var name: String
    var namespace: String
    var count: Int32
}
