import Foundation
import KubeClient
import Logging
import Metrics
import NIOConcurrencyHelpers
import KubeAPI
import ServiceLifecycle

/// Runs a reconcile function over the objects of a primary informer, kube-rs style.
///
/// - Every change to a primary object enqueues its key: new objects, deletions, spec
///   (generation) changes and changes the `urgent` hook flags (e.g. a "sync now"
///   annotation) with `.high` priority, other changes with `.low` (status-only changes
///   not at all, if asked: `ignoresStatusOnlyChanges`); a relist that finds
///   an object unchanged (same resourceVersion) enqueues nothing. An object first seen
///   in a (re)list that `settled` says needs nothing new (e.g. already synced before a
///   restart) goes in at `.low`, so work that is new never waits behind re-verifications.
/// - Related informers (owned Secrets, the stores ExternalSecrets use, …) map their
///   changes back to primary keys with `.high` priority; their first list and unchanged
///   objects of a relist enqueue nothing. Workers start once the primary and every related store synced.
/// - One reconcile per key at a time, `workers` keys in parallel.
/// - `.done` forgets the key's backoff; `.requeue(after:)` schedules a `.low` refresh;
///   a thrown error retries with per-key exponential backoff, except a
///   `TerminalError`, which waits for the object to change. A write refused with
///   `409 Conflict` means the cached object was stale: the key is also retried as soon as
///   a newer version of it reaches the cache, even one `needsReconcile` would skip (its
///   own status write echoed late, say), rather than only after the backoff.
/// - Cancelling `run()`, or a graceful shutdown of the `ServiceGroup` it runs in
///   (SIGTERM), stops taking work and lets in-flight reconciles finish, for at most
///   `shutdownGracePeriod`; then they are cancelled (reconciles must honour
///   cancellation). A controller runs once: its queue is shut down afterwards.
public struct Controller<Object: Sendable>: Service {
    public typealias Reconcile = @Sendable (ObjectKey, Object?) async throws -> ReconcileAction

    public let primary: Informer<Object>
    public let queue: WorkQueue<ObjectKey>
    public var workers: Int
    private let reconcile: Reconcile
    private let version: @Sendable (Object) -> String?
    private let generation: @Sendable (Object) -> Int64?
    private let urgent: @Sendable (Object, Object) -> Bool
    private let settled: @Sendable (Object) -> Bool
    private let needsReconcile: @Sendable (Object, Object) -> Bool
    private var sources: [@Sendable (WorkQueue<ObjectKey>) async throws -> Void] = []
    private var relatedSyncs: [@Sendable () async -> Bool] = []
    private var relatedSynced: [@Sendable () async -> Bool] = []
    /// How long in-flight reconciles may run on after a stop before they are cancelled.
    /// Under leader election a lost Lease is such a stop, so this is the workers' grace of
    /// ``LeaderElectionConfiguration/workerGrace`` (2 s), which the election's timings leave
    /// room for: keep it there, or below `leaseDuration − renewDeadline` minus the margin
    /// for clock rate differences, so a replica that lost its Lease stops writing before
    /// another can take over.
    public var shutdownGracePeriod: Duration = LeaderElectionConfiguration.workerGrace
    private let logger: Logger
    private let metrics: ControllerMetrics
    /// Set synchronously when shutdown begins, so no worker starts another reconcile
    /// while the queue's own shutdown is still on its way.
    private let stopping = StopSignal()
    /// Keys whose last reconcile hit `409 Conflict`: the next version of the object seen
    /// in the cache queues them whatever changed.
    private let awaitingNewerVersion = NIOLockedValueBox<Set<ObjectKey>>([])

