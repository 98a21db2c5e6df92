import Crypto
import Foundation
import KubeAPI
import RotorAPI
import SecretProviders

/// The write (or no write) that makes the target Secret of an ExternalSecret match its
/// rendered content. Pure: the caller reads the existing Secret and performs `action`.
///
/// What Rotor owns on the target Secret, and so compares and writes:
/// - `data`: all of it with `Owner` and `Orphan`; with `Merge` only the rendered and added keys
///   (and `removedDataKeys`).
/// - labels `rotor.dev/managed` and `app.kubernetes.io/managed-by` (not with `Merge`), plus
///   the template's labels;
/// - every `rotor.dev/` annotation (the fingerprint, the manager record, the additions),
///   plus the template's annotations (a template cannot set `rotor.dev/` labels or
///   annotations: refused as `InvalidSpec`);
/// - its own ownerReference (present with `Owner`, removed otherwise);
/// - `type` on create (template type, else `Opaque`) and `immutable`; the keys the type
///   requires are checked first (``SecretTypeRules``), so a typed Secret is never written
///   without them.
/// Everything else on an existing Secret (other labels, annotations, ownerReferences,
/// finalizers, unknown fields) is carried over untouched.
///
/// Who may write an existing Secret is ``TargetOwnership``'s rule (one writer per Secret,
/// recorded in `rotor.dev/managed-by`); `Merge` never creates a Secret.
///
/// Nothing the API server would refuse is planned: every key Rotor writes must be a valid
/// Secret key (`InvalidKey`) and the Secret must stay within ``SecretLimits`` (`TooLarge`),
/// previous values and annotations included; otherwise the plan refuses and the existing
/// Secret stays as it is.
public struct ManagedSecretPlan: Sendable, CustomStringConvertible, CustomReflectable {
    /// What the caller does.
    public enum Action: Sendable, CustomStringConvertible {
        /// Create this Secret.
        case create(Secret)
        /// Update to this Secret; it carries the existing `resourceVersion` as precondition.
        case update(Secret)
        /// The Secret already matches on everything Rotor owns: write nothing.
        case none
        /// Do not write; report why (the existing Secret stays exactly as it is).
        case refuse(ManagedSecretRefusal)

        public var description: String {
            switch self {
            case .create(let secret): "create \(secret)"
            case .update(let secret): "update \(secret) at resourceVersion \(secret.metadata.resourceVersion ?? "nil")"
            case .none: "none"
            case .refuse(let refusal): "refuse: \(refusal)"
            }
        }
    }

    /// What to do.
    public let action: Action
    /// `namespace/name` of the target Secret.
    public let secret: String
    /// `hmac-sha256:…` over the rendered data (not the additions): the value of the
    /// `rotor.dev/fingerprint` annotation and of the ExternalSecret's `status.fingerprint`.
    public let fingerprint: String

    /// Plans the target Secret of `externalSecret`.
    ///
    /// - Parameters:
    ///   - rendered: from `SecretRenderer.render`.
    ///   - existing: the target Secret as read now, or `nil` when it does not exist.
    ///   - fingerprintKey: the per-install HMAC key.
    ///   - additions: what rotation adds; `.none` for a plain sync.
    ///   - recordedManagerGone: the other ExternalSecret recorded as manager of `existing`
    ///     no longer exists (``TargetOwnership/managerToLookUp(existing:externalSecret:)``);
    ///     `false` when not looked up, which refuses such a Secret.
    public init(
        rendered: RenderedSecret, externalSecret: ExternalSecret, existing: Secret?,
        fingerprintKey: SymmetricKey, additions: ManagedSecretAdditions = .none, recordedManagerGone: Bool = false
    ) {
        let name = externalSecret.targetSecretName
        let namespace = externalSecret.metadata.namespace ?? existing?.metadata.namespace
        secret = "\(namespace ?? "")/\(name)"
        fingerprint = SecretFingerprint.combined(rendered.data, key: fingerprintKey)
        action = Self.action(
            rendered: rendered, externalSecret: externalSecret, existing: existing, additions: additions,
            recordedManagerGone: recordedManagerGone, name: name, namespace: namespace, fingerprint: fingerprint, secret: secret)
    }

