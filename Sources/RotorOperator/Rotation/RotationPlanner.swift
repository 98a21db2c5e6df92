import Foundation
import KubeRuntime
import KubeAPI
import RotorAPI
import SecretProviders

/// What overlap rotation adds to one sync of an ExternalSecret: the previous values and
/// `rotor.dev/*` annotations to write, and when to wake up next. Produced by
/// ``RotationPlanner``; `description` and `dump` show keys and times, never values.
public struct RotationPlan: Sendable, Equatable, CustomStringConvertible, CustomReflectable {
    /// What to write beside the rendered data (pass to ``ManagedSecretPlan``).
    public var additions: ManagedSecretAdditions
    /// The window in force after the write, `nil` when only current values remain.
    public var window: RotationWindow?
    /// Keys whose change (or removal) opened or restarted the window in this plan, sorted;
    /// empty when no rotation happened now.
    public var rotatedKeys: [String]
    /// Keys whose previous value this plan removes because their window ended, sorted.
    public var expiredKeys: [String]
    /// The grace period has passed but the previous values are held (restart targets have
    /// not finished rolling out).
    public var heldAfterGrace: Bool

    public init(
        additions: ManagedSecretAdditions = .none, window: RotationWindow? = nil, rotatedKeys: [String] = [],
        expiredKeys: [String] = [], heldAfterGrace: Bool = false
    ) {
        self.additions = additions
        self.window = window
        self.rotatedKeys = rotatedKeys
        self.expiredKeys = expiredKeys
        self.heldAfterGrace = heldAfterGrace
    }

    /// A value changed (or a key went away) and its previous value is now kept.
    public var rotated: Bool { !rotatedKeys.isEmpty }
    /// This plan ends a window.
    public var expired: Bool { !expiredKeys.isEmpty }

    /// `Overlap` while previous values are kept, else `Stable`.
    public var phase: RotationPhase { window == nil ? .stable : .overlap }

    /// When the reconcile must run again for rotation's sake: exactly `grace-until` while a
    /// window runs; `nil` otherwise (also while held after grace: the caller polls the
    /// rollouts it waits for).
    public var nextWake: Date? {
        guard let window, !heldAfterGrace else { return nil }
        return window.graceUntil
    }

    public var description: String {
        "RotationPlan(phase: \(phase.rawValue), window: \(window.map(\.description) ?? "nil"), rotated: \(rotatedKeys), expired: \(expiredKeys), held: \(heldAfterGrace), additions: \(additions))"
    }

    public var customMirror: Mirror {
        Mirror(self, children: ["description": description], displayStyle: .struct)
    }
}