    /// - Parameters:
    ///   - name: names the controller in logs and metric labels.
    ///   - logger: the controller's logger (the caller picks its label).
    ///   - metricPrefix: the controller's metrics are `<prefix>_queue_depth`,
    ///     `<prefix>_reconcile_total`, … (see ``MetricPrefix``).
    ///   - version: the object's resourceVersion (unchanged ⇒ nothing to do).
    ///   - generation: the object's `metadata.generation` (changed ⇒ high priority).
    ///   - settled: an object first seen that only needs a periodic check (e.g. its status
    ///     shows the current generation converged): queued `.low` instead of `.high`.
    ///   - urgent: other changes (old, new) that must jump the queue, e.g. a new value
    ///     of a "sync now" annotation.
    ///   - needsReconcile: whether a change (old, new) of a primary object needs a reconcile
    ///     at all; e.g. not a status-only change, which is the reconciler's own write.
    public init(
        name: String = "controller", primary: Informer<Object>, queue: WorkQueue<ObjectKey>, workers: Int = 4,
        logger: Logger = Logger(label: "kuberuntime.controller"), metricsFactory: any MetricsFactory = MetricsSystem.factory,
        metricPrefix: MetricPrefix = .kubeRuntime,
        version: @escaping @Sendable (Object) -> String?, generation: @escaping @Sendable (Object) -> Int64?,
        urgent: @escaping @Sendable (Object, Object) -> Bool = { _, _ in false },
        settled: @escaping @Sendable (Object) -> Bool = { _ in false },
        needsReconcile: @escaping @Sendable (Object, Object) -> Bool = { _, _ in true },
        reconcile: @escaping Reconcile
    ) {
        self.urgent = urgent
        self.settled = settled
        self.needsReconcile = needsReconcile
        self.primary = primary
        self.queue = queue
        self.workers = max(1, workers)
        var logger = logger
        logger[metadataKey: "controller"] = "\(name)"
        self.logger = logger
        self.metrics = ControllerMetrics(controller: name, prefix: metricPrefix, factory: metricsFactory)
        self.version = version
        self.generation = generation
        self.reconcile = reconcile
    }

    /// Also reconciles the primary objects that `map` names (it may ask an informer's
    /// store, e.g. "which ExternalSecrets use this store") whenever an object of
    /// `informer` changes (before and after the change, so a moved reference
    /// reconciles both sides). With `version`, a relist's unchanged objects are skipped;
    /// with `ignoring`, changes whose new object it flags (e.g. the echo of the
    /// controller's own write, see ``OwnWrites``) are skipped too.
    public mutating func watches<Other: Sendable>(
        _ informer: Informer<Other>, version: (@Sendable (Other) -> String?)? = nil,
        ignoring: (@Sendable (Other) async -> Bool)? = nil,
        map: @escaping @Sendable (Other) async -> [ObjectKey]
    ) {
        let metrics = self.metrics
        relatedSyncs.append {
            await informer.store.waitUntilSynced()
            return await informer.store.hasSynced
        }
        relatedSynced.append { await informer.store.hasSynced }
        sources.append { queue in
            try await informer.run { changes in
                var keys: [ObjectKey] = []
                for change in changes {
                    // The primary's own first list queues every primary object, and no
                    // reconcile starts before this cache synced: its first list adds nothing
                    // (and must not lift settled objects to `.high`).
                    if change.isInitialList { continue }
                    if let version, let old = change.old, let new = change.new, let v = version(old), v == version(new) {
                        continue
                    }
                    if let ignoring, let new = change.new, await ignoring(new) { continue }
                    if let old = change.old { keys += await map(old) }
                    if let new = change.new { keys += await map(new) }
                }
                if !keys.isEmpty {
                    await queue.add(contentsOf: keys, priority: .high)
                    metrics.adds.increment(by: keys.count)
                }
            }
        }
    }

    /// Whether the primary cache and every related one have synced (readiness).
    public func hasSynced() async -> Bool {
        guard await primary.store.hasSynced else { return false }
        for synced in relatedSynced where !(await synced()) { return false }
        return true
    }

    /// True once a graceful shutdown or cancellation began: no new reconcile starts.
    public var isShuttingDown: Bool { stopping.isStopped }

