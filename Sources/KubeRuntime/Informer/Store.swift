import Foundation

/// What a stored object looked like before and after a change; `nil` means absent.
public struct StoreChange<Object: Sendable>: Sendable {
    public var key: ObjectKey
    public var old: Object?
    public var new: Object?
    /// Part of the first list of its namespace (the cache filling up, not a change seen
    /// while watching).
    public var isInitialList = false
}

/// The informer cache: the latest known state of every watched object, keyed by
/// namespace/name, with secondary indexes (e.g. ExternalSecrets by store, Secrets by
/// owner). It holds whatever the watcher decoded — a typed object or a small
/// projection of it — so a controller keeps only the fields it needs.
public actor Store<Object: Sendable> {
    public typealias IndexFunction = @Sendable (Object) -> [String]

    private var objects: [ObjectKey: Object] = [:]
    private let key: @Sendable (Object) -> ObjectKey
    private var indexers: [String: IndexFunction] = [:]
    /// index name → index value → keys
    private var indexes: [String: [String: Set<ObjectKey>]] = [:]
    private var syncedNamespaces: Set<String?> = []
    private var expectedNamespaces: Set<String?>
    private var syncWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
    private var nextWaiterID = 0

    /// - Parameters:
    ///   - key: the object's key (its namespace and name).
    ///   - expectedNamespaces: the lists that must complete before `hasSynced` (one per
    ///     namespace of a `.set` scope; `[nil]` for all namespaces).
    ///   - indexes: secondary indexes that exist from the start, so no change is applied
    ///     before they can see it.
    public init(
        key: @escaping @Sendable (Object) -> ObjectKey, expectedNamespaces: Set<String?> = [nil],
        indexes: [String: IndexFunction] = [:]
    ) {
        self.indexers = indexes
        self.indexes = indexes.mapValues { _ in [:] }
        self.key = key
        self.expectedNamespaces = expectedNamespaces
    }

    /// Adds a secondary index; existing objects are indexed at once.
    public func addIndex(_ name: String, _ function: @escaping IndexFunction) {
        indexers[name] = function
        var index: [String: Set<ObjectKey>] = [:]
        for (key, object) in objects {
            for value in function(object) { index[value, default: []].insert(key) }
        }
        indexes[name] = index
    }

    public func get(_ key: ObjectKey) -> Object? { objects[key] }

    /// The objects of `keys`, in their order (`nil` for a key not in the cache): one call
    /// for many lookups.
    public func get(_ keys: [ObjectKey]) -> [Object?] { keys.map { objects[$0] } }

    public func list() -> [Object] { objects.keys.sorted().map { objects[$0]! } }

    public var keys: [ObjectKey] { objects.keys.sorted() }

    public var count: Int { objects.count }

    /// Objects whose index `name` has `value`.
    public func byIndex(_ name: String, _ value: String) -> [Object] {
        (indexes[name]?[value] ?? []).sorted().compactMap { objects[$0] }
    }

    /// True once every expected initial list has been applied.
    public var hasSynced: Bool { expectedNamespaces.isSubset(of: syncedNamespaces) }

    /// Returns once the store has synced, or when the calling task is cancelled
    /// (check `hasSynced` then).
    public func waitUntilSynced() async {
        if hasSynced || Task.isCancelled { return }
        let id = nextWaiterID
        nextWaiterID += 1
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled { continuation.resume() } else { syncWaiters[id] = continuation }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    private func cancelWaiter(_ id: Int) {
        syncWaiters.removeValue(forKey: id)?.resume()
    }

    /// Applies a watcher event and returns the changes it made.
    @discardableResult
    public func apply(_ event: WatcherEvent<Object>) -> [StoreChange<Object>] {
        switch event {
        case .applied(let object):
            let k = key(object)
            let old = put(k, object)
            return [StoreChange(key: k, old: old, new: object)]
        case .deleted(let object):
            let k = key(object)
            let old = remove(k)
            return [StoreChange(key: k, old: old ?? object, new: nil)]
        case .undecodable(let k):
            guard let old = remove(k) else { return [] }
            return [StoreChange(key: k, old: old, new: nil)]
        case .restarted(let list, let namespace):
            var changes: [StoreChange<Object>] = []
            var seen: Set<ObjectKey> = []
            let isInitialList = !syncedNamespaces.contains(namespace)
            for object in list {
                let k = key(object)
                seen.insert(k)
                let old = put(k, object)
                changes.append(StoreChange(key: k, old: old, new: object, isInitialList: isInitialList))
            }
            // What the relist no longer has is gone (missed deletions during a 410 gap).
            for k in objects.keys where !seen.contains(k) && (namespace == nil || k.namespace == namespace) {
                let old = remove(k)
                changes.append(StoreChange(key: k, old: old, new: nil))
            }
            syncedNamespaces.insert(namespace)
            if hasSynced {
                for waiter in syncWaiters.values { waiter.resume() }
                syncWaiters.removeAll()
            }
            return changes
        }
    }

    private func put(_ k: ObjectKey, _ object: Object) -> Object? {
        let old = objects.updateValue(object, forKey: k)
        if let old { unindex(k, old) }
        for (name, function) in indexers {
            for value in function(object) { indexes[name, default: [:]][value, default: []].insert(k) }
        }
        return old
    }

    private func remove(_ k: ObjectKey) -> Object? {
        guard let old = objects.removeValue(forKey: k) else { return nil }
        unindex(k, old)
        return old
    }

    private func unindex(_ k: ObjectKey, _ object: Object) {
        for (name, function) in indexers {
            for value in function(object) {
                indexes[name]?[value]?.remove(k)
                if indexes[name]?[value]?.isEmpty == true { indexes[name]?[value] = nil }
            }
        }
    }
}