    /// Whether `existing` still holds exactly the data its `rotor.dev/fingerprint` annotation
    /// was computed over: false when someone edited, added or removed a key since Rotor wrote
    /// it (so the edit is undone now, not at the next refresh). Only for a Secret whose data
    /// are all Rotor's — not a `Merge` target, nor one holding previous values — where the
    /// annotation alone is compared.
    public static func holdsFingerprintedData(_ existing: Secret, creationPolicy: CreationPolicy, fingerprintKey: SymmetricKey) -> Bool {
        guard let recorded = existing.metadata.annotations?[ManagedSecretMetadata.fingerprintAnnotation] else { return false }
        guard creationPolicy != .merge, RotationWindow.read(from: existing.metadata.annotations) == nil else { return true }
        let data = (existing.data ?? [:]).mapValues { SecretValue(bytes: $0) }
        return SecretFingerprint.combined(data, key: fingerprintKey) == recorded
    }

    /// The plan for a Secret known to hold exactly this data already (``VerifiedTargets``):
    /// write nothing.
    init(unchangedTargetOf externalSecret: ExternalSecret, fingerprint: String) {
        secret = "\(externalSecret.metadata.namespace ?? "")/\(externalSecret.targetSecretName)"
        self.fingerprint = fingerprint
        action = .none
    }

    public var description: String {
        "ManagedSecretPlan(secret: \(secret), action: \(action), fingerprint: \(fingerprint))"
    }

    public var customMirror: Mirror {
        Mirror(self, children: ["secret": secret, "action": action, "fingerprint": fingerprint], displayStyle: .struct)
    }

    // MARK: Planning

