import Foundation
import KubeAPI
import RotorAPI
import RotorOperator
import Testing

/// One writer per Secret (`TargetOwnership`): the record on the Secret decides which
/// ExternalSecret may write it, never the order of reconciles.
@Suite("Rendering: TargetOwnership")
struct RenderingTargetOwnershipTests {
    /// An existing target Secret `shop/db`, built from the parts a case sets.
    static func secret(
        labelled: Bool = false, record: (name: String, uid: String?)? = nil, controller: (kind: String, name: String, uid: String)? = nil
    ) -> Secret {
        var annotations: [String: String] = [:]
        if let record {
            annotations[ManagedSecretMetadata.managedByAnnotation] = record.name
            annotations[ManagedSecretMetadata.managedByUIDAnnotation] = record.uid
        }
        var metadata = ObjectMeta(
            name: "db", namespace: "shop", labels: labelled ? ManagedSecretMetadata.managedLabels : nil,
            annotations: annotations.isEmpty ? nil : annotations)
        if let controller {
            let apiVersion = controller.kind == "ExternalSecret" ? ExternalSecret.apiVersion : "apps/v1"
            metadata.ownerReferences = [OwnerReference(apiVersion: apiVersion, kind: controller.kind, name: controller.name, uid: controller.uid, controller: true)]
        }
        return Secret(metadata: metadata, data: ["password": Data("p".utf8)])
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var policy: CreationPolicy
        var existing: Secret
        var managerGone: Bool = false
        /// The refusal's code, `nil` when the ExternalSecret may write.
        var expected: String?
        /// Text the refusal names (the manager or the controller).
        var names: String? = nil

        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "recorded as this ExternalSecret: writes", policy: .orphan, existing: secret(labelled: true, record: ("db", "uid-es-db")), expected: nil),
        Case(
            name: "recorded as another, live ExternalSecret: Conflict naming it", policy: .orphan,
            existing: secret(labelled: true, record: ("first", "uid-first")), expected: "targetConflict", names: "ExternalSecret first"),
        Case(
            name: "recorded as another ExternalSecret that is gone: adopted", policy: .orphan,
            existing: secret(labelled: true, record: ("first", "uid-first")), managerGone: true, expected: nil),
        Case(
            name: "recorded under this name with an older uid (re-created): adopted", policy: .orphan,
            existing: secret(labelled: true, record: ("db", "uid-old")), expected: nil),
        Case(
            name: "Merge into a Secret another live ExternalSecret manages: Conflict", policy: .merge,
            existing: secret(record: ("owner-es", "uid-owner")), expected: "targetConflict", names: "ExternalSecret owner-es"),
        Case(
            name: "Merge into a Secret a Deployment controls: refused", policy: .merge,
            existing: secret(controller: ("Deployment", "api", "uid-deploy")), expected: "secretControlledByOther", names: "Deployment api"),
        Case(name: "Merge into a foreign Secret nobody controls: writes", policy: .merge, existing: secret(), expected: nil),
        Case(
            name: "another ExternalSecret's controller reference wins even when its record says it is gone", policy: .owner,
            existing: secret(labelled: true, record: ("first", "uid-first"), controller: ("ExternalSecret", "first", "uid-first")), managerGone: true,
            expected: "targetConflict", names: "ExternalSecret first"),
        Case(
            name: "Owner over its own controller reference: writes", policy: .owner,
            existing: secret(labelled: true, record: ("db", "uid-es-db"), controller: ("ExternalSecret", "db", "uid-es-db")), expected: nil),
        Case(name: "a labelled Secret without a record (an older Rotor's) is claimed", policy: .owner, existing: secret(labelled: true), expected: nil),
        Case(name: "Owner never adopts a Secret Rotor did not create", policy: .owner, existing: secret(), expected: "secretNotManaged"),
    ]

    @Test("who may write an existing Secret", arguments: cases)
    func decides(_ c: Case) {
        let es = renderingExternalSecret(target: ExternalSecretTarget(creationPolicy: c.policy))
        let refusal = TargetOwnership.refusal(existing: c.existing, externalSecret: es, recordedManagerGone: c.managerGone)
        #expect(refusal?.code == c.expected)
        if let names = c.names { #expect(refusal?.description.contains(names) == true, "\(refusal?.description ?? "nil")") }
        if c.expected == "targetConflict" {
            #expect(refusal?.conditionReason == "Conflict")
            #expect(refusal?.isTerminal == false, "retried, so a manager that goes away is noticed")
        }
        // The plan refuses exactly as the rule does, and writes the record when it may write.
        let plan = ManagedSecretPlan(
            rendered: RenderedSecret(data: renderingValues(["password": "new"])), externalSecret: es, existing: c.existing,
            fingerprintKey: renderingKey(), recordedManagerGone: c.managerGone)
        switch plan.action {
        case .refuse(let planned): #expect(planned == refusal)
        case .update(let secret):
            #expect(c.expected == nil)
            #expect(secret.metadata.annotations?[ManagedSecretMetadata.managedByAnnotation] == "db")
            #expect(secret.metadata.annotations?[ManagedSecretMetadata.managedByUIDAnnotation] == "uid-es-db")
        default: Issue.record("unexpected \(plan.action)")
        }
    }

    @Test("a created Secret records its manager by name and uid")
    func createRecords() throws {
        let es = renderingExternalSecret(target: ExternalSecretTarget(creationPolicy: .orphan))
        let plan = ManagedSecretPlan(rendered: RenderedSecret(data: renderingValues(["a": "1"])), externalSecret: es, existing: nil, fingerprintKey: renderingKey())
        guard case .create(let secret) = plan.action else {
            Issue.record("expected create, got \(plan.action)")
            return
        }
        #expect(TargetOwnership.record(of: secret) == TargetOwnership.Record(name: "db", uid: "uid-es-db"))
    }

    @Test("the recorded manager is looked up only when the record names another ExternalSecret and no controller decides")
    func lookUp() {
        let es = renderingExternalSecret()
        #expect(TargetOwnership.managerToLookUp(existing: Self.secret(record: ("first", "u1")), externalSecret: es) == .init(name: "first", uid: "u1"))
        #expect(TargetOwnership.managerToLookUp(existing: Self.secret(record: ("db", "old")), externalSecret: es) == nil)
        #expect(TargetOwnership.managerToLookUp(existing: Self.secret(), externalSecret: es) == nil)
        #expect(
            TargetOwnership.managerToLookUp(
                existing: Self.secret(record: ("first", "u1"), controller: ("Deployment", "api", "u2")), externalSecret: es) == nil)
    }

    @Test("the recorded manager still manages the Secret only with its uid, its target, and not being deleted")
    func recordedManager() {
        let secret = Self.secret(record: ("first", "uid-first"))
        let record = TargetOwnership.Record(name: "first", uid: "uid-first")
        let live = renderingExternalSecret(name: "first", uid: "uid-first")
        #expect(TargetOwnership.isRecordedManager(record, found: live, of: secret) == false, "it targets Secret first, not db")
        var targeting = live
        targeting.spec.target = ExternalSecretTarget(name: "db")
        #expect(TargetOwnership.isRecordedManager(record, found: targeting, of: secret))
        #expect(!TargetOwnership.isRecordedManager(record, found: nil, of: secret))
        var recreated = targeting
        recreated.metadata.uid = "uid-new"
        #expect(!TargetOwnership.isRecordedManager(record, found: recreated, of: secret))
        var deleting = targeting
        deleting.metadata.deletionTimestamp = KubeTime(Date(timeIntervalSince1970: 1_800_000_000))
        #expect(!TargetOwnership.isRecordedManager(record, found: deleting, of: secret))
    }
}
