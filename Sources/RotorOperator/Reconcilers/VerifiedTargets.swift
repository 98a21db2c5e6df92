import Foundation
import KubeRuntime
import NIOConcurrencyHelpers

/// What this process last knew of each ExternalSecret's Secret when it matched the plan
/// exactly: the Secret's resourceVersion then, the fingerprint of the data it holds, and
/// the ExternalSecret's generation.
///
/// A refresh reads the target Secret to compare it with what it renders. The managed-Secret
/// cache keeps no data (bounded memory), but it does keep each Secret's resourceVersion: when
/// that is still the version recorded here and the spec is the one it was verified for,
/// nothing can have changed the Secret, and a refresh whose freshly rendered data has the
/// same fingerprint writes nothing without reading it. That halves the API requests of a
/// periodic refresh (one status write instead of a read and a write). Anything else — the
/// Secret changed by anyone, a new spec, new data, a rotation block, a restarted operator
/// (empty table) — reads the Secret as before. Never holds a value.
public final class VerifiedTargets: Sendable {
    public struct Entry: Sendable, Equatable {
        /// The Secret's `metadata.resourceVersion` when it was verified (or written).
        public var secretResourceVersion: String
        /// The `rotor.dev/fingerprint` of its data.
        public var fingerprint: String
        /// The ExternalSecret's `metadata.uid` and `metadata.generation` it was verified for
        /// (an ExternalSecret deleted and made again under the same name is another one).
        public var uid: String?
        public var generation: Int64?
        /// The Secret's creation time (for `rotor_secret_age_seconds`).
        public var created: Date?

        public init(secretResourceVersion: String, fingerprint: String, uid: String?, generation: Int64?, created: Date?) {
            self.secretResourceVersion = secretResourceVersion
            self.fingerprint = fingerprint
            self.uid = uid
            self.generation = generation
            self.created = created
        }
    }

    private let entries = NIOLockedValueBox<[ObjectKey: Entry]>([:])

    public init() {}

    /// The entry of the ExternalSecret `key`, if one was recorded.
    public func entry(for key: ObjectKey) -> Entry? {
        entries.withLockedValue { $0[key] }
    }

    /// Records that the Secret of the ExternalSecret `key` matches the plan as `entry` says.
    public func record(_ entry: Entry, for key: ObjectKey) {
        entries.withLockedValue { $0[key] = entry }
    }

    /// Forgets the ExternalSecret `key` (gone, or its Secret in a state not recorded here).
    public func forget(_ key: ObjectKey) {
        _ = entries.withLockedValue { $0.removeValue(forKey: key) }
    }
}
