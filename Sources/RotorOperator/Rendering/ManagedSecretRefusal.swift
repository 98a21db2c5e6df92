import KubeAPI
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
        /// Another ExternalSecret manages the Secret (its record or controller reference).
        case conflict(manager: String)
        /// A key the Secret would hold is not a valid Secret key. `field` is where it comes
        /// from; `fromProvider` when the provider's data (not the spec) chose it.
        case invalidKey(key: String, field: String, problem: String, fromProvider: Bool)
        /// The Secret would exceed the API server's limit on `field` (`data` or
        /// `metadata.annotations`); `previousBytes` of `bytes` are rotation's previous values.
        case tooLarge(field: String, bytes: Int, limit: Int, previousBytes: Int, largestKeys: [String])
        /// A template label or annotation in Rotor's own `rotor.dev/` domain.
        case reservedMetadata(field: String)
        /// The data lacks a key the Secret's `type` requires, or holds it in the wrong form
        /// (``SecretTypeRules``). `externalSecret` is `namespace/name`; `fromProvider` when the
        /// provider's data (not the spec alone) decides it.
        case typeRequirement(type: String, problem: SecretTypeRules.Problem, externalSecret: String, fromProvider: Bool)
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
        case .conflict: "targetConflict"
        case .invalidKey: "invalidSecretKey"
        case .tooLarge: "secretTooLarge"
        case .reservedMetadata: "reservedTemplateMetadata"
        case .typeRequirement: "secretTypeRequirement"
        }
    }

    /// The `Ready` condition reason: `Conflict`, `InvalidKey` and `TooLarge` have their own;
    /// every other refusal is something only a spec (or the target Secret) change can
    /// resolve, so it is reported as `InvalidSpec`.
    public var conditionReason: String {
        switch kind {
        case .conflict: ExternalSecretConditions.Reason.conflict
        case .invalidKey: ExternalSecretConditions.Reason.invalidKey
        case .tooLarge: ExternalSecretConditions.Reason.tooLarge
        default: ExternalSecretConditions.Reason.invalidSpec
        }
    }

    /// Whether only a change of the ExternalSecret can resolve it (wait for one), rather
    /// than also a change of the provider's data or of another object (retry with backoff):
    /// a conflict ends when the managing ExternalSecret goes, a provider's key or size
    /// problem when the provider's data change.
    public var isTerminal: Bool {
        switch kind {
        case .conflict, .tooLarge: false
        case .invalidKey(_, _, _, let fromProvider): !fromProvider
        case .typeRequirement(_, _, _, let fromProvider): !fromProvider
        default: true
        }
    }

    /// The spec field that decides the refused write, which the condition message starts
    /// with; nil where the description names its own field (keys, sizes, reserved metadata)
    /// or the cause is another object (a conflict).
    public var field: String? {
        switch kind {
        case .unknownCreationPolicy: "spec.target.creationPolicy"
        case .typeChange, .typeRequirement: "spec.target.template.type"
        case .immutableDataChange: "spec.target.immutable"
        case .notManaged, .controlledByOther, .mergeTargetMissing: "spec.target"
        case .conflict, .invalidKey, .tooLarge, .reservedMetadata: nil
        }
    }

    /// The failure the reconciler reports (condition, Event, retry), naming the field.
    public var syncFailure: SyncFailure {
        SyncFailure(reason: conditionReason, message: field.map { "\($0): \(description)" } ?? description, isTerminal: isTerminal)
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
        case .conflict(let manager):
            "Secret \(secret) is managed by ExternalSecret \(manager); an ExternalSecret never writes a Secret another one manages (choose another spec.target.name, or delete \(manager))"
        case .invalidKey(let key, let field, let problem, _):
            "\(field): key \(SecretLimits.shown(key)) is not a valid Secret key: \(problem); Secret \(secret) is left unchanged"
        case .tooLarge(let field, let bytes, let limit, let previousBytes, let largestKeys):
            "Secret \(secret) would hold \(bytes) bytes of \(field), over the \(limit) the API server accepts"
                + (previousBytes > 0 ? " (\(previousBytes) of them previous values kept by spec.rotation)" : "")
                + (largestKeys.isEmpty ? "" : "; largest: \(largestKeys.joined(separator: ", "))")
                + "; it is left unchanged"
        case .reservedMetadata(let field):
            "\(field): the rotor.dev/ domain is Rotor's own; a template cannot set its labels or annotations"
        case .typeRequirement(let type, let problem, let externalSecret, _):
            "ExternalSecret \(externalSecret) would write Secret \(secret) of type \(type) without a usable key \(SecretLimits.shown(problem.key)) (\(problem.detail)); it is left unchanged"
        }
    }
}
