import Foundation
import KubeClient
import Logging
import Metrics
import NIOConcurrencyHelpers
import RotorAPI
import ServiceLifecycle

/// Runs a reconcile function over the objects of a primary informer, kube-rs style.
///
/// - Every change to a primary object enqueues its key: new objects and spec
///   (generation) changes with `.high` priority, other changes with `.low`; a relist
///   that finds an object unchanged enqueues nothing.
/// - Related informers (owned Secrets, the stores ExternalSecrets use, …) map their
///   changes back to primary keys with `.high` priority.
/// - One reconcile per key at a time, `workers` keys in parallel.
/// - `.done` forgets the key's backoff; `.requeue(after:)` schedules a `.low` refresh;
///   a thrown error retries with per-key exponential backoff, except a
///   `TerminalError`, which waits for the object to change.
/// - Cancelling `run()`, or a graceful shutdown of the `ServiceGroup` it runs in
///   (SIGTERM), stops taking work and lets in-flight reconciles finish.
public struct Controller<Object: Sendable>: Service {
    public typealias Reconcile = @Sendable (ObjectKey, Object?) async throws -> ReconcileAction

    public let primary: Informer<Object>
    public let queue: WorkQueue<ObjectKey>
    public var workers: Int
    private let reconcile: Reconcile
    private let version: @Sendable (Object) -> String?
    private let generation: @Sendable (Object) -> Int64?
    private var sources: [@Sendable (WorkQueue<ObjectKey>) async throws -> Void] = []
    private let logger: Logger
    private let metrics: ControllerMetrics
    /// Set synchronously when shutdown begins, so no worker starts another reconcile
    /// while the queue's own shutdown is still on its way.
    private let stopping = NIOLockedValueBox(false)

    /// - Parameters:
    ///   - name: names the controller in logs and metric labels.
    ///   - version: the object's resourceVersion (unchanged ⇒ nothing to do).
    ///   - generation: the object's `metadata.generation` (changed ⇒ high priority).
    public init(
        name: String = "controller", primary: Informer<Object>, queue: WorkQueue<ObjectKey>, workers: Int = 4,
        logger: Logger = Logger(label: "rotor.controller"), metricsFactory: any MetricsFactory = MetricsSystem.factory,
        version: @escaping @Sendable (Object) -> String?, generation: @escaping @Sendable (Object) -> Int64?,
        reconcile: @escaping Reconcile
    ) {
        self.primary = primary
        self.queue = queue
        self.workers = max(1, workers)
        var logger = logger
        logger[metadataKey: "controller"] = "\(name)"
        self.logger = logger
        self.metrics = ControllerMetrics(controller: name, factory: metricsFactory)
        self.version = version
        self.generation = generation
        self.reconcile = reconcile
    }

    /// Also reconciles the primary objects that `map` names whenever an object of
    /// `informer` changes (before and after the change, so a moved reference
    /// reconciles both sides).
    public mutating func watches<Other: Sendable>(_ informer: Informer<Other>, map: @escaping @Sendable (Other) -> [ObjectKey]) {
        let metrics = self.metrics
        sources.append { queue in
            try await informer.run { changes in
                var keys: [ObjectKey] = []
                for change in changes {
                    if let old = change.old { keys += map(old) }
                    if let new = change.new { keys += map(new) }
                }
                if !keys.isEmpty {
                    await queue.add(contentsOf: keys, priority: .high)
                    metrics.adds.increment(by: keys.count)
                }
            }
        }
    }

    /// True once a graceful shutdown or cancellation began: no new reconcile starts.
    public var isShuttingDown: Bool { stopping.withLockedValue { $0 } }

    /// Runs informers and workers until cancelled or gracefully shut down.
    public func run() async throws {
        let queue = self.queue
        try await withGracefulShutdownHandler {
            try await runInformersAndWorkers()
        } onGracefulShutdown: { [stopping] in
            stopping.withLockedValue { $0 = true }
            Task { await queue.shutDown() }
        }
    }

    private func runInformersAndWorkers() async throws {
        let queue = self.queue
        let metrics = self.metrics
        let primary = self.primary
        let version = self.version
        let generation = self.generation
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await primary.run { changes in
                    for change in changes {
                        switch (change.old, change.new) {
                        case (nil, _?), (_?, nil):
                            await queue.add(change.key, priority: .high)
                            metrics.adds.increment()
                        case (let old?, let new?):
                            if version(old) != nil && version(old) == version(new) { continue }
                            let specChanged = generation(old) != generation(new)
                            await queue.add(change.key, priority: specChanged ? .high : .low)
                            metrics.adds.increment()
                        case (nil, nil):
                            continue
                        }
                    }
                }
            }
            for source in sources { group.addTask { try await source(queue) } }
            // Workers run outside this task's cancellation: on cancel the queue is shut
            // down and each worker finishes the reconcile it is in. When the workers are
            // done (queue shut down), everything else stops too.
            let workerPool = Task { await runWorkers() }
            group.addTask {
                await withTaskCancellationHandler {
                    await workerPool.value
                } onCancel: { [stopping] in
                    stopping.withLockedValue { $0 = true }
                    Task { await queue.shutDown() }
                }
                throw CancellationError()
            }
            _ = try? await group.next()
            group.cancelAll()
            while !group.isEmpty { _ = try? await group.next() }
        }
    }

    private func runWorkers() async {
        await primary.store.waitUntilSynced()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<workers {
                group.addTask { await worker() }
            }
        }
    }

    private func worker() async {
        while let item = await queue.next() {
            if stopping.withLockedValue({ $0 }) {
                await queue.done(item.key)
                return
            }
            metrics.queueDepth.record(await queue.depth)
            let key = item.key
            let object = await primary.store.get(key)
            let started = ContinuousClock.now
            defer { metrics.reconcileDuration.recordSeconds(started.duration(to: .now).timeInterval) }
            metrics.reconciles.increment()
            do {
                switch try await reconcile(key, object) {
                case .done:
                    await queue.forget(key)
                case .requeue(let delay):
                    await queue.forget(key)
                    await queue.add(key, after: delay, priority: .low)
                }
            } catch let error as TerminalError {
                metrics.reconcileErrors.increment()
                logger.warning("reconcile failed; waiting for a change", metadata: ["key": "\(key)", "error": "\(error)"])
                await queue.forget(key)
            } catch {
                metrics.reconcileErrors.increment()
                metrics.retries.increment()
                let delay = await queue.addRateLimited(key, priority: item.priority)
                logger.info("reconcile failed; retrying", metadata: ["key": "\(key)", "error": "\(error)", "retryIn": "\(delay)"])
            }
            await queue.done(key)
        }
    }
}

extension Controller where Object: KubernetesResource {
    /// A controller over typed objects: versions and generations come from their metadata.
    public init(
        name: String = "controller", primary: Informer<Object>, queue: WorkQueue<ObjectKey>, workers: Int = 4,
        logger: Logger = Logger(label: "rotor.controller"), metricsFactory: any MetricsFactory = MetricsSystem.factory,
        reconcile: @escaping Reconcile
    ) {
        self.init(
            name: name, primary: primary, queue: queue, workers: workers, logger: logger, metricsFactory: metricsFactory,
            version: { $0.metadata.resourceVersion }, generation: { $0.metadata.generation }, reconcile: reconcile)
    }
}
