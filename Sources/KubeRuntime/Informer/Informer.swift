import Foundation
import KubeClient
import Logging
import Metrics
import JSONCore
import KubeAPI

/// A watcher feeding a store: the cache a controller reads, kept current for as
/// long as `run` runs, with a hook to hear of each change after it is stored.
public final class Informer<Object: Sendable>: Sendable {
    public let store: Store<Object>
    public let resource: ResourceType
    private let watcher: Watcher<Object>

    /// - Parameters:
    ///   - project: what to keep of each object (a typed object, or a small projection).
    ///   - key: the key of a kept object.
    ///   - metricPrefix: names its watcher's metrics (see ``Watcher``).
    public init(
        client: any KubernetesClient, resource: ResourceType, configuration: WatcherConfiguration = WatcherConfiguration(),
        clock: any RuntimeClock = SystemClock(), logger: Logger = Logger(label: "kuberuntime.informer"),
        metricsFactory: any MetricsFactory = MetricsSystem.factory, metricPrefix: MetricPrefix = .kubeRuntime, indexes: [String: Store<Object>.IndexFunction] = [:],
        key: @escaping @Sendable (Object) -> ObjectKey, project: @escaping @Sendable (JSONValue) throws -> Object
    ) {
        self.resource = resource
        let namespaces: Set<String?>
        switch configuration.scope {
        case .all: namespaces = [nil]
        case .one(let ns): namespaces = [ns]
        case .set(let set): namespaces = Set(set.map(Optional.some))
        }
        store = Store(key: key, expectedNamespaces: namespaces, indexes: indexes)
        watcher = Watcher(
            client: client, resource: resource, configuration: configuration, clock: clock, logger: logger,
            metricsFactory: metricsFactory, metricPrefix: metricPrefix, decode: project)
    }

    /// Keeps the store current until cancelled; `onChange` hears every change once stored.
    public func run(onChange: @Sendable ([StoreChange<Object>]) async -> Void = { _ in }) async throws {
        for try await event in watcher {
            let changes = await store.apply(event)
            await onChange(changes)
        }
    }
}

extension Informer where Object: KubernetesResource {
    /// An informer that keeps whole typed objects — without `metadata.managedFields`, which
    /// a real API server sends with every object (often the larger part of its metadata) and
    /// which no controller reading a cache needs (as controller-runtime's
    /// `TransformStripManagedFields`). An update built from a cached object leaves the field
    /// out, and the API server then keeps the object's own.
    public convenience init(
        client: any KubernetesClient, configuration: WatcherConfiguration = WatcherConfiguration(),
        clock: any RuntimeClock = SystemClock(), logger: Logger = Logger(label: "kuberuntime.informer"),
        metricsFactory: any MetricsFactory = MetricsSystem.factory, metricPrefix: MetricPrefix = .kubeRuntime, indexes: [String: Store<Object>.IndexFunction] = [:]
    ) {
        self.init(
            client: client, resource: Object.resourceType, configuration: configuration, clock: clock, logger: logger,
            metricsFactory: metricsFactory, metricPrefix: metricPrefix, indexes: indexes, key: { ObjectKey(of: $0) },
            project: { json in
                var object = try json.decode(as: Object.self)
                object.metadata.managedFields = nil
                return object
            })
    }
}
