import Foundation
import JSONCore
import RotorAPI

/// `kubectl rotor sync` and `kubectl rotor rotate`: a request to the operator written as an
/// annotation on the ExternalSecret, exactly as the README's
/// `kubectl annotate es NAME rotor.dev/force-sync=$(date +%s) --overwrite` writes it.
///
/// The operator acts on any *new* value of the annotation, so the value is the current Unix
/// time, or one more than the value already there when that is not smaller (two requests
/// in the same second, or a clock behind the last requester's): every request is new.
public struct AnnotationRequest: Sendable, Hashable {
    /// The annotation set.
    public var annotation: String
    /// What the confirmation line says was requested (`sync`, `rotation`).
    public var noun: String

    /// `rotor.dev/force-sync`: read the provider now.
    public static let sync = AnnotationRequest(annotation: ExternalSecretAnnotations.forceSync, noun: "sync")
    /// `rotor.dev/rotate`: run a scheduled rotation now (needs `spec.rotation.generate`).
    public static let rotate = AnnotationRequest(annotation: ExternalSecretAnnotations.rotate, noun: "rotation")

    /// The value to write: `now` in whole Unix seconds, or `previous + 1` when `previous`
    /// (the value there now) is a number at least as large.
    public static func value(now: Date, previous: String?) -> String {
        let seconds = Int64(now.timeIntervalSince1970.rounded(.down))
        guard let previous, let last = Int64(previous), last >= seconds, last < Int64.max else { return String(seconds) }
        return String(last + 1)
    }

    /// The JSON merge patch that sets the annotation to `value` and touches nothing else.
    public func patch(value: String) -> JSONValue {
        .object(["metadata": .object(["annotations": .object([annotation: .string(value)])])])
    }

    /// The line printed once the patch was accepted, as kubectl names objects:
    /// `externalsecret.rotor.dev/NAME sync requested`.
    public func confirmation(name: String) -> String {
        "externalsecret.\(RotorResourceTypes.group)/\(name) \(noun) requested"
    }
}
