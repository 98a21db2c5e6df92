import Foundation

/// The object versions a controller wrote itself, so that the watch event echoing such a
/// write does not wake the controller for a reconcile that would find nothing to do
/// (client-go controllers keep "expectations" for the same reason).
///
/// Only an event carrying exactly a recorded `resourceVersion` counts as an echo: a
/// version is one state of one object, so someone else's change (another version) is
/// never mistaken for one. An echo that arrives before its write is recorded is not
/// recognised and costs the reconcile it always did; the stale record goes with the next
/// event of that object. Bounded: past `capacity` records everything is forgotten, which
/// again costs only reconciles.
public actor OwnWrites {
    private var versions: [ObjectKey: String] = [:]
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

    /// Whether an event showing `key` at `resourceVersion` echoes a recorded write. Either
    /// way the key's record is used up: a later event is a newer state.
    public func isEcho(_ key: ObjectKey, resourceVersion: String?) -> Bool {
        guard let recorded = versions.removeValue(forKey: key) else { return false }
        return recorded == resourceVersion
    }

    /// Writes recorded and not yet echoed.
    public var count: Int { versions.count }
}
