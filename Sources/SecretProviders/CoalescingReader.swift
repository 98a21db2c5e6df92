/// Wraps a store's reader so that many ExternalSecrets cost few provider calls:
///
/// - **coalescing**: a secret already being read is not read again; callers join the
///   read in flight (outcomes, errors included, are shared);
/// - **caching**: outcomes are kept for ``Configuration/ttl`` (failures for
///   ``Configuration/failureTTL``), at most ``Configuration/maxEntries`` of this store,
///   in the process-wide ``CacheBudget`` shared by every store (least recently used
///   entries of any store go first when it is full);
/// - **batching**: the secrets one call misses are read together, in chunks of the
///   provider's ``ProviderCapabilities/maxBatchSize`` (AWS `BatchGetSecretValue`: 20);
/// - **a concurrency cap**: at most ``Configuration/maxConcurrentCalls`` provider
///   calls of this store at a time.
///
/// - **freshness**: a caller may ask for reads started after a ``ReadMark`` (the end of
///   an ExternalSecret's previous refresh) and at most so old (its refresh interval), see
///   ``read(_:freshness:)``; cached values and reads in flight that are older do not
///   answer it, so no ExternalSecret is served a value older than its own refresh
///   interval, however long the TTL.
///
/// Writes go through as well and drop the written key from the cache.
public actor CoalescingReader: SecretWriter {
    public struct Configuration: Sendable, Hashable {
        /// How long a successful read is reused. `.zero`: only in-flight reads are shared.
        public var ttl: Duration
        /// How long a failed read is reused, so an outage or a missing key is not hammered.
        public var failureTTL: Duration
        /// Most secrets cached; the ones closest to expiry go first.
        public var maxEntries: Int
        /// Most provider calls in flight for the store.
        public var maxConcurrentCalls: Int

        public init(ttl: Duration = .seconds(30), failureTTL: Duration = .seconds(5), maxEntries: Int = 10_000, maxConcurrentCalls: Int = 8) {
            self.ttl = ttl
            self.failureTTL = failureTTL
            self.maxEntries = max(1, maxEntries)
            self.maxConcurrentCalls = max(1, maxConcurrentCalls)
        }
    }

    public typealias Outcome = Result<RemoteSecret, ProviderError>
    private typealias BatchTask = Task<[RemoteSecretID: Outcome], Never>

    private struct Flight {
        var batch: UInt64
        /// When the flight's read started.
        var mark: ReadMark
        var started: ContinuousClock.Instant
        var task: BatchTask
    }

    public nonisolated let capabilities: ProviderCapabilities
    public nonisolated let configuration: Configuration
    /// The cap on provider calls; shared with other wrappers of the same store if passed in.
    public nonisolated let limiter: ConcurrencyLimiter
    private let base: any SecretReader
    private let now: @Sendable () -> ContinuousClock.Instant
    private let finds = SingleFlight<FindQuery, [String]>()
    /// Where this store's outcomes are cached, under the key ``owner``.
    public nonisolated let budget: CacheBudget
    private nonisolated let owner: UInt64
    private var inFlight: [RemoteSecretID: Flight] = [:]
    private var nextBatch: UInt64 = 0
    /// Calls of the wrapped reader's `read`, for tests and metrics.
    public private(set) var providerReadCalls = 0

    /// - Parameters:
    ///   - now: the time source for expiry; tests pass a manual one.
    ///   - limiter: a shared cap; by default one of `configuration.maxConcurrentCalls`.
    ///   - budget: the bound shared with other stores' readers; the process-wide one by default.
    public init(
        _ base: any SecretReader, configuration: Configuration = Configuration(), limiter: ConcurrencyLimiter? = nil,
        budget: CacheBudget = .shared, now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        self.budget = budget
        self.owner = budget.register()
        self.base = base
        self.capabilities = base.capabilities
        self.configuration = configuration
        self.limiter = limiter ?? ConcurrencyLimiter(limit: configuration.maxConcurrentCalls)
        self.now = now
    }

    deinit {
        budget.removeAll(owner)
    }

    /// Secrets currently cached (expired ones included until purged).
    public var cachedCount: Int { budget.count(owner) }

    // MARK: SecretReader

    public func read(_ ids: [RemoteSecretID]) async throws -> [RemoteSecretID: Outcome] {
        await read(ids, freshness: .any)
    }

    /// Reads `ids`, answering each from a read (cached, in flight, or started now) as
    /// fresh as `freshness` asks. A cached failure answers regardless until its
    /// ``Configuration/failureTTL`` ends, so that the retries of many ExternalSecrets do
    /// not hammer a failing provider.
    public func read(_ ids: [RemoteSecretID], freshness: ReadFreshness) async -> [RemoteSecretID: Outcome] {
        let time = now()
        var results: [RemoteSecretID: Outcome] = [:]
        var joined: [UInt64: (task: BatchTask, ids: [RemoteSecretID])] = [:]
        var misses: [RemoteSecretID] = []
        var seen = Set<RemoteSecretID>()
        for id in ids where seen.insert(id).inserted {
            if let outcome = budget.lookup(owner, id, freshness, now: time) {
                results[id] = outcome
            } else if let flight = inFlight[id], freshness.admits(flight.mark, started: flight.started, now: time) {
                joined[flight.batch, default: (flight.task, [])].ids.append(id)
            } else {
                misses.append(id)
            }
        }
        for flight in start(misses) { joined[flight.batch] = (flight.task, flight.ids) }
        for (_, flight) in joined {
            let outcomes = await flight.task.value
            for id in flight.ids { results[id] = outcomes[id] ?? .failure(Self.missing(id)) }
        }
        return results
    }

    /// This reader as one refresh sees it: its reads are answered only by reads as fresh
    /// as `freshness` asks (see ``read(_:freshness:)``). `find` and `validate` are unchanged.
    public nonisolated func reading(_ freshness: ReadFreshness) -> any SecretReader {
        FreshReader(reader: self, freshness: freshness)
    }

    /// Starts reading `ids` that are neither cached nor in flight, without waiting for
    /// them: later ``read(_:)`` calls of those ids join the reads in flight. For reading
    /// ahead the keys of many ExternalSecrets about to come due, in full batches.
    ///
    /// - Parameter freshness: per id, what its readers need of a read (absent: any
    ///   unexpired one will do).
    public func prefetch(_ ids: [RemoteSecretID], freshness: [RemoteSecretID: ReadFreshness] = [:]) {
        var seen = Set<RemoteSecretID>()
        _ = start(uncached(ids.filter { seen.insert($0).inserted }, freshness: freshness))
    }

    /// The ids among `ids` that a read would ask the provider for (neither cached nor in
    /// flight as fresh as their `freshness` asks), in their order.
    public func uncached(_ ids: [RemoteSecretID], freshness: [RemoteSecretID: ReadFreshness] = [:]) -> [RemoteSecretID] {
        let time = now()
        return ids.filter { id in
            let needed = freshness[id] ?? .any
            if budget.isFresh(owner, id, needed, now: time) { return false }
            return !(inFlight[id].map { needed.admits($0.mark, started: $0.started, now: time) } ?? false)
        }
    }

    public func find(_ query: FindQuery) async throws -> [String] {
        let base = self.base
        let limiter = self.limiter
        return try await finds.run(query) {
            try await limiter.withPermit { try await base.find(query) }
        }
    }

    public func validate() async throws {
        let base = self.base
        try await limiter.withPermit { try await base.validate() }
    }

    // MARK: SecretWriter

    /// Writes through the wrapped provider (``ProviderError/Class/unsupported`` when it
    /// cannot write), then forgets what was cached for `key`.
    public func write(key: String, document: SecretValue, idempotencyToken: String, expectedVersion: String?) async throws -> String {
        guard let writer = base as? any SecretWriter, capabilities.access == .readWrite else {
            throw ProviderError.unsupported(key: key, detail: "the store is read-only")
        }
        defer { invalidate(key: key) }
        return try await limiter.withPermit {
            try await writer.write(key: key, document: document, idempotencyToken: idempotencyToken, expectedVersion: expectedVersion)
        }
    }

    // MARK: Invalidation

    /// Forgets every version of `key`: the next read asks the provider (after a write, a force-sync).
    public func invalidate(key: String) {
        budget.remove(owner, key: key)
        inFlight = inFlight.filter { $0.key.key != key }
    }

    /// Forgets one secret.
    public func invalidate(_ id: RemoteSecretID) {
        budget.remove(owner, id)
        inFlight[id] = nil
    }

    /// Forgets everything and gives its bytes back to the shared budget: the store's
    /// provider is being retired (its configuration changed or the store is gone), so
    /// nothing cached under it may go on counting against the other stores.
    public func invalidateAll() {
        budget.removeAll(owner)
        inFlight.removeAll()
    }

    // MARK: Internals

    /// Starts one provider call per chunk of `ids` (the provider's batch size), each its
    /// own flight, so a caller waits only for the chunk holding its ids. Unstructured
    /// tasks, so that one caller's cancellation does not fail the others sharing them.
    private func start(_ ids: [RemoteSecretID]) -> [(batch: UInt64, task: BatchTask, ids: [RemoteSecretID])] {
        let size = capabilities.maxBatchSize
        let time = now()
        var flights: [(batch: UInt64, task: BatchTask, ids: [RemoteSecretID])] = []
        for offset in stride(from: 0, to: ids.count, by: size) {
            let chunk = Array(ids[offset..<min(offset + size, ids.count)])
            nextBatch &+= 1
            let batch = nextBatch
            let mark = ReadMark.next()
            let task = BatchTask { await self.fetch(chunk, batch: batch, mark: mark, started: time) }
            for id in chunk { inFlight[id] = Flight(batch: batch, mark: mark, started: time, task: task) }
            flights.append((batch, task, chunk))
        }
        providerReadCalls += flights.count
        return flights
    }

    private func fetch(_ chunk: [RemoteSecretID], batch: UInt64, mark: ReadMark, started: ContinuousClock.Instant) async -> [RemoteSecretID: Outcome] {
        let base = self.base
        let outcomes: [RemoteSecretID: Outcome]
        do {
            outcomes = try await limiter.withPermit { try await base.read(chunk) }
        } catch {
            let failure = Self.providerError(error)
            outcomes = Dictionary(uniqueKeysWithValues: chunk.map { ($0, .failure(failure)) })
        }
        record(outcomes, for: chunk, batch: batch, mark: mark, started: started)
        return outcomes
    }

    private func record(
        _ outcomes: [RemoteSecretID: Outcome], for ids: [RemoteSecretID], batch: UInt64, mark: ReadMark, started: ContinuousClock.Instant
    ) {
        let time = now()
        for id in ids {
            // Invalidated (or overtaken by a newer read) while in flight: the outcome still
            // answers its callers but is not kept.
            guard inFlight[id]?.batch == batch else { continue }
            inFlight[id] = nil
            let outcome = outcomes[id] ?? .failure(Self.missing(id))
            let ttl: Duration
            switch outcome {
            case .success: ttl = configuration.ttl
            case .failure: ttl = configuration.failureTTL
            }
            guard ttl > .zero else { continue }
            budget.insert(owner, id, outcome, fetched: mark, fetchedAt: started, expires: time + ttl, ownerMaxEntries: configuration.maxEntries, now: time)
        }
    }

    private static func missing(_ id: RemoteSecretID) -> ProviderError {
        .invalidResponse(key: id.key, version: id.version, detail: "the provider returned no result for this key")
    }

    /// A `ProviderError` for anything a provider threw. Other errors' descriptions are not
    /// trusted to be free of values, so only their type is named.
    private static func providerError(_ error: any Error) -> ProviderError {
        if let error = error as? ProviderError { return error }
        if error is CancellationError { return .transient(detail: "cancelled") }
        return .transient(detail: "unexpected \(type(of: error))")
    }
}

/// A ``CoalescingReader`` as one refresh sees it: reads answered only by reads as fresh
/// as `freshness` asks.
private struct FreshReader: SecretReader {
    let reader: CoalescingReader
    let freshness: ReadFreshness

    var capabilities: ProviderCapabilities { reader.capabilities }

    func read(_ ids: [RemoteSecretID]) async throws -> [RemoteSecretID: Result<RemoteSecret, ProviderError>] {
        await reader.read(ids, freshness: freshness)
    }

    func find(_ query: FindQuery) async throws -> [String] { try await reader.find(query) }

    func validate() async throws { try await reader.validate() }
}