    private static func action(
        rendered: RenderedSecret, externalSecret es: ExternalSecret, existing: Secret?,
        additions: ManagedSecretAdditions, recordedManagerGone: Bool, name: String, namespace: String?, fingerprint: String, secret: String
    ) -> Action {
        let policy = es.spec.target?.effectiveCreationPolicy ?? .owner
        guard policy.isKnown else { return .refuse(ManagedSecretRefusal(.unknownCreationPolicy(policy.rawValue), secret: secret)) }
        if let field = SecretRenderer.reservedMetadataField(labels: rendered.labels, annotations: rendered.annotations) {
            return .refuse(ManagedSecretRefusal(.reservedMetadata(field: field), secret: secret))
        }
        let wantsImmutable = es.spec.target?.immutable == true
        let ownerReference = OwnerReference(
            apiVersion: ExternalSecret.apiVersion, kind: ExternalSecret.kind, name: es.name,
            uid: es.metadata.uid ?? "", controller: true, blockOwnerDeletion: true)

        // Rendered keys win over added ones: a rotation never overrides a synced key.
        let syncedData = additions.data.merging(rendered.data) { _, renderedValue in renderedValue }
        var rotorAnnotations = rendered.annotations
        rotorAnnotations.merge(additions.annotations) { _, added in added }
        rotorAnnotations.merge(TargetOwnership.recordAnnotations(for: es)) { _, record in record }
        rotorAnnotations[ManagedSecretMetadata.fingerprintAnnotation] = fingerprint

        guard let existing else {
            if policy == .merge { return .refuse(ManagedSecretRefusal(.mergeTargetMissing, secret: secret)) }
            let metadata = ObjectMeta(
                name: name, namespace: namespace,
                labels: rendered.labels.merging(ManagedSecretMetadata.managedLabels) { _, managed in managed },
                annotations: rotorAnnotations,
                ownerReferences: policy == .owner ? [ownerReference] : nil)
            let data = syncedData.mapValues(Self.bytes)
            if let refusal = Self.limitRefusal(
                data: data, annotations: rotorAnnotations, externalSecret: es, rendered: rendered, additions: additions, secret: secret)
            {
                return .refuse(refusal)
            }
            if let refusal = Self.typeRefusal(type: rendered.type ?? SecretType.opaque, data: data, externalSecret: es, secret: secret) {
                return .refuse(refusal)
            }
            return .create(
                Secret(
                    metadata: metadata, type: rendered.type ?? SecretType.opaque, data: data,
                    immutable: wantsImmutable ? true : nil))
        }

        if let refusal = TargetOwnership.refusal(existing: existing, externalSecret: es, recordedManagerGone: recordedManagerGone) {
            return .refuse(refusal)
        }

        let existingType = existing.type ?? SecretType.opaque
        if policy != .merge, let desiredType = rendered.type, desiredType != existingType {
            return .refuse(ManagedSecretRefusal(.typeChange(existing: existingType, desired: desiredType), secret: secret))
        }

        var desired = existing
        desired.stringData = nil

        var labels = existing.metadata.labels ?? [:]
        labels.merge(rendered.labels) { _, template in template }
        if policy != .merge { labels.merge(ManagedSecretMetadata.managedLabels) { _, managed in managed } }
        desired.metadata.labels = labels.isEmpty && existing.metadata.labels == nil ? nil : labels

        var annotations = (existing.metadata.annotations ?? [:]).filter {
            !$0.key.hasPrefix(ManagedSecretMetadata.annotationPrefix)
        }
        annotations.merge(rotorAnnotations) { _, rotor in rotor }
        desired.metadata.annotations = annotations

        desired.metadata.ownerReferences = Self.ownerReferences(
            existing.metadata.ownerReferences, ours: ownerReference, keep: policy == .owner)

        var data: [String: Data]
        if policy == .merge {
            data = (existing.data ?? [:]).filter { !additions.removedDataKeys.contains($0.key) }
            data.merge(syncedData.mapValues(Self.bytes)) { _, synced in synced }
        } else {
            data = syncedData.mapValues(Self.bytes)
        }
        desired.data = data.isEmpty && existing.data == nil ? nil : data

        if let refusal = Self.limitRefusal(
            data: data, annotations: annotations, externalSecret: es, rendered: rendered, additions: additions, secret: secret)
        {
            return .refuse(refusal)
        }
        if let refusal = Self.typeRefusal(type: existingType, data: data, externalSecret: es, secret: secret) {
            return .refuse(refusal)
        }

        // The API server never lets an immutable Secret become mutable again.
        if existing.immutable == true || wantsImmutable { desired.immutable = true }

        let changedKeys = Self.changedKeys(existing.data ?? [:], data)
        if existing.immutable == true, !changedKeys.isEmpty {
            return .refuse(ManagedSecretRefusal(.immutableDataChange(changedKeys: changedKeys), secret: secret))
        }

        let unchanged =
            changedKeys.isEmpty
            && desired.metadata.labels == existing.metadata.labels
            && desired.metadata.annotations == existing.metadata.annotations
            && (desired.metadata.ownerReferences ?? []) == (existing.metadata.ownerReferences ?? [])
            && (desired.immutable ?? false) == (existing.immutable ?? false)
        return unchanged ? .none : .update(desired)
    }

