import RotorAPI

/// Why a plan will not write the target Secret. Names objects, never values.
public struct ManagedSecretRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    enum Kind: Hashable, Sendable {
        /// The Secret exists and was not created by Rotor (Owner/Orphan never adopt).
        case notManaged
        /// Another controller's ownerReference is on the Secret.
        case controlledByOther(kind: String, name: String)
        /// `Merge` needs an existing Secret.
        case mergeTargetMissing
        /// The existing Secret is immutable and its data would change.
        case immutableDataChange(changedKeys: [String])
        /// The Secret's type would change, which the API server forbids.
        case typeChange(existing: String, desired: String)
        /// A `creationPolicy` this Rotor does not know.
        case unknownCreationPolicy(String)
    }

    let kind: Kind
    /// `namespace/name` of the target Secret.
    public let secret: String

    init(_ kind: Kind, secret: String) {
        self.kind = kind
        self.secret = secret
    }

    /// A stable identifier for alerts, Events and tests.
    public var code: String {
        switch kind {
        case .notManaged: "secretNotManaged"
        case .controlledByOther: "secretControlledByOther"
        case .mergeTargetMissing: "mergeTargetMissing"
        case .immutableDataChange: "immutableSecretChange"
        case .typeChange: "secretTypeChange"
        case .unknownCreationPolicy: "unknownCreationPolicy"
        }
    }

    /// The `Ready` condition reason: each refusal is something only a spec (or the target
    /// Secret) change can resolve, so it is reported as `InvalidSpec`.
    public var conditionReason: String { ExternalSecretConditions.Reason.invalidSpec }

    /// The spec field that decides the refused write, which the condition message starts with.
    public var field: String {
        switch kind {
        case .unknownCreationPolicy: "spec.target.creationPolicy"
        case .typeChange: "spec.target.template.type"
        case .immutableDataChange: "spec.target.immutable"
        default: "spec.target"
        }
    }

    /// The failure a reconciler reports, naming the field and the Secret.
    public var syncFailure: SyncFailure {
        SyncFailure(reason: conditionReason, message: "\(field): \(description)", isTerminal: true)
    }

    public var description: String {
        switch kind {
        case .notManaged:
            "Secret \(secret) exists and is not managed by Rotor; it is not adopted (delete it, or use creationPolicy Merge to add keys to it)"
        case .controlledByOther(let kind, let name):
            "Secret \(secret) is controlled by \(kind) \(name); it is not taken over"
        case .mergeTargetMissing:
            "Secret \(secret) does not exist; creationPolicy Merge only adds keys to an existing Secret"
        case .immutableDataChange(let keys):
            "Secret \(secret) is immutable and its data would change (keys \(keys)); delete it to let Rotor recreate it"
        case .typeChange(let existing, let desired):
            "Secret \(secret) has type \(existing) and cannot change to \(desired); delete it to let Rotor recreate it"
        case .unknownCreationPolicy(let policy):
            "creationPolicy \(policy) is not one of Owner, Merge, Orphan; Secret \(secret) is left alone"
        }
    }
}
