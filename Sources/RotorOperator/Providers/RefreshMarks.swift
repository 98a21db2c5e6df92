import Foundation
import KubeRuntime
import NIOConcurrencyHelpers
import SecretProviders

/// How fresh the values of each ExternalSecret's next refresh must be, so that a store's
/// shared cache never hands an ExternalSecret a value older than its own refresh interval.
///
/// A store's reads are cached (``CoalescingReader``, 30 s by default) so that many
/// ExternalSecrets reading one key cost one provider read. Served blindly, that cache made
/// an ExternalSecret with `refreshInterval: 3s` see a new version up to 30 s late. Here each
/// ExternalSecret notes, when a refresh has read its values, the latest ``ReadMark`` of the
/// process; its next refresh accepts only reads started after that mark (so never the read
/// its previous refresh used, nor an older one) and started within its refresh interval.
/// ExternalSecrets of one key that come due together still share one read: it started after
/// each of their marks.
///
/// Memory: one mark per ExternalSecret that has read, dropped when it is deleted. A restarted
/// operator starts with none (and an empty cache). Never holds a value.
public final class RefreshMarks: Sendable {
    private struct Entry {
        var mark: ReadMark
        /// The sync's time (what it wrote as `status.refreshTime`).
        var synced: Date
    }

    private let marks = NIOLockedValueBox<[ObjectKey: Entry]>([:])

    public init() {}

    /// What a read of the ExternalSecret `key` needs of the store's cache under `schedule`:
    /// for a periodic schedule, no older than the interval; and for a refresh (its interval
    /// elapsed, or `due` unknown as when reading ahead), started after its previous sync's
    /// values were in hand. A sync for another reason (a first sync, a changed spec, a
    /// drifted Secret) takes any read within the interval, so ExternalSecrets created or
    /// changed together share theirs, and a sync that follows a sync soon after does not
    /// read the provider again.
    public func freshness(for key: ObjectKey, schedule: RefreshSchedule, due: DueReason? = .intervalElapsed) -> ReadFreshness {
        let maxAge: Duration? = if case .periodic(let interval) = schedule { interval } else { nil }
        let after = due == .intervalElapsed ? marks.withLockedValue { $0[key]?.mark } : nil
        return ReadFreshness(startedAfter: after, maxAge: maxAge)
    }

    /// Notes that the ExternalSecret `key` synced values read by `mark` (the
    /// ``ReadMark/current`` taken when they were in hand): its next refresh needs reads
    /// started after it. Recorded once the sync went through, so that a sync retried after
    /// a failed write (a conflict) reuses the values it read instead of reading again.
    public func record(_ mark: ReadMark, for key: ObjectKey, synced: Date) {
        marks.withLockedValue { $0[key] = Entry(mark: mark, synced: synced) }
    }

    /// Whether `refreshTime` (an ExternalSecret's status as a cache has it) is older than
    /// the last sync recorded here: the cache has not caught up with that sync yet, and
    /// the ExternalSecret is not as due as it looks there.
    public func isBehind(_ key: ObjectKey, refreshTime: Date?) -> Bool {
        guard let synced = marks.withLockedValue({ $0[key]?.synced }) else { return false }
        // `refreshTime` is kept to the second.
        return refreshTime.map { synced.timeIntervalSince($0) >= 1 } ?? true
    }

    /// Forgets the ExternalSecret `key` (deleted).
    public func forget(_ key: ObjectKey) {
        _ = marks.withLockedValue { $0.removeValue(forKey: key) }
    }

    /// ExternalSecrets with a mark.
    public var count: Int { marks.withLockedValue { $0.count } }
}
