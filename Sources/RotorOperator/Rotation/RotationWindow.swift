import Foundation
import KubeAPI

/// The overlap window recorded on a target Secret by its `rotor.dev/*` annotations.
/// The Secret is the source of truth for the window, so a restarted
/// operator resumes it exactly.
public struct RotationWindow: Sendable, Hashable, CustomStringConvertible {
    /// When the values last changed (`rotor.dev/rotated-at`), whole seconds.
    public var rotatedAt: Date
    /// When the previous values may be removed (`rotor.dev/grace-until`), whole seconds.
    public var graceUntil: Date
    /// The keys whose previous value is in the Secret as `KEY + previousSuffix`, sorted
    /// (`rotor.dev/previous-keys`, comma-separated).
    public var previousKeys: [String]

    public init(rotatedAt: Date, graceUntil: Date, previousKeys: [String]) {
        self.rotatedAt = rotatedAt
        self.graceUntil = graceUntil
        self.previousKeys = previousKeys.sorted()
    }

    /// The window recorded in `annotations`, or `nil` when there is none. A window with an
    /// unreadable time is read as ending now-or-never in the safe direction: a missing or
    /// malformed `grace-until` is taken as `distantFuture` only when previous keys are
    /// listed, so nothing is dropped on a guess; the next change rewrites it.
    public static func read(from annotations: [String: String]?) -> RotationWindow? {
        guard let annotations else { return nil }
        let keysText = annotations[ManagedSecretMetadata.previousKeysAnnotation]
        let graceText = annotations[ManagedSecretMetadata.graceUntilAnnotation]
        let rotatedText = annotations[ManagedSecretMetadata.rotatedAtAnnotation]
        guard keysText != nil || graceText != nil || rotatedText != nil else { return nil }
        let keys = (keysText ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        // Rounded up: a fractional grace-until written by someone else never ends a window early.
        let graceUntil = graceText.flatMap { RFC3339.parse($0) }.map { Date(timeIntervalSince1970: $0.timeIntervalSince1970.rounded(.up)) }
        let rotatedAt = rotatedText.flatMap { KubeTime(rfc3339: $0)?.date }
        return RotationWindow(
            rotatedAt: rotatedAt ?? graceUntil ?? .distantPast, graceUntil: graceUntil ?? (keys.isEmpty ? .distantPast : .distantFuture),
            previousKeys: keys)
    }

    /// The annotations that record this window.
    public var annotations: [String: String] {
        [
            ManagedSecretMetadata.rotatedAtAnnotation: KubeTime(rotatedAt).rfc3339,
            ManagedSecretMetadata.graceUntilAnnotation: KubeTime(graceUntil).rfc3339,
            ManagedSecretMetadata.previousKeysAnnotation: previousKeys.joined(separator: ","),
        ]
    }

    /// Identifies the rotation that opened this window (its `rotated-at` time): what
    /// `status.rotation.restartedFor` records so restart targets roll once per rotation.
    public var rotationID: String { KubeTime(rotatedAt).rfc3339 }

    public var description: String {
        "RotationWindow(rotatedAt: \(KubeTime(rotatedAt)), graceUntil: \(KubeTime(graceUntil)), previousKeys: \(previousKeys))"
    }
}
