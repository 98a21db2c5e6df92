import NIOConcurrencyHelpers

/// One bound on the cached reads of every store of the process.
///
/// Each store's ``CoalescingReader`` keeps its cached outcomes here, not in a cache of its
/// own: however many stores tenants create, the process holds at most ``Limits/maxBytes``
/// of cached secret values and ``Limits/maxEntries`` entries. When an insert would pass a
/// bound, expired entries go first, then the least recently used of any store, down to
/// 90 % of the bound (so eviction is not repeated on every insert). A store's own
/// ``CoalescingReader/Configuration/maxEntries`` still bounds that store alone.
public final class CacheBudget: Sendable {
    public struct Limits: Sendable, Hashable {
        /// Most bytes of cached values (secret bytes, property names and values, plus a
        /// fixed overhead per entry), over all stores.
        public var maxBytes: Int
        /// Most cached entries over all stores.
        public var maxEntries: Int

        /// 64 MiB and 100,000 entries: a quarter of the chart's 256 MiB memory limit.
        public init(maxBytes: Int = 64 << 20, maxEntries: Int = 100_000) {
            self.maxBytes = max(1, maxBytes)
            self.maxEntries = max(1, maxEntries)
        }
    }

    public typealias Outcome = Result<RemoteSecret, ProviderError>

    /// The budget every reader shares unless given another (tests give their own).
    public static let shared = CacheBudget()

    /// Bytes counted per entry on top of its values (keys, versions, bookkeeping).
    static let entryOverhead = 256

    private struct Item {
        var outcome: Outcome
        var expires: ContinuousClock.Instant
        /// When the read that produced `outcome` was started.
        var fetched: ReadMark
        var fetchedAt: ContinuousClock.Instant
        var bytes: Int
        var lastUse: UInt64

        /// Whether this entry may answer a caller needing `freshness`. A failure answers
        /// anyone until it expires: its short TTL is what keeps an outage or a missing key
        /// from being read again by every retry.
        func serves(_ freshness: ReadFreshness, now: ContinuousClock.Instant) -> Bool {
            guard expires > now else { return false }
            if case .failure = outcome { return true }
            return freshness.admits(fetched, started: fetchedAt, now: now)
        }
    }

    private struct State {
        var limits: Limits
        var owners: [UInt64: [RemoteSecretID: Item]] = [:]
        var bytes = 0
        var entries = 0
        var tick: UInt64 = 0
        var nextOwner: UInt64 = 0
        var evictions = 0
    }

    private let state: NIOLockedValueBox<State>

    public init(_ limits: Limits = Limits()) {
        state = NIOLockedValueBox(State(limits: limits))
    }

    /// The bounds in force.
    public var limits: Limits {
        get { state.withLockedValue { $0.limits } }
    }

    /// Changes the bounds (the operator's `--cache-memory`); takes effect at the next insert.
    public func setLimits(_ limits: Limits) {
        state.withLockedValue { $0.limits = limits }
    }

    /// Bytes and entries cached now, over all stores, and entries evicted to keep the bound.
    public var usage: (bytes: Int, entries: Int, evictions: Int) {
        state.withLockedValue { ($0.bytes, $0.entries, $0.evictions) }
    }

    // MARK: For CoalescingReader

    func register() -> UInt64 {
        state.withLockedValue { state in
            state.nextOwner &+= 1
            return state.nextOwner
        }
    }

    /// The outcome cached for `id`, if it has not expired and is as fresh as `freshness`
    /// asks, marking it used.
    func lookup(_ owner: UInt64, _ id: RemoteSecretID, _ freshness: ReadFreshness = .any, now: ContinuousClock.Instant) -> Outcome? {
        state.withLockedValue { state in
            guard let item = state.owners[owner]?[id], item.serves(freshness, now: now) else { return nil }
            state.tick &+= 1
            state.owners[owner]?[id]?.lastUse = state.tick
            return item.outcome
        }
    }

    /// Whether ``lookup(_:_:_:now:)`` would answer (not marking it used).
    func isFresh(_ owner: UInt64, _ id: RemoteSecretID, _ freshness: ReadFreshness = .any, now: ContinuousClock.Instant) -> Bool {
        state.withLockedValue { state in (state.owners[owner]?[id]).map { $0.serves(freshness, now: now) } ?? false }
    }

    func count(_ owner: UInt64) -> Int {
        state.withLockedValue { $0.owners[owner]?.count ?? 0 }
    }

