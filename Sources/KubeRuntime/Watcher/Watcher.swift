import Foundation
import KubeClient
import Logging
import Metrics
import JSONCore
import KubeAPI

/// Which namespaces a watcher covers.
public enum NamespaceScope: Sendable, Hashable {
    case all
    case one(String)
    /// Several namespaces: one list+watch per namespace, merged.
    case set(Set<String>)
}

/// What a watcher reports, in order, for a resource type.
public enum WatcherEvent<Object: Sendable>: Sendable {
    /// An object was created or changed.
    case applied(Object)
    /// An object is gone (its last known state).
    case deleted(Object)
    /// A (re)list finished: `objects` is the complete current set of `namespace`
    /// (all namespaces when nil). Anything not in it is gone.
    case restarted([Object], namespace: String?)
    /// An object changed into something `decode` rejects (e.g. a spec the types refuse):
    /// whatever was known of it is stale and must be dropped, not kept.
    case undecodable(ObjectKey)
}

/// How a watcher lists, watches and recovers.
public struct WatcherConfiguration: Sendable {
    public var scope: NamespaceScope = .all
    public var labelSelector: String?
    public var fieldSelector: String?
    /// Page size of (re)lists; bounded pages keep the API server and our memory flat.
    public var pageSize: Int = 500
    /// Server-side timeout of each watch request; the watcher then resumes from its resourceVersion.
    public var watchTimeoutSeconds: Int = 290
    /// First delay after an error; doubles up to `maximumBackoff`, with ±20 % jitter.
    public var initialBackoff: Duration = .milliseconds(200)
    public var maximumBackoff: Duration = .seconds(30)
    /// Most events buffered between the watch and its consumer. When the buffer is full
    /// the watcher stops reading the watch (backpressure: the HTTP body waits in the
    /// socket, then on the server) until the consumer takes an event; none is dropped.
    public var bufferLimit: Int = 64

    public init(scope: NamespaceScope = .all, labelSelector: String? = nil, fieldSelector: String? = nil) {
        self.scope = scope
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
    }
}

/// Lists, then watches from the list's resourceVersion, for as long as it is iterated.
///
/// - Bookmarks advance the resourceVersion, so a resumed watch does not fall behind.
/// - A watch that ends (server timeout, dropped connection) resumes from the last
///   resourceVersion seen: no change is missed or repeated.
/// - `410 Gone` (the resourceVersion was compacted away) relists and reports
///   `.restarted` with the complete current set.
/// - Other errors back off (capped exponential with jitter) and retry.
/// - At most ``WatcherConfiguration/bufferLimit`` events wait for the consumer; past that
///   the watcher waits too, so a slow consumer bounds memory instead of a growing queue.
public struct Watcher<Object: Sendable>: AsyncSequence, Sendable {
    public typealias Element = WatcherEvent<Object>

    let client: any KubernetesClient
    let resource: ResourceType
    let configuration: WatcherConfiguration
    let clock: any RuntimeClock
    let decode: @Sendable (JSONValue) throws -> Object
    let logger: Logger
    /// `<prefix>_watch_restarts_total{resource, reason}`: reason `resume` (the server ended a
    /// watch), `relist` (410 Gone) or `error` (a failed request, retried after backoff).
    let restarts: [String: Counter]

    /// - Parameters:
    ///   - metricPrefix: names the restart counter `<prefix>_watch_restarts_total`.
    ///   - decode: turns each object into what the caller keeps (a typed object or a
    ///     small projection); an object it cannot decode is skipped with a warning.
    public init(
        client: any KubernetesClient, resource: ResourceType, configuration: WatcherConfiguration = WatcherConfiguration(),
        clock: any RuntimeClock = SystemClock(), logger: Logger = Logger(label: "kuberuntime.watcher"),
        metricsFactory: any MetricsFactory = MetricsSystem.factory, metricPrefix: MetricPrefix = .kubeRuntime,
        decode: @escaping @Sendable (JSONValue) throws -> Object
    ) {
        let restartsName = metricPrefix.name("watch_restarts_total")
        self.restarts = Dictionary(uniqueKeysWithValues: ["resume", "relist", "error"].map { reason in
            (reason, Counter(label: restartsName, dimensions: [("resource", resource.description), ("reason", reason)], factory: metricsFactory))
        })
        self.client = client
        self.resource = resource
        self.configuration = configuration
        self.clock = clock
        self.decode = decode
        self.logger = logger
    }

    /// Hands out the watcher's events; each one taken frees a place in the buffer.
    public struct Iterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<Element, any Error>.AsyncIterator
        let slots: BufferSlots

        public mutating func next() async throws -> Element? {
            let event = try await base.next()
            if event != nil { slots.release() }
            return event
        }

