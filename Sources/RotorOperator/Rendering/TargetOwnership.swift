import KubeAPI
import RotorAPI

/// One writer per Secret: which ExternalSecret may write an existing target Secret. Pure;
/// the reconciler reads the Secret (and, when asked, whether a recorded manager still
/// exists) and acts on the answer.
///
/// The record: every Secret Rotor writes carries `rotor.dev/managed-by` (the managing
/// ExternalSecret's name, in the Secret's namespace) and `rotor.dev/managed-by-uid` (its
/// uid). The record on the Secret decides, never the order of reconciles, so the answer is
/// the same after an operator restart:
///
/// 1. A controller ownerReference (`controller: true`) that is not this ExternalSecret's
///    wins, whatever the policy (`Merge` included): another ExternalSecret's is a
///    `Conflict` naming it; any other kind's (a Deployment, another operator) is
///    "controlled by" (`InvalidSpec`). An `Owner` Secret is never adopted away from its
///    controller, even one that no longer exists: the garbage collector deletes that Secret,
///    and the next sync creates it anew.
/// 2. A record naming another ExternalSecret is a `Conflict` naming it, unless that
///    ExternalSecret no longer manages the Secret (no object of that name, one with another
///    uid, one being deleted, or one whose target is now another Secret): then the Secret
///    may be adopted, and the next write records the new manager. When that cannot be
///    known (the lookup failed), it is a `Conflict`: an unknown state refuses. A record
///    with this ExternalSecret's name but another uid is a deleted and re-created
///    ExternalSecret: adopted.
/// 3. Then ESO's adoption rules: `Owner` and `Orphan` write only into a Secret Rotor
///    created (label `rotor.dev/managed=true`, or this ExternalSecret's controller
///    reference); `Merge` writes into any Secret not excluded above.
///
/// A Secret written by a Rotor without records (no `rotor.dev/managed-by`) is claimed by
/// the first ExternalSecret that writes it under rule 3.
public enum TargetOwnership {
    /// Who manages a Secret, as recorded on it.
    public struct Record: Sendable, Hashable {
        public var name: String
        public var uid: String?

        public init(name: String, uid: String?) {
            self.name = name
            self.uid = uid
        }
    }

    /// The record on `secret`, if any.
    public static func record(of secret: Secret) -> Record? {
        let annotations = secret.metadata.annotations ?? [:]
        guard let name = annotations[ManagedSecretMetadata.managedByAnnotation], !name.isEmpty else { return nil }
        let uid = annotations[ManagedSecretMetadata.managedByUIDAnnotation]
        return Record(name: name, uid: uid?.isEmpty == true ? nil : uid)
    }

    /// The annotations that record `externalSecret` as the manager.
    public static func recordAnnotations(for externalSecret: ExternalSecret) -> [String: String] {
        var annotations = [ManagedSecretMetadata.managedByAnnotation: externalSecret.name]
        if let uid = externalSecret.metadata.uid, !uid.isEmpty { annotations[ManagedSecretMetadata.managedByUIDAnnotation] = uid }
        return annotations
    }

    /// The recorded manager whose existence decides between `Conflict` and adoption: a
    /// record naming another ExternalSecret, on a Secret no controller reference already
    /// decides. `nil`: nothing to look up.
    public static func managerToLookUp(existing: Secret, externalSecret: ExternalSecret) -> Record? {
        if otherController(of: existing, externalSecret: externalSecret) != nil { return nil }
        guard let record = record(of: existing), record.name != externalSecret.name else { return nil }
        return record
    }

    /// Whether `found` (the object of the recorded name, `nil` when there is none) is the
    /// recorded manager of `secret` still: the same uid (a record without uid accepts any),
    /// still naming `secret` as its target and not being deleted.
    public static func isRecordedManager(_ record: Record, found: ExternalSecret?, of secret: Secret) -> Bool {
        guard let found, found.metadata.deletionTimestamp == nil, found.targetSecretName == secret.metadata.name else { return false }
        guard let uid = record.uid else { return true }
        return found.metadata.uid == uid
    }

    /// Why `externalSecret` may not write `existing`, or `nil` when it may.
    ///
    /// - Parameter recordedManagerGone: the manager named by ``managerToLookUp(existing:externalSecret:)``
    ///   no longer exists. Pass `false` when it was not (or could not be) looked up: an
    ///   unknown state refuses.
    public static func refusal(existing: Secret, externalSecret es: ExternalSecret, recordedManagerGone: Bool) -> ManagedSecretRefusal? {
        let secret = "\(existing.metadata.namespace ?? es.metadata.namespace ?? "")/\(existing.metadata.name ?? es.targetSecretName)"
        let policy = es.spec.target?.effectiveCreationPolicy ?? .owner
        if let controller = otherController(of: existing, externalSecret: es) {
            if controller.kind == ExternalSecret.kind, controller.apiVersion.hasPrefix("rotor.dev/") {
                return ManagedSecretRefusal(.conflict(manager: controller.name), secret: secret)
            }
            return ManagedSecretRefusal(.controlledByOther(kind: controller.kind, name: controller.name), secret: secret)
        }
        if let record = record(of: existing), record.name != es.name, !recordedManagerGone {
            return ManagedSecretRefusal(.conflict(manager: record.name), secret: secret)
        }
        if policy != .merge {
            let labelled = existing.metadata.labels?[ManagedSecretMetadata.managedLabel] == ManagedSecretMetadata.managedLabelValue
            if !labelled && !isControlled(existing, by: es) {
                return ManagedSecretRefusal(.notManaged, secret: secret)
            }
        }
        return nil
    }

    /// A controller ownerReference on `secret` that is not `es`'s.
    static func otherController(of secret: Secret, externalSecret es: ExternalSecret) -> OwnerReference? {
        guard let controller = secret.metadata.ownerReferences?.first(where: { $0.controller == true }) else { return nil }
        return isControlled(secret, by: es) ? nil : controller
    }

    static func isControlled(_ secret: Secret, by es: ExternalSecret) -> Bool {
        guard let uid = es.metadata.uid, !uid.isEmpty else { return false }
        return secret.metadata.ownerReferences?.contains { $0.controller == true && $0.uid == uid } ?? false
    }
}
