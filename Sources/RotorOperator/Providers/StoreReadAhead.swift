import Foundation
import KubeRuntime
import Logging
import RotorAPI
import SecretProviders

/// Reads ahead, for each store whose provider reads in batches, the remote secrets of the
/// store's ExternalSecrets that come due soon (``ReadAheadPlanner``), into the store's
/// shared ``CoalescingReader``: their reconciles then find them there, and the provider
/// sees full batches (AWS: one `BatchGetSecretValue` per 20 keys) instead of the few keys
/// a handful of workers happen to read at the same moment.
///
/// A reconcile about to read calls ``prime(_:reader:now:)``; at most one look per store
/// per ``Configuration/scanInterval`` goes through the next keys of the work queue (one
/// look at the queue serves all stores) and the store's ExternalSecrets (from the
/// informer's cache, by the store index), so the cost stays a scan per second per store
/// however many reconciles run. Providers that read one secret per call (Vault) gain
/// nothing from it and are left alone.
public actor StoreReadAhead {
    /// The ready ExternalSecrets the work queue hands out next, grouped by store.
    private struct QueueSnapshot {
        var taken: Date
        /// The whole ready queue was seen (it is shorter than the look).
        var seenWhole: Bool
        var byStore: [String: [ReadAheadPlanner.Queued]]
    }

    public struct Configuration: Sendable, Hashable {
        /// How far ahead to look. Secrets read ahead must still be cached when their
        /// ExternalSecrets are reconciled: never more than a third of the cache's TTL.
        public var horizon: Duration
        /// The least time between two looks at one store.
        public var scanInterval: Duration
        /// Most secrets read ahead in one look, and most queued keys looked at.
        public var maxReadsPerScan: Int
        /// The reconcile rate assumed before one was measured.
        public var initialReconcilesPerSecond: Double

        public init(
            horizon: Duration = .seconds(10), scanInterval: Duration = .seconds(1), maxReadsPerScan: Int = 2_000,
            initialReconcilesPerSecond: Double = 20
        ) {
            self.horizon = horizon
            self.scanInterval = scanInterval
            self.maxReadsPerScan = maxReadsPerScan
            self.initialReconcilesPerSecond = initialReconcilesPerSecond
        }
    }

    public nonisolated let configuration: Configuration
    private let externalSecrets: Store<ExternalSecret>
    private let refreshMarks: RefreshMarks
    private let upcoming: @Sendable (Int) async -> [ObjectKey]
    private let logger: Logger
    private var lastScan: [StoreIdentity: Date] = [:]
    private var scanning: [StoreIdentity: Task<Void, Never>] = [:]
    private var snapshot: QueueSnapshot?
    /// Reconciles that read (calls of `prime`) since `rateSince`, for the reconcile rate.
    private var primed = 0
    private var rateSince: Date?
    private var reconcilesPerSecond: Double

    /// - Parameters:
    ///   - externalSecrets: the ExternalSecret informer's cache, indexed by store
    ///     (``ExternalSecretController``'s `store` index).
    ///   - refreshMarks: how fresh each ExternalSecret's read must be (the reconciler's).
    ///   - upcoming: up to N keys the work queue hands out next, in order
    ///     (`WorkQueue.upcoming(_:)`); none by default.
    public init(
        externalSecrets: Store<ExternalSecret>, refreshMarks: RefreshMarks = RefreshMarks(), configuration: Configuration = Configuration(),
        upcoming: @escaping @Sendable (Int) async -> [ObjectKey] = { _ in [] }, logger: Logger = Logger(label: "rotor.readahead")
    ) {
        self.logger = logger
        self.externalSecrets = externalSecrets
        self.refreshMarks = refreshMarks
        self.configuration = configuration
        self.upcoming = upcoming
        self.reconcilesPerSecond = configuration.initialReconcilesPerSecond
    }

    /// Starts reading the secrets of `store`'s ExternalSecrets due before the next look
    /// (filled up to whole batches), unless the store was looked at less than
    /// `scanInterval` ago. Returns once the reads are in flight, not when they are done;
    /// a call during another's look waits for that look, so that its own read joins the
    /// reads started there instead of going out alone.
    public func prime(_ store: ResolvedStore, reader: CoalescingReader, now: Date) async {
        guard reader.capabilities.maxBatchSize > 1 else { return }
        measureRate(now: now)
        if let scan = scanning[store.identity] {
            await scan.value
            return
        }
        if let last = lastScan[store.identity], now >= last, now.timeIntervalSince(last) < configuration.scanInterval.timeInterval {
            return
        }
        forgetStale(now: now)
        lastScan[store.identity] = now
        let scan = Task { await self.scan(store, reader: reader, now: now) }
        scanning[store.identity] = scan
        await scan.value
        scanning[store.identity] = nil
    }

    private func scan(_ store: ResolvedStore, reader: CoalescingReader, now: Date) async {
        let storeKey = ExternalSecretController.storeKey(of: store.identity)
        // What is read ahead must outlive the wait for its reconcile in the cache.
        let horizon = min(configuration.horizon, reader.configuration.ttl / 3)
        let queue = await queueSnapshot(now: now)
        // Positions as of now: the queue has moved on since the snapshot was taken.
        let moved = Int(reconcilesPerSecond * max(0, now.timeIntervalSince(queue.taken)))
        let queued = (queue.byStore[storeKey] ?? []).compactMap { entry in
            entry.position >= moved ? ReadAheadPlanner.Queued(entry.externalSecret, position: entry.position - moved) : nil
        }
        let siblings = await externalSecrets.byIndex(ExternalSecretController.storeIndex, storeKey)
        let candidates = ReadAheadPlanner.candidates(
            queued: queued, externalSecrets: siblings, queueSeenWhole: queue.seenWhole, reconcilesPerSecond: reconcilesPerSecond,
            store: store, now: now, horizon: horizon, freshness: { freshness(of: $0, store: store) })
        guard !candidates.isEmpty else { return }
        let needed = Dictionary(uniqueKeysWithValues: candidates.map { ($0.id, $0.freshness) })
        let uncached = Set(await reader.uncached(candidates.map(\.id), freshness: needed))
        let picked = ReadAheadPlanner.pick(
            candidates.filter { uncached.contains($0.id) }, now: now, scanInterval: configuration.scanInterval,
            batchSize: reader.capabilities.maxBatchSize, limit: configuration.maxReadsPerScan)
        logger.debug(
            "reading ahead", metadata: [
                "store": "\(store.identity)", "secrets": "\(picked.count)", "candidates": "\(candidates.count)",
                "queuedInSight": "\(queued.count)", "reconcilesPerSecond": "\(Int(reconcilesPerSecond.rounded()))",
            ])
        await reader.prefetch(picked, freshness: needed)
    }

    /// What the next read of `es` needs of the cache, as the reconciler will ask it
    /// (``RefreshMarks``): its mark counts only when that read is a refresh of values
    /// synced for this spec. An ExternalSecret whose last sync the informer has not caught
    /// up with looks due here though it is not: anything cached will do for it, so its
    /// keys are not read ahead again.
    private func freshness(of es: ExternalSecret, store: ResolvedStore) -> ReadFreshness {
        let key = ObjectKey(of: es)
        if refreshMarks.isBehind(key, refreshTime: es.status?.refreshTime?.date) { return .any }
        let schedule = (try? RefreshSchedule.of(es.spec).get()) ?? .onChange
        let refresh = es.status?.syncedResourceVersion.map { !SyncedVersion(externalSecret: es, store: store).specDiffers(from: $0) } ?? false
        return refreshMarks.freshness(for: key, schedule: schedule, due: refresh ? .intervalElapsed : .specChanged)
    }

    /// The ExternalSecrets next in the work queue, by store: one look per `scanInterval`
    /// for all stores (as many keys as are reconciled within the horizon at the current
    /// rate), so that many stores do not each walk the queue.
    private func queueSnapshot(now: Date) async -> QueueSnapshot {
        if let snapshot, now >= snapshot.taken, now.timeIntervalSince(snapshot.taken) < configuration.scanInterval.timeInterval {
            return snapshot
        }
        let peek = min(configuration.maxReadsPerScan, max(1, Int(reconcilesPerSecond * configuration.horizon.timeInterval)))
        let keys = await upcoming(peek)
        var byStore: [String: [ReadAheadPlanner.Queued]] = [:]
        for (position, es) in await externalSecrets.get(keys).enumerated() {
            guard let es else { continue }
            byStore[ExternalSecretController.storeKey(of: es), default: []].append(ReadAheadPlanner.Queued(es, position: position))
        }
        let taken = QueueSnapshot(taken: now, seenWhole: keys.count < peek, byStore: byStore)
        snapshot = taken
        return taken
    }

    /// Reconciles that read, per second, over the last few seconds (half the weight on the
    /// newest measurement): how fast the queue drains.
    private func measureRate(now: Date) {
        primed += 1
        guard let since = rateSince else {
            rateSince = now
            return
        }
        let elapsed = now.timeIntervalSince(since)
        guard elapsed >= configuration.scanInterval.timeInterval else { return }
        let measured = Double(primed) / elapsed
        reconcilesPerSecond = elapsed > 4 * configuration.horizon.timeInterval ? measured : (reconcilesPerSecond + measured) / 2
        primed = 0
        rateSince = now
    }

    /// Drops the scan times of stores not looked at for a while (deleted or idle ones), so
    /// the table stays as small as the set of busy stores.
    private func forgetStale(now: Date) {
        guard lastScan.count >= 256 else { return }
        lastScan = lastScan.filter { now.timeIntervalSince($0.value) < 60 }
    }
}