    /// Caches `outcome` for `id` until `expires`, first making room: within the owner's
    /// `ownerMaxEntries` (expired, then soonest to expire), then within the global bounds
    /// (expired, then least recently used of any owner). An outcome larger than the whole
    /// byte budget is not cached.
    func insert(
        _ owner: UInt64, _ id: RemoteSecretID, _ outcome: Outcome, fetched: ReadMark, fetchedAt: ContinuousClock.Instant,
        expires: ContinuousClock.Instant, ownerMaxEntries: Int, now: ContinuousClock.Instant
    ) {
        let bytes = Self.size(of: outcome)
        state.withLockedValue { state in
            Self.remove(owner, id, in: &state)
            guard bytes <= state.limits.maxBytes else { return }
            if let mine = state.owners[owner], mine.count >= ownerMaxEntries {
                Self.trimOwner(owner, to: ownerMaxEntries, now: now, in: &state)
            }
            if state.bytes + bytes > state.limits.maxBytes || state.entries + 1 > state.limits.maxEntries {
                Self.trimGlobal(adding: bytes, now: now, in: &state)
            }
            state.tick &+= 1
            state.owners[owner, default: [:]][id] = Item(outcome: outcome, expires: expires, fetched: fetched, fetchedAt: fetchedAt, bytes: bytes, lastUse: state.tick)
            state.bytes += bytes
            state.entries += 1
        }
    }

    func remove(_ owner: UInt64, _ id: RemoteSecretID) {
        state.withLockedValue { Self.remove(owner, id, in: &$0) }
    }

    func remove(_ owner: UInt64, key: String) {
        state.withLockedValue { state in
            for id in state.owners[owner]?.keys.filter({ $0.key == key }) ?? [] { Self.remove(owner, id, in: &state) }
        }
    }

    func removeAll(_ owner: UInt64) {
        state.withLockedValue { state in
            guard let mine = state.owners.removeValue(forKey: owner) else { return }
            state.bytes -= mine.values.reduce(0) { $0 + $1.bytes }
            state.entries -= mine.count
        }
    }

    // MARK: Internals

    /// What an outcome weighs in the budget.
    static func size(of outcome: Outcome) -> Int {
        switch outcome {
        case .success(let secret):
            let properties = secret.properties?.reduce(0) { $0 + $1.key.utf8.count + $1.value.count } ?? 0
            return entryOverhead + secret.value.count + properties + (secret.version?.utf8.count ?? 0)
        case .failure:
            return entryOverhead
        }
    }

    private static func remove(_ owner: UInt64, _ id: RemoteSecretID, in state: inout State) {
        guard let item = state.owners[owner]?.removeValue(forKey: id) else { return }
        state.bytes -= item.bytes
        state.entries -= 1
        if state.owners[owner]?.isEmpty == true { state.owners[owner] = nil }
    }

    private static func trimOwner(_ owner: UInt64, to maxEntries: Int, now: ContinuousClock.Instant, in state: inout State) {
        guard let mine = state.owners[owner] else { return }
        for (id, item) in mine where item.expires <= now { remove(owner, id, in: &state) }
        guard let left = state.owners[owner], left.count >= maxEntries else { return }
        let keep = maxEntries * 9 / 10
        for (id, _) in left.sorted(by: { $0.value.expires < $1.value.expires }).prefix(left.count - keep) {
            remove(owner, id, in: &state)
            state.evictions += 1
        }
    }

    private static func trimGlobal(adding bytes: Int, now: ContinuousClock.Instant, in state: inout State) {
        for (owner, items) in state.owners {
            for (id, item) in items where item.expires <= now { remove(owner, id, in: &state) }
        }
        let byteTarget = state.limits.maxBytes / 10 * 9
        let entryTarget = state.limits.maxEntries * 9 / 10
        guard state.bytes + bytes > state.limits.maxBytes || state.entries + 1 > state.limits.maxEntries else { return }
        var all: [(owner: UInt64, id: RemoteSecretID, lastUse: UInt64)] = []
        all.reserveCapacity(state.entries)
        for (owner, items) in state.owners {
            for (id, item) in items { all.append((owner, id, item.lastUse)) }
        }
        all.sort { $0.lastUse < $1.lastUse }
        for victim in all {
            guard state.bytes + bytes > byteTarget || state.entries + 1 > entryTarget else { break }
            remove(victim.owner, victim.id, in: &state)
            state.evictions += 1
        }
    }
}
