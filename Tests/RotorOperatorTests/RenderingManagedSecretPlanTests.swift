import Crypto
import Foundation
import KubeAPI
import RotorAPI
import RotorOperator
import SecretProviders
import Testing

@Suite("Rendering: ManagedSecretPlan")
struct RenderingManagedSecretPlanTests {
    private func plan(
        _ data: [String: String], es: ExternalSecret = renderingExternalSecret(), existing: Secret? = nil,
        key: SymmetricKey = renderingKey(), additions: ManagedSecretAdditions = .none,
        type: String? = nil, labels: [String: String] = [:], annotations: [String: String] = [:]
    ) -> ManagedSecretPlan {
        ManagedSecretPlan(
            rendered: RenderedSecret(type: type, labels: labels, annotations: annotations, data: renderingValues(data)),
            externalSecret: es, existing: existing, fingerprintKey: key, additions: additions)
    }

    private func created(_ plan: ManagedSecretPlan) throws -> Secret {
        guard case .create(let secret) = plan.action else {
            Issue.record("expected create, got \(plan.action)")
            throw CancellationError()
        }
        return secret
    }

    private func updated(_ plan: ManagedSecretPlan) throws -> Secret {
        guard case .update(let secret) = plan.action else {
            Issue.record("expected update, got \(plan.action)")
            throw CancellationError()
        }
        return secret
    }

    private func refusal(_ plan: ManagedSecretPlan) throws -> ManagedSecretRefusal {
        guard case .refuse(let refusal) = plan.action else {
            Issue.record("expected refuse, got \(plan.action)")
            throw CancellationError()
        }
        return refusal
    }

    private func isNone(_ plan: ManagedSecretPlan) -> Bool {
        if case .none = plan.action { return true }
        return false
    }

    private func foreignSecret(data: [String: String] = ["other": "keep"], type: String = SecretType.opaque) -> Secret {
        var secret = Secret(
            metadata: ObjectMeta(
                name: "db", namespace: "shop", labels: ["app": "legacy"], annotations: ["owner": "team-a"]),
            type: type, data: data.mapValues { Data($0.utf8) })
        secret.metadata.resourceVersion = "42"
        return secret
    }

    // MARK: Drift of the data under an unchanged fingerprint annotation

    @Test("a Secret holds its fingerprinted data until a key is edited, added or removed; Merge targets and open windows compare the annotation only")
    func holdsFingerprintedData() throws {
        let written = try created(plan(["password": "p1", "user": "app"]))
        #expect(ManagedSecretPlan.holdsFingerprintedData(written, creationPolicy: .owner, fingerprintKey: renderingKey()))
        #expect(ManagedSecretPlan.holdsFingerprintedData(written, creationPolicy: .orphan, fingerprintKey: renderingKey()))
        #expect(!ManagedSecretPlan.holdsFingerprintedData(written, creationPolicy: .owner, fingerprintKey: SymmetricKey(size: .bits256)), "another install's key")

        var edited = written
        edited.data?["password"] = Data("tampered".utf8)
        #expect(!ManagedSecretPlan.holdsFingerprintedData(edited, creationPolicy: .owner, fingerprintKey: renderingKey()))
        var added = written
        added.data?["extra"] = Data("x".utf8)
        #expect(!ManagedSecretPlan.holdsFingerprintedData(added, creationPolicy: .owner, fingerprintKey: renderingKey()))
        var removed = written
        removed.data?["user"] = nil
        #expect(!ManagedSecretPlan.holdsFingerprintedData(removed, creationPolicy: .owner, fingerprintKey: renderingKey()))
        var unannotated = written
        unannotated.metadata.annotations?[ManagedSecretMetadata.fingerprintAnnotation] = nil
        #expect(!ManagedSecretPlan.holdsFingerprintedData(unannotated, creationPolicy: .owner, fingerprintKey: renderingKey()))

        // Other writers' keys live in a Merge target: only the annotation is compared there.
        #expect(ManagedSecretPlan.holdsFingerprintedData(added, creationPolicy: .merge, fingerprintKey: renderingKey()))
        // During an overlap window the Secret also holds previous values.
        var overlapping = added
        for (name, value) in RotationWindow(rotatedAt: Date(), graceUntil: Date().addingTimeInterval(60), previousKeys: ["password"]).annotations {
            overlapping.metadata.annotations?[name] = value
        }
        #expect(ManagedSecretPlan.holdsFingerprintedData(overlapping, creationPolicy: .owner, fingerprintKey: renderingKey()))
    }