/// Overlap rotation, as a pure function of the Secret as it is, the data just rendered,
/// the `rotation` block and the time.
///
/// Rules:
/// - A synced key whose value differs from the one in the Secret keeps the old value as
///   `KEY + previousSuffix`; the window (`rotated-at` = now, `grace-until` = now +
///   `gracePeriod`, rounded up to the second so it never ends early) opens or restarts.
/// - One previous value per key: a second change replaces it. Previous values of other keys
///   that are still in their window are carried into the restarted window (their end moves
///   later, never earlier).
/// - **A key removed upstream** (in the Secret, no longer rendered; `Owner`/`Orphan` only) is
///   a change to "no value": its old value is kept as `KEY + previousSuffix` for a full
///   window, like any other change. Why: a consumer may still present the old value, and a
///   removal is often half of a rename; dropping it at once would be the only way a previous
///   value could vanish before its window ends. (With `Merge` Rotor never removes keys, so
///   nothing is removed upstream.) Deleting the ExternalSecret or its `rotation` block still
///   drops previous values at once.
/// - A new key (not yet in the Secret) has no previous value.
/// - Nothing changed: the window is reproduced exactly (same data and annotations, so no
///   write); at `grace-until` (`now >= grace-until`) the previous keys and annotations go,
///   unless `holdPrevious` (restart targets still rolling out), which keeps them.
/// - `previousSuffix` turning a synced key into another synced key (or, with `Merge`, into a
///   key of the Secret that is not Rotor's) is `InvalidSpec`, as is a `gracePeriod` that is
///   not a positive duration or a suffix a Secret key cannot hold.
public enum RotationPlanner {
    /// Plans rotation for one sync.
    ///
    /// - Parameters:
    ///   - existing: the target Secret as read now (`nil`: not created yet).
    ///   - rendered: the data just rendered.
    ///   - rotation: `spec.rotation`; `nil` drops any previous values at once.
    ///   - creationPolicy: `Merge` never removes keys, so removals upstream are not detected.
    ///   - holdPrevious: keep previous values after `grace-until` (rollouts not finished).
    public static func plan(
        existing: Secret?, rendered: [String: SecretValue], rotation: ExternalSecretRotation?,
        creationPolicy: CreationPolicy = .owner, now: Date, holdPrevious: Bool = false
    ) -> Result<RotationPlan, SyncFailure> {
        let recorded = RotationWindow.read(from: existing?.metadata.annotations)
        let existingData = existing?.data ?? [:]
        guard let rotation else {
            // Rotation switched off: whatever it left is removed now.
            guard let recorded else { return .success(RotationPlan()) }
            let suffix = ExternalSecretRotation.defaultPreviousSuffix
            return .success(RotationPlan(
                additions: ManagedSecretAdditions(removedDataKeys: Set(recorded.previousKeys.map { $0 + suffix })),
                expiredKeys: recorded.previousKeys.filter { existingData[$0 + suffix] != nil }))
        }
        let grace: KubeDuration
        switch validate(rotation, rendered: rendered, existingData: existingData, recorded: recorded, creationPolicy: creationPolicy) {
        case .success(let g): grace = g
        case .failure(let failure): return .failure(failure)
        }
        let suffix = rotation.effectivePreviousSuffix

        // Previous values the Secret holds now.
        var held: [String: Data] = [:]
        for key in recorded?.previousKeys ?? [] {
            if let value = existingData[key + suffix] { held[key] = value }
        }
        let windowOpen = recorded.map { now < $0.graceUntil } ?? false

        // What changed since the Secret was written.
        var rotated: [String: Data] = [:]
        for (key, value) in rendered {
            guard let old = existingData[key] else { continue }
            if !constantTimeEquals(Array(old), value.revealedBytes()) { rotated[key] = old }
        }
        if creationPolicy != .merge {
            for (key, old) in existingData where rendered[key] == nil && !key.hasSuffix(suffix) && held[key] == nil {
                rotated[key] = old
            }
        }

        if !rotated.isEmpty {
            // Open or restart the window; still-running (or held) previous values ride along.
            var previous = (windowOpen || holdPrevious) ? held : [:]
            previous.merge(rotated) { _, new in new }
            let window = RotationWindow(
                rotatedAt: KubeTime(now).date,
                graceUntil: Date(timeIntervalSince1970: now.addingTimeInterval(grace.timeInterval).timeIntervalSince1970.rounded(.up)),
                previousKeys: Array(previous.keys))
            let dropped = Set(held.keys).subtracting(previous.keys)
            return .success(RotationPlan(
                additions: additions(window: window, previous: previous, suffix: suffix, removing: dropped),
                window: window, rotatedKeys: rotated.keys.sorted(), expiredKeys: dropped.sorted()))
        }

        guard let recorded, !held.isEmpty else {
            // No window, or only its annotations are left: plain current values.
            let stale = Set(recorded?.previousKeys ?? [])
            return .success(RotationPlan(additions: ManagedSecretAdditions(removedDataKeys: Set(stale.map { $0 + suffix }))))
        }
        if windowOpen || holdPrevious {
            // Reproduce the window exactly: no write while it runs.
            let window = RotationWindow(rotatedAt: recorded.rotatedAt, graceUntil: recorded.graceUntil, previousKeys: Array(held.keys))
            return .success(RotationPlan(
                additions: additions(window: window, previous: held, suffix: suffix, removing: []),
                window: window, heldAfterGrace: !windowOpen))
        }
        return .success(RotationPlan(
            additions: ManagedSecretAdditions(removedDataKeys: Set(held.keys.map { $0 + suffix })),
            expiredKeys: held.keys.sorted()))
    }