    /// `InvalidKey` for the first key Rotor would write that the API server refuses (named
    /// with the field it comes from), else `TooLarge` when `data` or `annotations` exceed
    /// ``SecretLimits``; `nil` when the Secret may be written.
    static func limitRefusal(
        data: [String: Data], annotations: [String: String], externalSecret es: ExternalSecret, rendered: RenderedSecret,
        additions: ManagedSecretAdditions, secret: String
    ) -> ManagedSecretRefusal? {
        let written = Set(rendered.data.keys).union(additions.data.keys)
        for key in written.sorted() {
            guard let problem = SecretLimits.keyProblem(key) else { continue }
            let (field, fromProvider) = Self.origin(ofKey: key, externalSecret: es, rendered: rendered)
            return ManagedSecretRefusal(.invalidKey(key: key, field: field, problem: problem, fromProvider: fromProvider), secret: secret)
        }
        let dataBytes = data.values.reduce(0) { $0 + $1.count }
        if dataBytes > SecretLimits.maximumDataBytes {
            let previous = additions.data.reduce(0) { $0 + (rendered.data[$1.key] == nil ? $1.value.count : 0) }
            let largest = data.sorted { $0.value.count != $1.value.count ? $0.value.count > $1.value.count : $0.key < $1.key }
                .prefix(3).map { "\(SecretLimits.shown($0.key)) (\($0.value.count) bytes)" }
            return ManagedSecretRefusal(
                .tooLarge(field: "data", bytes: dataBytes, limit: SecretLimits.maximumDataBytes, previousBytes: previous, largestKeys: largest),
                secret: secret)
        }
        let annotationBytes = SecretLimits.annotationBytes(annotations)
        if annotationBytes > SecretLimits.maximumAnnotationBytes {
            return ManagedSecretRefusal(
                .tooLarge(field: "metadata.annotations", bytes: annotationBytes, limit: SecretLimits.maximumAnnotationBytes, previousBytes: 0, largestKeys: []),
                secret: secret)
        }
        return nil
    }

    /// The refusal when `data` lacks a key the Secret `type` requires (``SecretTypeRules``).
    /// It waits for the spec to change when the template's data keys decide what is
    /// missing, or the type is one Rotor never writes; otherwise (a value that is not JSON, keys chosen by the provider) the
    /// provider's next answer may fix it, so it is retried.
    static func typeRefusal(type: String, data: [String: Data], externalSecret es: ExternalSecret, secret: String) -> ManagedSecretRefusal? {
        guard let problem = SecretTypeRules.problem(type: type, data: data) else { return nil }
        let templated = !(es.spec.target?.template?.data ?? [:]).isEmpty
        let decidedBySpec = (templated && problem.isMissing) || type == SecretTypeRules.serviceAccountToken
        let fromProvider = !decidedBySpec
        let name = "\(es.metadata.namespace ?? "")/\(es.name)"
        return ManagedSecretRefusal(.typeRequirement(type: type, problem: problem, externalSecret: name, fromProvider: fromProvider), secret: secret)
    }

    /// Where a written key comes from, for a message: a template key, a `secretKey`, a
    /// previous value's key, or (otherwise) a key the provider's data chose through `dataFrom`.
    private static func origin(ofKey key: String, externalSecret es: ExternalSecret, rendered: RenderedSecret) -> (field: String, fromProvider: Bool) {
        if rendered.data[key] == nil { return ("spec.rotation.previousSuffix", false) }
        if let templates = es.spec.target?.template?.data, !templates.isEmpty { return ("spec.target.template.data", false) }
        if let index = (es.spec.data ?? []).lastIndex(where: { $0.secretKey == key }) { return ("spec.data[\(index)].secretKey", false) }
        return ("spec.dataFrom", true)
    }

    /// The existing references with this ExternalSecret's replaced in place (or appended) when
    /// `keep`, or removed otherwise; the order of the others is kept so nothing changes
    /// spuriously.
    private static func ownerReferences(
        _ existing: [OwnerReference]?, ours: OwnerReference, keep: Bool
    ) -> [OwnerReference]? {
        var result: [OwnerReference] = []
        var placed = false
        for reference in existing ?? [] {
            if reference.uid == ours.uid, reference.kind == ours.kind {
                if keep, !placed {
                    result.append(ours)
                    placed = true
                }
            } else {
                result.append(reference)
            }
        }
        if keep, !placed { result.append(ours) }
        return result.isEmpty && existing == nil ? nil : result
    }

    /// Keys present on one side only or with different bytes, compared in constant time per
    /// value so timing does not reveal where two values first differ.
    private static func changedKeys(_ old: [String: Data], _ new: [String: Data]) -> [String] {
        Set(old.keys).union(new.keys).sorted().filter { key in
            guard let before = old[key], let after = new[key] else { return true }
            return !constantTimeEquals(Array(before), Array(after))
        }
    }

    private static func bytes(_ value: SecretValue) -> Data {
        Data(value.revealedBytes())
    }
}
