import Foundation
import KubeClient
import Logging
import RotorAPI

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
/// - Cancelling `run()` stops taking work and lets in-flight reconciles finish.
public struct Controller<Object: Sendable>: Sendable {
    public typealias Reconcile = @Sendable (ObjectKey, Object?) async throws -> ReconcileAction

    public let primary: Informer<Object>
    public let queue: WorkQueue<ObjectKey>
    public var workers: Int
    private let reconcile: Reconcile
    private let version: @Sendable (Object) -> String?
    private let generation: @Sendable (Object) -> Int64?
    private var sources: [@Sendable (WorkQueue<ObjectKey>) async throws -> Void] = []
    private let logger: Logger

    /// - Parameters:
    ///   - version: the object's resourceVersion (unchanged ⇒ nothing to do).
    ///   - generation: the object's `metadata.generation` (changed ⇒ high priority).
    public init(
        primary: Informer<Object>, queue: WorkQueue<ObjectKey>, workers: Int = 4,
        logger: Logger = Logger(label: "rotor.controller"),
        version: @escaping @Sendable (Object) -> String?, generation: @escaping @Sendable (Object) -> Int64?,
        reconcile: @escaping Reconcile
    ) {
        self.primary = primary
        self.queue = queue
        self.workers = max(1, workers)
        self.logger = logger
        self.version = version
        self.generation = generation
        self.reconcile = reconcile
    }

    /// Also reconciles the primary objects that `map` names whenever an object of
    /// `informer` changes (before and after the change, so a moved reference
    /// reconciles both sides).
    public mutating func watches<Other: Sendable>(_ informer: Informer<Other>, map: @escaping @Sendable (Other) -> [ObjectKey]) {
        sources.append { queue in
            try await informer.run { changes in
                var keys: [ObjectKey] = []
                for change in changes {
                    if let old = change.old { keys += map(old) }
                    if let new = change.new { keys += map(new) }
                }
                if !keys.isEmpty { await queue.add(contentsOf: keys, priority: .high) }
            }
        }
    }

    /// Runs informers and workers until cancelled.
    public func run() async throws {
        let queue = self.queue
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
                        case (let old?, let new?):
                            if version(old) != nil && version(old) == version(new) { continue }
                            let specChanged = generation(old) != generation(new)
                            await queue.add(change.key, priority: specChanged ? .high : .low)
                        case (nil, nil):
                            continue
                        }
                    }
                }
            }
            for source in sources { group.addTask { try await source(queue) } }
            // Workers run outside this task's cancellation: on cancel the queue is shut
            // down and each worker finishes the reconcile it is in.
            let workerPool = Task { await runWorkers() }
            group.addTask {
                await withTaskCancellationHandler {
                    await workerPool.value
                } onCancel: {
                    Task { await queue.shutDown() }
                }
            }
            try await group.next()
            group.cancelAll()
            try await group.waitForAll()
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
            let key = item.key
            let object = await primary.store.get(key)
            do {
                switch try await reconcile(key, object) {
                case .done:
                    await queue.forget(key)
                case .requeue(let delay):
                    await queue.forget(key)
                    await queue.add(key, after: delay, priority: .low)
                }
            } catch let error as TerminalError {
                logger.warning("reconcile failed; waiting for a change", metadata: ["key": "\(key)", "error": "\(error)"])
                await queue.forget(key)
            } catch {
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
        primary: Informer<Object>, queue: WorkQueue<ObjectKey>, workers: Int = 4,
        logger: Logger = Logger(label: "rotor.controller"), reconcile: @escaping Reconcile
    ) {
        self.init(
            primary: primary, queue: queue, workers: workers, logger: logger,
            version: { $0.metadata.resourceVersion }, generation: { $0.metadata.generation }, reconcile: reconcile)
    }
}
