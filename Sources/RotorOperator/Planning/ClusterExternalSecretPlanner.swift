import Foundation
import KubeAPI
import RotorAPI

/// What a ClusterExternalSecret should change (pure: objects in, a plan out; the
/// controller carries it out).
///
/// - A namespace is selected when it is named in `spec.namespaces` or matches any of
///   `spec.namespaceSelectors`. An unreadable label set never selects (fail closed, as
///   ClusterSecretStore conditions do).
/// - Each selected namespace gets an ExternalSecret named ``ClusterExternalSecret/externalSecretName``,
///   controlled by the ClusterExternalSecret (ownerReference), labelled ``managedLabel``.
///   One that exists and is not controlled by it is never touched: the namespace is failed.
/// - An ExternalSecret it controls in a namespace no longer selected (or under an old name)
///   is deleted; its Secret goes with it by garbage collection.
public enum ClusterExternalSecretPlanner {
    /// Marks the ExternalSecrets a ClusterExternalSecret manages; the operator watches only these.
    public static let managedLabel = "rotor.dev/cluster-external-secret"

    /// One ExternalSecret as the planner needs to know it.
    public struct Existing: Sendable, Hashable {
        public var namespace: String
        public var name: String
        public var uid: String?
        /// The uid of its controlling ClusterExternalSecret, if any.
        public var controllerUID: String?
        public var object: ExternalSecret

        public init(_ es: ExternalSecret) {
            namespace = es.metadata.namespace ?? ""
            name = es.metadata.name ?? ""
            uid = es.metadata.uid
            controllerUID = es.metadata.ownerReferences?.first { $0.controller == true && $0.kind == ClusterExternalSecret.kind }?.uid
            object = es
        }
    }

    public enum Action: Sendable, Hashable {
        case create(ExternalSecret)
        /// `ExternalSecret` is the existing object with the desired fields set (its resourceVersion kept).
        case update(ExternalSecret)
        case delete(namespace: String, name: String, uid: String?)
    }

    /// A spec field that cannot be acted on, and why.
    public struct SpecProblem: Sendable, Hashable {
        public var field: String
        public var problem: String
        init(_ field: String, _ problem: String) {
            self.field = field
            self.problem = problem
        }
    }

    public struct Plan: Sendable, Hashable {
        /// The namespaces selected, sorted.
        public var selected: [String] = []
        /// Selected namespaces whose ExternalSecret exists as desired (after the actions).
        public var actions: [Action] = []
        /// Selected namespaces it cannot provision, and why.
        public var failed: [ClusterExternalSecretNamespaceFailure] = []
        /// A spec that cannot be acted on: the field and the problem. Nothing is changed.
        public var invalidSpec: SpecProblem?
    }

    /// Validates what the tenant wrote that the API server does not check.
    public static func validate(_ ces: ClusterExternalSecret) -> SpecProblem? {
        guard let refresh = ces.spec.refreshTimeDuration else {
            return SpecProblem("spec.refreshTime", "\"\((ces.spec.refreshTime ?? "").prefix(64))\" is not a duration such as 1m or 30s")
        }
        if refresh < .seconds(1) { return SpecProblem("spec.refreshTime", "must be at least 1s") }
        if refresh > KubeDuration.specMaximum { return SpecProblem("spec.refreshTime", "must be at most \(KubeDuration.specMaximumText)") }
        let name = ces.externalSecretName
        if !isDNSSubdomain(name) {
            return SpecProblem("spec.externalSecretName", "\"\(name.prefix(64))\" is not a valid object name (a lowercase RFC 1123 subdomain of at most 253 characters)")
        }
        for (field, map) in [("labels", ces.spec.externalSecretMetadata?.labels), ("annotations", ces.spec.externalSecretMetadata?.annotations)] {
            if let key = map?.keys.sorted().first(where: { $0.hasPrefix("rotor.dev/") }) {
                return SpecProblem("spec.externalSecretMetadata.\(field)", "\"\(key)\": rotor.dev/ keys belong to Rotor")
            }
        }
        for (index, selector) in (ces.spec.namespaceSelectors ?? []).enumerated() {
            for (term, requirement) in (selector.matchExpressions ?? []).enumerated()
            where !["In", "NotIn", "Exists", "DoesNotExist"].contains(requirement.operator.rawValue) {
                return SpecProblem(
                    "spec.namespaceSelectors[\(index)].matchExpressions[\(term)].operator",
                    "\"\(requirement.operator.rawValue.prefix(32))\" is not In, NotIn, Exists or DoesNotExist")
            }
        }
        return nil
    }