        /// Events buffered now, and the most ever buffered (for tests and metrics).
        public var buffered: (now: Int, peak: Int) { slots.usage }
    }

    public func makeAsyncIterator() -> Iterator {
        let (stream, raw) = AsyncThrowingStream<Element, any Error>.makeStream()
        let slots = BufferSlots(limit: configuration.bufferLimit)
        let continuation = Sink(continuation: raw, slots: slots)
        let namespaces: [String?]
        switch configuration.scope {
        case .all: namespaces = [nil]
        case .one(let ns): namespaces = [ns]
        case .set(let set): namespaces = set.sorted()
        }
        let task = Task { [self] in
            await withTaskGroup(of: Void.self) { group in
                for namespace in namespaces {
                    group.addTask { await self.run(namespace: namespace, into: continuation) }
                }
            }
            continuation.finish()
        }
        raw.onTermination = { _ in
            task.cancel()
            slots.close()
        }
        return Iterator(base: stream.makeAsyncIterator(), slots: slots)
    }

    /// The producing side: each event waits for a free place in the buffer first.
    struct Sink: Sendable {
        let continuation: AsyncThrowingStream<Element, any Error>.Continuation
        let slots: BufferSlots

        func yield(_ event: Element) async throws {
            try await slots.acquire()
            continuation.yield(event)
        }

        func finish() { continuation.finish() }
    }

    /// The list+watch loop for one namespace (or all), until cancelled.
    private func run(namespace: String?, into sink: Sink) async {
        var resourceVersion: String?
        var failures = 0
        while !Task.isCancelled {
            do {
                if resourceVersion == nil {
                    let (objects, listVersion) = try await list(namespace: namespace)
                    try await sink.yield(.restarted(objects, namespace: namespace))
                    resourceVersion = listVersion
                }
                let opened = clock.now()
                var sawEvent = false
                let stream = try await client.watch(
                    resource, namespace: namespace,
                    options: WatchOptions(
                        resourceVersion: resourceVersion, allowWatchBookmarks: true,
                        timeoutSeconds: configuration.watchTimeoutSeconds, labelSelector: configuration.labelSelector,
                        fieldSelector: configuration.fieldSelector))
                for try await event in stream {
                    failures = 0
                    sawEvent = true
                    if let version = event.object[path: ["metadata", "resourceVersion"]]?.stringValue { resourceVersion = version }
                    switch event.type {
                    case .added, .modified:
                        if let object = decoded(event.object) {
                            try await sink.yield(.applied(object))
                        } else if let key = ObjectKey(of: event.object) {
                            try await sink.yield(.undecodable(key))
                        }
                    case .deleted:
                        if let object = decoded(event.object) {
                            try await sink.yield(.deleted(object))
                        } else if let key = ObjectKey(of: event.object) {
                            try await sink.yield(.undecodable(key))
                        }
                    case .bookmark, .error:
                        break
                    }
                }
                // The server ended the watch (timeout or a dropped connection): resume, but
                // back off when watches keep ending at once with nothing in them (a server
                // shutting down, a proxy closing streams), instead of spinning on the API.
                restarts["resume"]?.increment()
                if !sawEvent && clock.now().timeIntervalSince(opened) < 1 {
                    failures += 1
                    do { try await clock.sleep(for: backoff(after: failures)) } catch { return }
                }
            } catch let error as KubeAPIError where error.kind == .gone {
                restarts["relist"]?.increment()
                logger.info("resourceVersion expired; relisting", metadata: ["resource": "\(resource)"])
                // A relist right after another one (410 again) waits, so repeated 410s cannot spin.
                if resourceVersion == nil {
                    failures += 1
                    do { try await clock.sleep(for: backoff(after: failures)) } catch { return }
                }
                resourceVersion = nil
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                restarts["error"]?.increment()
                failures += 1
                let delay = backoff(after: failures)
                logger.warning("watch failed; retrying", metadata: ["resource": "\(resource)", "error": "\(error)", "retryIn": "\(delay)"])
                do { try await clock.sleep(for: delay) } catch { return }
            }
        }
    }

    private func list(namespace: String?) async throws -> ([Object], String?) {
        var objects: [Object] = []
        var token: String?
        var version: String?
        var pageSize = configuration.pageSize
        while true {
            let page: JSONValue
            do {
                page = try await client.list(
                    resource, namespace: namespace,
                    options: ListOptions(
                        labelSelector: configuration.labelSelector, fieldSelector: configuration.fieldSelector,
                        limit: pageSize, continue: token))
            } catch let error as KubeAPIError where pageSize > 1 && error.message.contains("response larger than") {
                // A page over the client's body limit (large Secrets): ask again for smaller pages.
                pageSize = Swift.max(1, pageSize / 4)
                logger.info("list page too large; asking for smaller pages", metadata: ["resource": "\(resource)", "pageSize": "\(pageSize)"])
                continue
            }
            for item in page["items"]?.arrayValue ?? [] {
                if let object = decoded(item) { objects.append(object) }
            }
            token = page[path: ["metadata", "continue"]]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
            // A paginated list is consistent at the first page's resourceVersion.
            version = version ?? page[path: ["metadata", "resourceVersion"]]?.stringValue
            if token == nil { return (objects, version) }
        }
    }

    private func decoded(_ json: JSONValue) -> Object? {
        do {
            return try decode(json)
        } catch {
            let name = json[path: ["metadata", "name"]]?.stringValue ?? "?"
            logger.warning("skipping an object that does not decode", metadata: ["resource": "\(resource)", "name": "\(name)", "error": "\(type(of: error))"])
            return nil
        }
    }

    func backoff(after failures: Int) -> Duration {
        let exponent = Swift.min(failures - 1, 30)
        let base = configuration.initialBackoff.timeInterval * pow(2, Double(exponent))
        let capped = Swift.min(base, configuration.maximumBackoff.timeInterval)
        return .seconds(capped * Double.random(in: 0.8...1.2))
    }
}
