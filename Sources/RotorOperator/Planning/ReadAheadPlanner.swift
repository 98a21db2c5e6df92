import Foundation
import KubeRuntime
import RotorAPI
import SecretProviders

/// Decides which remote secrets of one store to read ahead of their ExternalSecrets'
/// reconciles, so that a provider that reads in batches (AWS `BatchGetSecretValue`, 20
/// ids a call) gets full batches instead of one reconcile's keys at a time.
///
/// A reconcile only waits for its own read, so with a handful of workers only a handful
/// of keys would ever be in flight together: a full refresh of 2,000 keys would cost
/// ~500 calls instead of 100. Reading ahead, the reconcile that is about to read also
/// starts the reads of the keys of the store's other ExternalSecrets coming due, whose
/// reconciles then find them in the store's cache.
///
/// Pure: the ExternalSecrets, the store and the time are passed in.
public enum ReadAheadPlanner {
    /// A remote secret some ExternalSecret of the store will read, and when.
    public struct Candidate: Sendable, Hashable {
        public var id: RemoteSecretID
        /// The earliest time an ExternalSecret reading `id` comes due.
        public var due: Date
        /// What those ExternalSecrets need of a read of `id`, as seen now (the strictest of
        /// theirs; a maximum age shortened by the wait until each comes due).
        public var freshness: ReadFreshness

        public init(id: RemoteSecretID, due: Date, freshness: ReadFreshness = .any) {
            self.id = id
            self.due = due
            self.freshness = freshness
        }
    }

    /// When `es` next reads its values on its own account: now when it was never synced or
    /// its spec or store changed since; its jittered refresh time when it refreshes
    /// periodically (the instant its requeue is set for, see ``RefreshPlanner/jitterDraw(for:)``).
    /// `nil` when only a change can make it due, or when its last read or write failed: its
    /// retries come with backoff, at times not known here, and read for themselves (so a
    /// provider outage is not read ahead again and again). Waiting for its store (which
    /// reads nothing) does not count as failing: the store turning ready makes it due.
    public static func nextRead(of es: ExternalSecret, store: ResolvedStore, now: Date) -> Date? {
        guard let schedule = try? RefreshSchedule.of(es.spec).get() else { return nil }
        if let ready = es.status?.conditions?.first(ofType: ExternalSecretConditions.ready), ready.status == .false,
            ready.reason != ExternalSecretConditions.Reason.storeNotReady
        {
            return nil
        }
        guard let recorded = es.status?.syncedResourceVersion, let refreshTime = es.status?.refreshTime?.date else {
            return now
        }
        if case .createdOnce = schedule { return nil }
        if SyncedVersion(externalSecret: es, store: store).specDiffers(from: recorded) { return now }
        guard case .periodic(let interval) = schedule else { return nil }
        let factor = 1 + RefreshPlanner.jitterFraction * (2 * RefreshPlanner.jitterDraw(for: es) - 1)
        return refreshTime.addingTimeInterval(interval.timeInterval * factor)
    }

    /// The remote secrets `spec` reads by name: `data[].remoteRef` and `dataFrom[].extract`
    /// (what `dataFrom[].find` reads is only known once the provider answered).
    public static func remoteIDs(of spec: ExternalSecretSpec) -> [RemoteSecretID] {
        let extracted = (spec.dataFrom ?? []).compactMap { $0.extract.map { RemoteSecretID(key: $0.key, version: $0.version) } }
        let referenced = (spec.data ?? []).map { RemoteSecretID(key: $0.remoteRef.key, version: $0.remoteRef.version) }
        var seen = Set<RemoteSecretID>()
        return (extracted + referenced).filter { seen.insert($0).inserted }
    }

    /// An ExternalSecret of the store waiting in the work queue, and how many keys the
    /// queue hands out before it.
    public struct Queued: Sendable {
        public var externalSecret: ExternalSecret
        public var position: Int

        public init(_ externalSecret: ExternalSecret, position: Int) {
            self.externalSecret = externalSecret
            self.position = position
        }
    }

    /// The remote secrets the store's ExternalSecrets will read within `horizon` of `now`,
    /// each once at its earliest time with the strictest `freshness` of its readers, soonest
    /// first:
    /// - `queued` ones (ready in the work queue) read when their turn comes, estimated from
    ///   their position and the rate reconciles run at, if they are due by then;
    /// - the others read at their refresh time (``nextRead(of:store:now:)``), counted only
    ///   when `queueSeenWhole` (the whole ready queue was looked at): behind a backlog,
    ///   when an ExternalSecret due now will be reconciled is not known, and a secret read
    ///   too early would expire from the cache before it is used.
    public static func candidates(
        queued: [Queued], externalSecrets: [ExternalSecret], queueSeenWhole: Bool, reconcilesPerSecond: Double,
        store: ResolvedStore, now: Date, horizon: Duration, freshness: (ExternalSecret) -> ReadFreshness = { _ in .any }
    ) -> [Candidate] {
        let limit = now.addingTimeInterval(horizon.timeInterval)
        let rate = max(reconcilesPerSecond, 1)
        var earliest: [RemoteSecretID: Date] = [:]
        var needed: [RemoteSecretID: ReadFreshness] = [:]
        func add(_ es: ExternalSecret, at time: Date) {
            var wanted = freshness(es)
            // A read started now must still be young enough when `es` comes due.
            if let maxAge = wanted.maxAge { wanted.maxAge = max(.zero, maxAge - .seconds(max(0, time.timeIntervalSince(now)))) }
            for id in remoteIDs(of: es.spec) {
                if earliest[id].map({ time < $0 }) ?? true { earliest[id] = time }
                needed[id] = needed[id].map { $0.combined(with: wanted) } ?? wanted
            }
        }
        var inQueue = Set<ObjectKey>()
        for entry in queued {
            let es = entry.externalSecret
            inQueue.insert(ObjectKey(of: es))
            let turn = now.addingTimeInterval(Double(entry.position) / rate)
            guard turn <= limit, let due = nextRead(of: es, store: store, now: now), due <= turn else { continue }
            add(es, at: turn)
        }
        if queueSeenWhole {
            for es in externalSecrets where !inQueue.contains(ObjectKey(of: es)) {
                guard let due = nextRead(of: es, store: store, now: now), due <= limit else { continue }
                add(es, at: max(due, now))
            }
        }
        return earliest.map { Candidate(id: $0.key, due: $0.value, freshness: needed[$0.key] ?? .any) }
            .sorted { ($0.due, $0.id.key, $0.id.version ?? "") < ($1.due, $1.id.key, $1.id.version ?? "") }
    }

    /// What to read now, from `candidates` the cache does not hold (soonest first):
    /// - every one due before the next look ahead can come (`now + scanInterval`), so that
    ///   no reconcile of the meantime has to read alone;
    /// - then the next ones due, only as many as fill the last batch: ids due later are
    ///   left for a later look, so that they too go out in full batches, closer to their time;
    /// - at most `limit` in all.
    public static func pick(
        _ candidates: [Candidate], now: Date, scanInterval: Duration, batchSize: Int, limit: Int
    ) -> [RemoteSecretID] {
        let nextScan = now.addingTimeInterval(scanInterval.timeInterval)
        let urgent = candidates.prefix { $0.due <= nextScan }.count
        guard urgent > 0 else { return [] }
        let size = max(1, batchSize)
        let filled = (urgent + size - 1) / size * size
        return candidates.prefix(min(filled, candidates.count, max(0, limit))).map(\.id)
    }
}
