import Foundation
import KubeRuntime
import RotorAPI
import SecretProviders

/// Reads ahead, for each store whose provider reads in batches, the remote secrets of the
/// store's ExternalSecrets that come due soon (``ReadAheadPlanner``), into the store's
/// shared ``CoalescingReader``: their reconciles then find them there, and the provider
/// sees full batches (AWS: one `BatchGetSecretValue` per 20 keys) instead of the few keys
/// a handful of workers happen to read at the same moment.
///
/// A reconcile about to read calls ``prime(_:reader:now:)``; at most one look per store
/// per ``Configuration/scanInterval`` goes through the store's ExternalSecrets (from the
/// informer's cache, by the store index), so the cost stays a scan per second per store
/// however many reconciles run. Providers that read one secret per call (Vault) gain
/// nothing from it and are left alone.
public actor StoreReadAhead {
    public struct Configuration: Sendable, Hashable {
        /// How far ahead to look. Secrets read ahead must still be cached when their
        /// ExternalSecrets are reconciled: keep it well under the cache's TTL.
        public var horizon: Duration
        /// The least time between two looks at one store.
        public var scanInterval: Duration
        /// Most secrets read ahead in one look (the rest wait for the next).
        public var maxReadsPerScan: Int

        public init(horizon: Duration = .seconds(10), scanInterval: Duration = .seconds(1), maxReadsPerScan: Int = 2_000) {
            self.horizon = horizon
            self.scanInterval = scanInterval
            self.maxReadsPerScan = maxReadsPerScan
        }
    }

    public nonisolated let configuration: Configuration
    private let externalSecrets: Store<ExternalSecret>
    private var lastScan: [StoreIdentity: Date] = [:]
    private var scanning: [StoreIdentity: Task<Void, Never>] = [:]
    /// Secrets read ahead so far, for tests and metrics.
    public private(set) var readAheadCount = 0

    /// - Parameter externalSecrets: the ExternalSecret informer's cache, indexed by store
    ///   (``ExternalSecretController``'s `store` index).
    public init(externalSecrets: Store<ExternalSecret>, configuration: Configuration = Configuration()) {
        self.externalSecrets = externalSecrets
        self.configuration = configuration
    }

    /// Starts reading the secrets of `store`'s ExternalSecrets due before the next look
    /// (filled up to whole batches), unless the store was looked at less than
    /// `scanInterval` ago. Returns once the reads are in flight, not when they are done;
    /// a call during another's look waits for that look, so that its own read joins the
    /// reads started there instead of going out alone.
    public func prime(_ store: ResolvedStore, reader: CoalescingReader, now: Date) async {
        guard reader.capabilities.maxBatchSize > 1 else { return }
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
        let siblings = await externalSecrets.byIndex(ExternalSecretController.storeIndex, ExternalSecretController.storeKey(of: store.identity))
        let candidates = ReadAheadPlanner.candidates(siblings, store: store, now: now, horizon: configuration.horizon)
        guard !candidates.isEmpty else { return }
        let uncached = Set(await reader.uncached(candidates.map(\.id)))
        let picked = ReadAheadPlanner.pick(
            candidates.filter { uncached.contains($0.id) }, now: now, scanInterval: configuration.scanInterval,
            batchSize: reader.capabilities.maxBatchSize, limit: configuration.maxReadsPerScan)
        readAheadCount += picked.count
        await reader.prefetch(picked)
    }

    /// Drops the scan times of stores not looked at for a while (deleted or idle ones), so
    /// the table stays as small as the set of busy stores.
    private func forgetStale(now: Date) {
        guard lastScan.count >= 256 else { return }
        lastScan = lastScan.filter { now.timeIntervalSince($0.value) < 60 }
    }
}