    // MARK: Owner

    @Test("an Owner create carries managed labels, fingerprint, controller ownerReference and the data")
    func ownerCreate() throws {
        let es = renderingExternalSecret(target: ExternalSecretTarget(name: "db-credentials"))
        let result = plan(["password": "p1", "user": "u"], es: es, labels: ["team": "shop"], annotations: ["note": "x"])
        let secret = try created(result)
        #expect(secret.metadata.name == "db-credentials")
        #expect(secret.metadata.namespace == "shop")
        #expect(secret.metadata.labels == ["rotor.dev/managed": "true", "app.kubernetes.io/managed-by": "rotor", "team": "shop"])
        #expect(secret.metadata.annotations?["rotor.dev/fingerprint"] == result.fingerprint)
        #expect(secret.metadata.annotations?["note"] == "x")
        #expect(result.fingerprint.hasPrefix("hmac-sha256:"))
        #expect(
            secret.metadata.ownerReferences == [
                OwnerReference(
                    apiVersion: "rotor.dev/v1alpha1", kind: "ExternalSecret", name: "db", uid: "uid-es-db",
                    controller: true, blockOwnerDeletion: true)
            ])
        #expect(secret.type == SecretType.opaque)
        #expect(secret.data == ["password": Data("p1".utf8), "user": Data("u".utf8)])
        #expect(secret.immutable == nil)
        #expect(result.secret == "shop/db-credentials")
    }

    @Test("a second plan against the Secret just written writes nothing")
    func identicalIsNone() throws {
        let first = try created(plan(["password": "p1"], labels: ["team": "shop"]))
        let second = plan(["password": "p1"], existing: renderingStored(first), labels: ["team": "shop"])
        #expect(isNone(second))
    }

    @Test("foreign labels, annotations, finalizers and unknown fields on an owned Secret do not cause a write")
    func foreignMetadataIsNotRotors() throws {
        var stored = renderingStored(try created(plan(["password": "p1"])))
        stored.metadata.labels?["extra"] = "1"
        stored.metadata.annotations?["kubectl.kubernetes.io/last-applied-configuration"] = "{}"
        stored.metadata.finalizers = ["example.com/hold"]
        #expect(isNone(plan(["password": "p1"], existing: stored)))
    }

    @Test("a changed value updates at the existing resourceVersion and keeps everything Rotor does not own")
    func changedValueUpdates() throws {
        var stored = renderingStored(try created(plan(["password": "p1"])), resourceVersion: "777")
        stored.metadata.labels?["extra"] = "1"
        stored.metadata.annotations?["other/note"] = "n"
        stored.metadata.finalizers = ["example.com/hold"]
        let result = plan(["password": "p2"], existing: stored)
        let secret = try updated(result)
        #expect(secret.metadata.resourceVersion == "777")
        #expect(secret.metadata.uid == "uid-secret")
        #expect(secret.data == ["password": Data("p2".utf8)])
        #expect(secret.metadata.labels?["extra"] == "1")
        #expect(secret.metadata.annotations?["other/note"] == "n")
        #expect(secret.metadata.finalizers == ["example.com/hold"])
        #expect(secret.metadata.annotations?["rotor.dev/fingerprint"] == result.fingerprint)
        #expect(result.fingerprint != stored.metadata.annotations?["rotor.dev/fingerprint"])
    }

    @Test("a key no longer rendered is removed from an Owner Secret")
    func removedKeyUpdates() throws {
        let stored = renderingStored(try created(plan(["a": "1", "b": "2"])))
        let secret = try updated(plan(["a": "1"], existing: stored))
        #expect(secret.data?.keys.sorted() == ["a"])
    }

    @Test("a lost managed label or ownerReference is restored")
    func restoresManagedMetadata() throws {
        var stored = renderingStored(try created(plan(["password": "p1"])))
        stored.metadata.labels?["app.kubernetes.io/managed-by"] = nil
        #expect(try updated(plan(["password": "p1"], existing: stored)).metadata.labels?["app.kubernetes.io/managed-by"] == "rotor")
        stored = renderingStored(try created(plan(["password": "p1"])))
        stored.metadata.ownerReferences = nil
        #expect(try updated(plan(["password": "p1"], existing: stored)).metadata.ownerReferences?.count == 1)
    }

    @Test("an Owner ExternalSecret refuses to adopt a Secret Rotor did not create")
    func refusesForeignOwner() throws {
        let existing = foreignSecret()
        let refusal = try refusal(plan(["password": "p"], existing: existing))
        #expect(refusal.code == "secretNotManaged")
        #expect(refusal.conditionReason == "InvalidSpec")
        #expect(refusal.description.contains("shop/db"))
    }

    @Test("an Orphan ExternalSecret refuses to adopt a Secret Rotor did not create")
    func refusesForeignOrphan() throws {
        let es = renderingExternalSecret(target: ExternalSecretTarget(creationPolicy: .orphan))
        #expect(try refusal(plan(["password": "p"], es: es, existing: foreignSecret())).code == "secretNotManaged")
    }

    @Test("a managed Secret controlled by another ExternalSecret is not taken over: Conflict naming it")
    func refusesOtherController() throws {
        var stored = renderingStored(try created(plan(["password": "p1"])))
        stored.metadata.ownerReferences = [
            OwnerReference(apiVersion: "rotor.dev/v1alpha1", kind: "ExternalSecret", name: "other", uid: "uid-other", controller: true)
        ]
        let refusal = try refusal(plan(["password": "p1"], existing: stored))
        #expect(refusal.code == "targetConflict")
        #expect(refusal.conditionReason == "Conflict")
        #expect(refusal.description.contains("ExternalSecret other"))
    }

    // MARK: Orphan

    @Test("an Orphan Secret has the managed labels but no ownerReference, and switching to Orphan drops Rotor's")
    func orphan() throws {
        let es = renderingExternalSecret(target: ExternalSecretTarget(creationPolicy: .orphan))
        let secret = try created(plan(["password": "p"], es: es))
        #expect(secret.metadata.ownerReferences == nil)
        #expect(secret.metadata.labels?["rotor.dev/managed"] == "true")
        #expect(isNone(plan(["password": "p"], es: es, existing: renderingStored(secret))))

        var ownedBefore = renderingStored(try created(plan(["password": "p"])))
        let keepOther = OwnerReference(apiVersion: "v1", kind: "ConfigMap", name: "anchor", uid: "uid-cm")
        ownedBefore.metadata.ownerReferences?.append(keepOther)
        let switched = try updated(plan(["password": "p"], es: es, existing: ownedBefore))
        #expect(switched.metadata.ownerReferences == [keepOther])
    }

    // MARK: Merge

    @Test("Merge adds keys and Rotor's annotations to a foreign Secret and keeps its keys, labels and type")
    func mergeKeepsForeign() throws {
        let es = renderingExternalSecret(target: ExternalSecretTarget(creationPolicy: .merge))
        let existing = foreignSecret(data: ["other": "keep", "password": "old"], type: SecretType.basicAuth)
        let result = plan(["password": "new"], es: es, existing: existing)
        let secret = try updated(result)
        #expect(secret.data == ["other": Data("keep".utf8), "password": Data("new".utf8)])
        #expect(secret.metadata.labels == ["app": "legacy"])
        #expect(
            secret.metadata.annotations == [
                "owner": "team-a", "rotor.dev/fingerprint": result.fingerprint, "rotor.dev/managed-by": "db", "rotor.dev/managed-by-uid": "uid-es-db",
            ])
        #expect(secret.metadata.ownerReferences == nil)
        #expect(secret.type == SecretType.basicAuth)
        #expect(secret.metadata.resourceVersion == "42")

        #expect(isNone(plan(["password": "new"], es: es, existing: secret)))
    }

    @Test("Merge never creates the Secret")
    func mergeNeedsExisting() throws {
        let es = renderingExternalSecret(target: ExternalSecretTarget(creationPolicy: .merge))
        let refusal = try refusal(plan(["password": "p"], es: es, existing: nil))
        #expect(refusal.code == "mergeTargetMissing")
        #expect(refusal.description.contains("shop/db"))
    }

    @Test("Merge removes only the keys named for removal")
    func mergeRemovesNamedKeys() throws {
        let es = renderingExternalSecret(target: ExternalSecretTarget(creationPolicy: .merge))
        let existing = foreignSecret(data: ["other": "keep", "password": "p", "password_previous": "old"])
        let secret = try updated(
            plan(["password": "p"], es: es, existing: existing, additions: ManagedSecretAdditions(removedDataKeys: ["password_previous", "password"])))
        #expect(secret.data?.keys.sorted() == ["other", "password"])
    }

    // MARK: Immutable and type

    @Test("immutable is set on create when asked")
    func immutableCreate() throws {
        let es = renderingExternalSecret(target: ExternalSecretTarget(immutable: true))
        #expect(try created(plan(["password": "p"], es: es)).immutable == true)
    }

    @Test("an immutable Secret whose data would change is refused, not written")
    func immutableRefused() throws {
        let es = renderingExternalSecret(target: ExternalSecretTarget(immutable: true))
        let stored = renderingStored(try created(plan(["password": "p1"], es: es)))
        let refusal = try refusal(plan(["password": "p2"], es: es, existing: stored))
        #expect(refusal.code == "immutableSecretChange")
        #expect(refusal.description.contains("password"))
        #expect(isNone(plan(["password": "p1"], es: es, existing: stored)))
    }

    @Test("an immutable Secret may still get metadata-only updates and stays immutable")
    func immutableMetadataUpdate() throws {
        let stored = renderingStored(try created(plan(["password": "p1"], es: renderingExternalSecret(target: ExternalSecretTarget(immutable: true)))))
        let secret = try updated(plan(["password": "p1"], existing: stored, labels: ["new": "label"]))
        #expect(secret.immutable == true)
        #expect(secret.metadata.labels?["new"] == "label")
    }

    @Test("a template type different from the existing Secret's is refused")
    func typeChangeRefused() throws {
        let stored = renderingStored(try created(plan(["password": "p1"])))
        #expect(try refusal(plan(["password": "p1"], existing: stored, type: SecretType.tls)).code == "secretTypeChange")
    }

    @Test("an unknown creationPolicy writes nothing")
    func unknownPolicy() throws {
        let es = renderingExternalSecret(target: ExternalSecretTarget(creationPolicy: "Adopt"))
        #expect(try refusal(plan(["password": "p"], es: es)).code == "unknownCreationPolicy")
    }

    // MARK: Fingerprint

    @Test("the fingerprint changes with the data and with the key, and not with key order")
    func fingerprint() {
        let base = plan(["a": "1", "b": "2"]).fingerprint
        var reordered: [String: String] = [:]
        reordered["b"] = "2"
        reordered["a"] = "1"
        #expect(plan(reordered).fingerprint == base)
        #expect(plan(["a": "1", "b": "3"]).fingerprint != base)
        #expect(plan(["a": "1", "c": "2"]).fingerprint != base)
        #expect(plan(["a": "1", "b": "2"], key: renderingKey(8)).fingerprint != base)
        #expect(plan(["a": "1", "b": "2"], additions: ManagedSecretAdditions(data: renderingValues(["a_previous": "0"]))).fingerprint == base)
    }

    // MARK: Rotation seam

    @Test("additions add previous keys and rotation annotations; stale rotor.dev annotations are dropped")
    func additions() throws {
        let additions = ManagedSecretAdditions(
            annotations: ["rotor.dev/previous-keys": "password", "rotor.dev/grace-until": "2026-11-29T11:00:00Z"],
            data: renderingValues(["password_previous": "old", "password": "must-not-win"]))
        let during = try created(plan(["password": "new"], additions: additions))
        #expect(during.data == ["password": Data("new".utf8), "password_previous": Data("old".utf8)])
        #expect(during.metadata.annotations?["rotor.dev/previous-keys"] == "password")
        #expect(isNone(plan(["password": "new"], existing: renderingStored(during), additions: additions)))

        let after = try updated(plan(["password": "new"], existing: renderingStored(during)))
        #expect(after.data?.keys.sorted() == ["password"])
        #expect(after.metadata.annotations?.keys.sorted() == ["rotor.dev/fingerprint", "rotor.dev/managed-by", "rotor.dev/managed-by-uid"])
    }
}