    /// When the reconcile must run for rotation's sake, from the Secret alone (no provider
    /// read): `grace-until` of the window it records, `nil` without one. A restarted
    /// operator requeues from this.
    public static func nextWake(existing: Secret?) -> Date? {
        RotationWindow.read(from: existing?.metadata.annotations)?.graceUntil
    }

    /// Whether the Secret records a window that has ended by `now` (or rotation was switched
    /// off while one runs): the reconcile must sync to remove the previous values even when
    /// no refresh is due.
    public static func housekeepingDue(existing: Secret?, rotation: ExternalSecretRotation?, now: Date) -> Bool {
        guard let window = RotationWindow.read(from: existing?.metadata.annotations) else { return false }
        return rotation == nil || now >= window.graceUntil
    }

    /// `InvalidSpec` for a `gracePeriod` that is not a positive duration or a
    /// `previousSuffix` a Secret key cannot hold: what can be checked without the data (so
    /// before a scheduled rotation writes to the provider). Collisions of previous keys with
    /// synced keys are found by ``plan(existing:rendered:rotation:creationPolicy:now:holdPrevious:)``.
    public static func validate(_ rotation: ExternalSecretRotation) -> SyncFailure? {
        guard let grace = rotation.gracePeriodDuration, grace > .zero else {
            return .invalidSpec(
                field: "spec.rotation.gracePeriod", problem: "\"\(rotation.gracePeriod)\" is not a positive duration such as 1h or 15m")
        }
        guard grace <= KubeDuration.specMaximum else {
            return .invalidSpec(
                field: "spec.rotation.gracePeriod", problem: "\"\(rotation.gracePeriod)\" is longer than the maximum \(KubeDuration.specMaximumText)")
        }
        let suffix = rotation.effectivePreviousSuffix
        guard isValidKeyText(suffix) else {
            return .invalidSpec(field: "spec.rotation.previousSuffix", problem: "\"\(suffix)\" may hold only letters, digits, '-', '_' and '.'")
        }
        return nil
    }

    // MARK: Helpers

    private static func additions(
        window: RotationWindow, previous: [String: Data], suffix: String, removing: Set<String>
    ) -> ManagedSecretAdditions {
        ManagedSecretAdditions(
            annotations: window.annotations,
            data: Dictionary(uniqueKeysWithValues: previous.map { ($0.key + suffix, SecretValue(bytes: $0.value)) }),
            removedDataKeys: Set(removing.map { $0 + suffix }))
    }

    /// Characters a Secret data key may hold.
    static func isValidKeyText(_ text: String) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-._".unicodeScalars.contains($0)) }
    }

    private static func validate(
        _ rotation: ExternalSecretRotation, rendered: [String: SecretValue], existingData: [String: Data],
        recorded: RotationWindow?, creationPolicy: CreationPolicy
    ) -> Result<KubeDuration, SyncFailure> {
        if let failure = validate(rotation) { return .failure(failure) }
        guard let grace = rotation.gracePeriodDuration else { return .failure(.invalidSpec(field: "spec.rotation.gracePeriod", problem: "not a duration")) }
        let suffix = rotation.effectivePreviousSuffix
        let ours = Set(recorded?.previousKeys ?? [])
        for key in rendered.keys.sorted() {
            let previousKey = key + suffix
            if rendered[previousKey] != nil {
                return .failure(.invalidSpec(
                    field: "spec.rotation.previousSuffix",
                    problem: "the previous value of key \"\(key)\" would be written as \"\(previousKey)\", which is a synced key; choose another suffix"))
            }
            if creationPolicy == .merge, existingData[previousKey] != nil, !ours.contains(key) {
                return .failure(.invalidSpec(
                    field: "spec.rotation.previousSuffix",
                    problem: "the previous value of key \"\(key)\" would overwrite key \"\(previousKey)\" of the Secret, which Rotor does not own; choose another suffix"))
            }
        }
        return .success(grace)
    }
}