    /// The plan for `ces`, given the labels of the namespaces the operator watches (nil:
    /// unreadable) and every ExternalSecret labelled as managed by some ClusterExternalSecret,
    /// plus any ExternalSecret of the desired name in a selected namespace.
    public static func plan(
        _ ces: ClusterExternalSecret, namespaces: [String: [String: String]?], existing: [Existing]
    ) -> Plan {
        var plan = Plan()
        if let invalid = validate(ces) {
            plan.invalidSpec = invalid
            return plan
        }
        let name = ces.externalSecretName
        let named = Set(ces.spec.namespaces ?? [])
        let selectors = ces.spec.namespaceSelectors ?? []
        for (namespace, labels) in namespaces.sorted(by: { $0.key < $1.key }) {
            if named.contains(namespace) {
                plan.selected.append(namespace)
            } else if let labels, selectors.contains(where: { $0.matches(labels) }) {
                plan.selected.append(namespace)
            }
        }
        // Named namespaces the operator does not know (missing, or not watched) are failed, not created.
        for namespace in named.subtracting(namespaces.keys).sorted() {
            plan.failed.append(ClusterExternalSecretNamespaceFailure(namespace: namespace, reason: "the namespace does not exist or is not watched by the operator"))
        }
        let selected = Set(plan.selected)
        let owned = existing.filter { $0.controllerUID != nil && $0.controllerUID == ces.metadata.uid }
        for namespace in plan.selected {
            let current = existing.first { $0.namespace == namespace && $0.name == name }
            switch current {
            case nil:
                plan.actions.append(.create(desired(ces, namespace: namespace, base: nil)))
            case let current? where current.controllerUID == ces.metadata.uid:
                let want = desired(ces, namespace: namespace, base: current.object)
                if want != current.object { plan.actions.append(.update(want)) }
            case let current?:
                plan.failed.append(ClusterExternalSecretNamespaceFailure(
                    namespace: namespace,
                    reason: "ExternalSecret \"\(current.name)\" exists and is not managed by this ClusterExternalSecret"))
            }
        }
        for stale in owned where !selected.contains(stale.namespace) || stale.name != name {
            plan.actions.append(.delete(namespace: stale.namespace, name: stale.name, uid: stale.uid))
        }
        plan.failed.sort { $0.namespace < $1.namespace }
        return plan
    }

    /// The ExternalSecret `ces` wants in `namespace`: `base` (an existing one, keeping its
    /// metadata and the labels and annotations others added) with Rotor's fields set.
    public static func desired(_ ces: ClusterExternalSecret, namespace: String, base: ExternalSecret?) -> ExternalSecret {
        var es = base ?? ExternalSecret(metadata: ObjectMeta(name: ces.externalSecretName, namespace: namespace))
        es.status = base?.status
        var labels = es.metadata.labels ?? [:]
        for (key, value) in ces.spec.externalSecretMetadata?.labels ?? [:] { labels[key] = value }
        labels[managedLabel] = "true"
        es.metadata.labels = labels
        if let wanted = ces.spec.externalSecretMetadata?.annotations, !wanted.isEmpty {
            var annotations = es.metadata.annotations ?? [:]
            for (key, value) in wanted { annotations[key] = value }
            es.metadata.annotations = annotations
        }
        let reference = OwnerReference(
            apiVersion: ClusterExternalSecret.apiVersion, kind: ClusterExternalSecret.kind, name: ces.name, uid: ces.metadata.uid ?? "",
            controller: true, blockOwnerDeletion: true)
        var references = (es.metadata.ownerReferences ?? []).filter { $0.uid != reference.uid }
        references.append(reference)
        es.metadata.ownerReferences = references
        es.spec = ces.spec.externalSecretSpec
        return es
    }

    /// The status that says what `plan` achieved; `failures` adds namespaces whose write failed.
    public static func status(
        of ces: ClusterExternalSecret, plan: Plan, writeFailures: [ClusterExternalSecretNamespaceFailure], now: Date
    ) -> ClusterExternalSecretStatus {
        var status = ces.status ?? ClusterExternalSecretStatus()
        status.observedGeneration = ces.metadata.generation
        let condition: Condition
        if let invalid = plan.invalidSpec {
            condition = Condition(
                type: "Ready", status: .false, observedGeneration: ces.metadata.generation, reason: "InvalidSpec",
                message: "\(invalid.field): \(invalid.problem)")
        } else {
            let failed = (plan.failed + writeFailures).sorted { $0.namespace < $1.namespace }
            let failedNames = Set(failed.map(\.namespace))
            status.externalSecretName = ces.externalSecretName
            status.provisionedNamespaces = plan.selected.filter { !failedNames.contains($0) }
            status.failedNamespaces = failed.isEmpty ? nil : failed
            let provisioned = status.provisionedNamespaces?.count ?? 0
            condition = failed.isEmpty
                ? Condition(
                    type: "Ready", status: .true, observedGeneration: ces.metadata.generation, reason: "Provisioned",
                    message: "ExternalSecret \"\(ces.externalSecretName)\" is in \(provisioned) namespace\(provisioned == 1 ? "" : "s")")
                : Condition(
                    type: "Ready", status: .false, observedGeneration: ces.metadata.generation, reason: "NamespacesFailed",
                    message: "\(failed.count) of \(Set(plan.selected).union(failed.map(\.namespace)).count) namespaces failed: "
                        + failed.prefix(3).map { "\($0.namespace) (\($0.reason ?? ""))" }.joined(separator: "; "))
        }
        status.conditions = ConditionPlanner.setting(condition, in: status.conditions, now: now)
        return status
    }

    /// A lowercase RFC 1123 subdomain: what object names must be.
    static func isDNSSubdomain(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 253 else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            guard let first = label.utf8.first, let last = label.utf8.last else { return false }
            let alnum: (UInt8) -> Bool = { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) }
            return alnum(first) && alnum(last) && label.utf8.allSatisfy { alnum($0) || $0 == 45 }
        }
    }
}
