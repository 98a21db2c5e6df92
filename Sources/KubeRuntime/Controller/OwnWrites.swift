import Foundation

/// The object versions a controller wrote itself, so that the watch event echoing such a
/// write does not wake the controller for a reconcile that would find nothing to do
/// (client-go controllers keep "expectations" for the same reason).
///
/// Only an event carrying exactly a recorded `resourceVersion` counts as an echo: a
/// version is one state of one object, so someone else's change (another version) is
/// never mistaken for one. The stale record goes with the next event of that object.
/// Bounded: past `capacity` records everything is forgotten, which costs only reconciles.
///
/// An echo often arrives before the write's own answer (the API server sends the watch
/// event and the response at about the same time). So a writer announces the write first
/// (``beginWrite(_:)``): events of that object while it is in flight are held as probable
/// echoes, and ``endWrite(_:resourceVersion:)`` compares them with the version written —
/// telling the writer when one was not its own (someone else's change, or a failed write),
/// so that it looks again. Without this, with many workers, most echoes outran their
/// record and each cost a second reconcile against a stale cache (a `409` on the create or
/// the status write).
public actor OwnWrites {
    private var versions: [ObjectKey: String] = [:]
    /// Writes in flight per object, and the last version seen while one was.
    private var inFlight: [ObjectKey: Int] = [:]
    private var seenInFlight: [ObjectKey: String?] = [:]
    public nonisolated let capacity: Int

    public init(capacity: Int = 50_000) {
        self.capacity = max(1, capacity)
    }

    /// Records that this controller wrote `key` and the API server answered with `resourceVersion`.
    public func record(_ key: ObjectKey, resourceVersion: String?) {
        guard let resourceVersion else { return }
        if versions.count >= capacity, versions[key] == nil { versions.removeAll(keepingCapacity: true) }
        versions[key] = resourceVersion
    }

    /// Announces a write of `key` about to be sent.
    public func beginWrite(_ key: ObjectKey) {
        inFlight[key, default: 0] += 1
    }

    /// Ends a write announced with ``beginWrite(_:)``: records `resourceVersion` (nil when the
    /// write failed) and returns true when an event held meanwhile showed another version —
    /// someone else's change the writer must look at (its write may also have failed).
    public func endWrite(_ key: ObjectKey, resourceVersion: String?) -> Bool {
        let remaining = (inFlight[key] ?? 1) - 1
        inFlight[key] = remaining > 0 ? remaining : nil
        guard let held = seenInFlight.removeValue(forKey: key) else {
            record(key, resourceVersion: resourceVersion)
            return false
        }
        // The echo already came: nothing more to wait for.
        if let resourceVersion, held == resourceVersion { return false }
        record(key, resourceVersion: resourceVersion)
        return true
    }

    /// Whether an event showing `key` at `resourceVersion` echoes a write of this controller:
    /// a recorded one (the record is used up either way: a later event is a newer state), or
    /// one still in flight (held until it ends).
    public func isEcho(_ key: ObjectKey, resourceVersion: String?) -> Bool {
        if inFlight[key] != nil {
            seenInFlight[key] = resourceVersion
            return true
        }
        guard let recorded = versions.removeValue(forKey: key) else { return false }
        return recorded == resourceVersion
    }

    /// Writes recorded and not yet echoed.
    public var count: Int { versions.count }
}