    /// Runs informers and workers until cancelled or gracefully shut down.
    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await runInformersAndWorkers()
        } onGracefulShutdown: { [stopping] in
            stopping.stop()
        }
    }

    private func runInformersAndWorkers() async throws {
        let queue = self.queue
        let metrics = self.metrics
        let primary = self.primary
        let version = self.version
        let generation = self.generation
        let urgent = self.urgent
        let settled = self.settled
        let needsReconcile = self.needsReconcile
        let awaitingNewerVersion = self.awaitingNewerVersion
        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await primary.run { changes in
                    for change in changes {
                        switch (change.old, change.new) {
                        case (nil, let new?):
                            await queue.add(change.key, priority: settled(new) ? .low : .high)
                            metrics.adds.increment()
                        case (_?, nil):
                            await queue.add(change.key, priority: .high)
                            metrics.adds.increment()
                        case (let old?, let new?):
                            if version(old) != nil && version(old) == version(new) { continue }
                            let stale = awaitingNewerVersion.withLockedValue { $0.remove(change.key) != nil }
                            guard stale || needsReconcile(old, new) else { continue }
                            let high = generation(old) != generation(new) || urgent(old, new)
                            await queue.add(change.key, priority: high ? .high : .low)
                            metrics.adds.increment()
                        case (nil, nil):
                            continue
                        }
                    }
                }
            }
            for source in sources { group.addTask { try await source(queue) } }
            // Workers run outside this task's cancellation: on stop the queue is shut down
            // and each worker finishes the reconcile it is in, within the grace period.
            // When the workers are done, everything else stops too.
            let workerPool = Task { await runWorkers() }
            let grace = shutdownGracePeriod
            stopping.onStop {
                Task { await queue.shutDown() }
                Task {
                    try? await Task.sleep(for: grace)
                    workerPool.cancel()
                }
            }
            group.addTask { [stopping] in
                await withTaskCancellationHandler {
                    await workerPool.value
                } onCancel: {
                    stopping.stop()
                }
                throw CancellationError()
            }
            _ = try? await group.next()
            group.cancelAll()
            while !group.isEmpty { _ = try? await group.next() }
        }
    }

    /// Waits for the caches to sync (or a stop), then runs the workers.
    private func runWorkers() async {
        let syncs = [{ await primary.store.waitUntilSynced(); return await primary.store.hasSynced }] + relatedSyncs
        let waiting = Task {
            for sync in syncs where !(await sync()) { return false }
            return true
        }
        stopping.onStop { waiting.cancel() }
        guard await waiting.value, !stopping.isStopped else { return }
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<workers {
                group.addTask { await worker() }
            }
        }
    }

    private func worker() async {
        while let item = await queue.next() {
            if stopping.isStopped {
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
                defer { awaitingNewerVersion.withLockedValue { _ = $0.remove(key) } }
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
                if let apiError = error as? KubeAPIError, apiError.kind == .conflict {
                    awaitingNewerVersion.withLockedValue { _ = $0.insert(key) }
                    // The newer version may have reached the cache during the reconcile.
                    if let object, let current = await primary.store.get(key), version(current) != version(object) {
                        awaitingNewerVersion.withLockedValue { _ = $0.remove(key) }
                        await queue.add(key, priority: item.priority)
                    }
                }
                let delay = await queue.addRateLimited(key, priority: item.priority)
                logger.info("reconcile failed; retrying", metadata: ["key": "\(key)", "error": "\(error)", "retryIn": "\(delay)"])
            }
            await queue.done(key)
        }
    }
}

extension Controller {
    /// `watches(_:version:ignoring:map:)` for typed objects: unchanged resourceVersions are skipped.
    public mutating func watches<Other: KubernetesResource>(
        _ informer: Informer<Other>, ignoring: (@Sendable (Other) async -> Bool)? = nil, map: @escaping @Sendable (Other) async -> [ObjectKey]
    ) {
        watches(informer, version: { $0.metadata.resourceVersion }, ignoring: ignoring, map: map)
    }
}

extension Controller where Object: KubernetesResource {
    /// A controller over typed objects: versions and generations come from their metadata.
    public init(
        name: String = "controller", primary: Informer<Object>, queue: WorkQueue<ObjectKey>, workers: Int = 4,
        logger: Logger = Logger(label: "kuberuntime.controller"), metricsFactory: any MetricsFactory = MetricsSystem.factory,
        metricPrefix: MetricPrefix = .kubeRuntime,
        urgent: @escaping @Sendable (Object, Object) -> Bool = { _, _ in false },
        settled: @escaping @Sendable (Object) -> Bool = { _ in false },
        ignoresStatusOnlyChanges: Bool = false,
        reconcile: @escaping Reconcile
    ) {
        let needsReconcile: @Sendable (Object, Object) -> Bool = { old, new in
            !ignoresStatusOnlyChanges || !Self.isStatusOnlyChange(old: old, new: new)
        }
        self.init(
            name: name, primary: primary, queue: queue, workers: workers, logger: logger, metricsFactory: metricsFactory,
            metricPrefix: metricPrefix, version: { $0.metadata.resourceVersion }, generation: { $0.metadata.generation }, urgent: urgent, settled: settled,
            needsReconcile: needsReconcile, reconcile: reconcile)
    }

    /// Only the status changed: same generation (the spec), same metadata apart from
    /// `resourceVersion` and `managedFields`. A controller's own status write is one, and
    /// reconciling it again would only find nothing to do (controller-runtime's
    /// `GenerationChangedPredicate`, which also lets label and annotation changes through).
    public static func isStatusOnlyChange(old: Object, new: Object) -> Bool {
        guard old.metadata.generation == new.metadata.generation else { return false }
        var before = old.metadata
        var after = new.metadata
        before.resourceVersion = nil
        after.resourceVersion = nil
        before.managedFields = nil
        after.managedFields = nil
        return before == after
    }
}
