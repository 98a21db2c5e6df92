import JSONCore
import KubeAPI

/// The last changes, for watches that resume from a resourceVersion.
struct ChangeHistory: Sendable {
    let limit: Int
    private var events: [ChangeEvent] = []
    private var head = 0
    /// The highest resourceVersion no longer in the history: resuming from an older
    /// one gets `410 Expired`.
    private(set) var compactedThrough: Int64 = 0

    init(limit: Int) { self.limit = max(1, limit) }

    mutating func append(_ event: ChangeEvent) {
        if events.count < limit {
            events.append(event)
        } else {
            compactedThrough = events[head].resourceVersion
            events[head] = event
            head = (head + 1) % limit
        }
    }

    /// Forgets everything up to `resourceVersion`, as an etcd compaction does.
    mutating func compact(through resourceVersion: Int64) {
        let kept = ordered.filter { $0.resourceVersion > resourceVersion }
        events = kept
        head = 0
        compactedThrough = max(compactedThrough, resourceVersion)
    }

    var ordered: [ChangeEvent] {
        events.count < limit ? events : Array(events[head...] + events[..<head])
    }

    /// The changes after `resourceVersion`, oldest first.
    func since(_ resourceVersion: Int64) -> [ChangeEvent] {
        let all = ordered
        let start = all.partitionPoint { $0.resourceVersion <= resourceVersion }
        return Array(all[start...])
    }
}

/// One open watch: what it selects and where its events go.
struct Watcher: Sendable {
    /// The storage watched.
    var resource: ResourceID
    /// How the watched resource serves stored objects (nil: as stored).
    var view: ResourceDescriptor?
    var namespace: String?
    var labelSelector: LabelSelectorQuery?
    var fieldSelector: FieldSelectorQuery?
    var bookmarks: Bool
    var continuation: AsyncStream<WatchItem>.Continuation

    func selects(_ object: JSONObject?) -> Bool {
        guard let object else { return false }
        if let namespace, object.value(at: ["metadata", "namespace"])?.stringValue != namespace { return false }
        return (labelSelector?.matches(object: object) ?? true) && (fieldSelector?.matches(object: object) ?? true)
    }
}

extension ClusterStore {
    /// Opens a watch. `resourceVersion` empty or "0" starts with synthetic `ADDED`
    /// events for what exists now; a version older than the history yields a single
    /// `ERROR` 410 event, as kube-apiserver's watch cache does.
    func watch(
        _ resource: ResourceDescriptor, namespace: String?, labelSelector: LabelSelectorQuery?,
        fieldSelector: FieldSelectorQuery?, resourceVersion: String?, bookmarks: Bool,
        sendInitialEvents: Bool = false
    ) throws -> (id: Int, stream: AsyncStream<WatchItem>) {
        let (stream, continuation) = AsyncStream<WatchItem>.makeStream(
            bufferingPolicy: .bufferingOldest(configuration.watchBufferLimit))
        let watcher = Watcher(
            resource: resource.storageID, view: resource.view == nil ? nil : resource,
            namespace: resource.namespaced ? namespace : nil, labelSelector: labelSelector,
            fieldSelector: fieldSelector, bookmarks: bookmarks, continuation: continuation)
        let rvText = resourceVersion ?? ""
        if rvText.isEmpty || rvText == "0" || sendInitialEvents {
            let page = try list(
                resource, namespace: namespace, labelSelector: labelSelector, fieldSelector: fieldSelector,
                limit: nil, continueToken: nil, resourceVersion: nil, resourceVersionMatch: nil)
            for item in page.items { continuation.yield(.event(.added, item)) }
            if sendInitialEvents && bookmarks {
                continuation.yield(.bookmark(resourceVersion: currentResourceVersion))
            }
        } else {
            guard let rv = Int64(rvText) else {
                throw APIError.badRequest("resourceVersion: Invalid value: \"\(rvText)\": must be a valid resourceVersion")
            }
            if rv < history.compactedThrough {
                continuation.yield(.error(APIError.gone("too old resource version: \(rv) (\(history.compactedThrough + 1))").status))
                continuation.finish()
                return (-1, stream)
            }
            for event in history.since(rv) where event.resource == resource.storageID {
                deliver(event, to: watcher)
            }
        }
        let id = nextWatcherID
        nextWatcherID += 1
        watchers[id] = watcher
        return (id, stream)
    }

    func stopWatch(_ id: Int) {
        watchers.removeValue(forKey: id)?.continuation.finish()
    }

    /// Sends a bookmark with the current resourceVersion to every watch that asked for them.
    func sendBookmarks() {
        for watcher in watchers.values where watcher.bookmarks {
            watcher.continuation.yield(.bookmark(resourceVersion: currentResourceVersion))
        }
    }

    /// Ends every open watch (clients must resume from their last resourceVersion).
    func dropAllWatches() {
        for watcher in watchers.values { watcher.continuation.finish() }
        watchers.removeAll()
    }

    /// Where the watch history begins once the emulator has set itself up: as with
    /// kube-apiserver's watch cache, which starts at the revision the server started at, a
    /// watch from before it (`resourceVersion=1`) gets 410 `Expired`. The current
    /// revision itself stays usable (lists and continue tokens of it).
    func markStarted() {
        history.compact(through: max(0, currentResourceVersion - 1))
    }

    /// Forgets the history up to now, so that resuming from any older resourceVersion gets 410.
    func compactHistory() {
        history.compact(through: currentResourceVersion)
    }

    var openWatchCount: Int { watchers.count }

    func publish(_ event: ChangeEvent) {
        history.append(event)
        var dropped: [Int] = []
        for (id, watcher) in watchers where watcher.resource == event.resource {
            if !deliver(event, to: watcher) { dropped.append(id) }
        }
        for id in dropped { stopWatch(id) }
    }

    /// Sends an event to a watcher, translating selector transitions; false when the
    /// watcher's buffer is full (it is then closed, as the API server closes slow watchers).
    @discardableResult
    private func deliver(_ event: ChangeEvent, to watcher: Watcher) -> Bool {
        let now = watcher.selects(event.object.object)
        let before = watcher.selects(event.previous)
        let type: WatchEventType
        var sent = event.object
        switch event.type {
        case .added:
            guard now else { return true }
            type = .added
        case .modified:
            switch (before, now) {
            case (true, true): type = .modified
            case (false, true): type = .added
            case (true, false):
                // Leaving the selector: the last state the watcher was allowed to see, at
                // this change's resourceVersion (as kube-apiserver's watch cache sends it).
                type = .deleted
                if var last = event.previous {
                    last.set(.string(String(event.resourceVersion)), at: ["metadata", "resourceVersion"])
                    sent = StoredObject(last, resourceVersion: event.resourceVersion)
                }
            case (false, false): return true
            }
        case .deleted:
            guard now || before else { return true }
            type = .deleted
        default:
            return true
        }
        let object = watcher.view?.presented(sent) ?? sent
        if case .dropped = watcher.continuation.yield(.event(type, object)) { return false }
        return true
    }
}
