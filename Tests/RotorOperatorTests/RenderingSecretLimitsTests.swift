import Foundation
import KubeClient
import KubeAPI
import RotorAPI
import RotorOperator
import SecretProviders
import Testing

/// Keys and sizes the API server would refuse are refused by the plan, before any write,
/// and write errors become a reason (the failure rule).
@Suite("Rendering: Secret limits")
struct RenderingSecretLimitsTests {
    private func refused(_ plan: ManagedSecretPlan) -> ManagedSecretRefusal? {
        if case .refuse(let refusal) = plan.action { return refusal }
        return nil
    }

    private func plan(
        _ data: [String: SecretValue], es: ExternalSecret = renderingExternalSecret(), existing: Secret? = nil,
        annotations: [String: String] = [:], additions: ManagedSecretAdditions = .none
    ) -> ManagedSecretPlan {
        ManagedSecretPlan(
            rendered: RenderedSecret(annotations: annotations, data: data), externalSecret: es, existing: existing,
            fingerprintKey: renderingKey(), additions: additions)
    }

    @Test(
        "what the API server accepts as a Secret key",
        arguments: [
            ("password", true), ("tls.crt", true), ("a-b_c.D9", true), (String(repeating: "k", count: 253), true), (".hidden", true),
            ("", false), (".", false), ("..", false), ("..data", false), ("a/b", false), ("a b", false), ("pässword", false),
            ("key\n", false), (String(repeating: "k", count: 254), false),
        ])
    func keys(_ key: String, _ valid: Bool) {
        #expect((SecretLimits.keyProblem(key) == nil) == valid)
    }

    @Test("an invalid key from dataFrom is InvalidKey naming the key and spec.dataFrom, retried (the provider may change), never written")
    func invalidKeyFromDataFrom() throws {
        let existing = renderingStored(
            Secret(
                metadata: ObjectMeta(name: "db", namespace: "shop", labels: ManagedSecretMetadata.managedLabels),
                data: ["password": Data("old".utf8)]))
        let refusal = try #require(refused(plan(renderingValues(["password": renderingCanary, "bad/key": renderingCanary]), existing: existing)))
        #expect(refusal.conditionReason == "InvalidKey")
        #expect(refusal.description.contains("spec.dataFrom"))
        #expect(refusal.description.contains(#""bad/key""#))
        #expect(!refusal.description.contains(renderingCanary))
        #expect(refusal.isTerminal == false)
        // Also on create: nothing is created.
        #expect(self.refused(plan(renderingValues(["bad/key": "x"]))) != nil)
    }

    @Test("an invalid key named by the spec (template data key, secretKey) is InvalidKey naming that field, before any read")
    func invalidKeyFromSpec() throws {
        let templated = renderingExternalSecret(target: renderingTemplate(["bad key": "{{password}}"]))
        let templateFailure = try #require(SecretRenderer.specProblem(templated))
        #expect(templateFailure.reason == "InvalidKey")
        #expect(templateFailure.message.hasPrefix(#"spec.target.template.data["bad key"]"#))
        #expect(templateFailure.isTerminal)
        #expect(refused(plan(renderingValues(["bad key": "x"]), es: templated))?.description.contains("spec.target.template.data") == true)

        var keyed = renderingExternalSecret()
        keyed.spec.data = [ExternalSecretData(secretKey: "ok"), ExternalSecretData(secretKey: "..")]
        let keyFailure = try #require(SecretRenderer.specProblem(keyed))
        #expect(keyFailure.reason == "InvalidKey")
        #expect(keyFailure.message.hasPrefix("spec.data[1].secretKey"))
        #expect(refused(plan(renderingValues(["ok": "1", "..": "2"]), es: keyed))?.description.contains("spec.data[1].secretKey") == true)

        #expect(SecretRenderer.specProblem(renderingExternalSecret(target: renderingTemplate(["fine.key": "x"]))) == nil)
    }

    @Test("a key shown in a message is shortened and escaped")
    func shownKeys() {
        #expect(SecretLimits.shown("a\nb\"") == #""a\nb\"""#)
        #expect(SecretLimits.shown(String(repeating: "k", count: 10_000)).count < 80)
    }

    @Test("data over 1 MiB is TooLarge naming the largest keys, never a value; exactly 1 MiB is written")
    func tooLarge() throws {
        let half = SecretValue(bytes: Array(repeating: UInt8(ascii: "x"), count: SecretLimits.maximumDataBytes / 2))
        let exact = plan(["a": half, "b": half])
        guard case .create = exact.action else {
            Issue.record("1 MiB exactly is accepted by the API server: \(exact.action)")
            return
        }
        let over = try #require(refused(plan(["a": half, "b": half, "c": SecretValue(utf8: renderingCanary)])))
        #expect(over.conditionReason == "TooLarge")
        #expect(over.description.contains("\(SecretLimits.maximumDataBytes / 2 * 2 + renderingCanary.utf8.count) bytes of data"))
        #expect(over.description.contains(#""a" (524288 bytes)"#))
        #expect(!over.description.contains(renderingCanary))
        #expect(over.isTerminal == false)
    }

    @Test("a rotation whose previous values would take the Secret past 1 MiB is TooLarge, the Secret left unchanged")
    func rotationDoubling() throws {
        let size = 600_000
        var es = renderingExternalSecret()
        es.spec.rotation = ExternalSecretRotation(gracePeriod: "10m")
        let before = renderingStored(try #require({
            if case .create(let s) = plan(["password": SecretValue(bytes: Array(repeating: 1, count: size))], es: es).action { return s }
            return nil
        }()))
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let rendered = ["password": SecretValue(bytes: Array(repeating: 2, count: size))]
        let rotation = try RotationPlanner.plan(existing: before, rendered: rendered, rotation: es.spec.rotation, now: now).get()
        #expect(rotation.rotated)
        let refusal = try #require(refused(plan(rendered, es: es, existing: before, additions: rotation.additions)))
        #expect(refusal.conditionReason == "TooLarge")
        #expect(refusal.description.contains("\(size) of them previous values kept by spec.rotation"))
    }

    @Test("annotations over 256 KiB are TooLarge naming metadata.annotations")
    func annotationsTooLarge() throws {
        let refusal = try #require(refused(plan(renderingValues(["a": "1"]), annotations: ["big": String(repeating: "n", count: 262_144)])))
        #expect(refusal.conditionReason == "TooLarge")
        #expect(refusal.description.contains("metadata.annotations"))
    }

    @Test(
        "a template cannot set rotor.dev/ labels or annotations: InvalidSpec naming the field",
        arguments: [
            (["rotor.dev/managed": "true"], [String: String](), #"spec.target.template.metadata.labels["rotor.dev/managed"]"#),
            ([:], ["rotor.dev/managed-by": "someone"], #"spec.target.template.metadata.annotations["rotor.dev/managed-by"]"#),
            ([:], ["x.Rotor.dev/anything": "v"], #"spec.target.template.metadata.annotations["x.Rotor.dev/anything"]"#),
        ])
    func reservedMetadata(_ labels: [String: String], _ annotations: [String: String], _ field: String) throws {
        let es = renderingExternalSecret(target: renderingTemplate(nil, labels: labels, annotations: annotations))
        let failure = try #require(SecretRenderer.specProblem(es))
        #expect(failure.reason == "InvalidSpec")
        #expect(failure.message.hasPrefix(field))
        let planned = ManagedSecretPlan(
            rendered: RenderedSecret(labels: labels, annotations: annotations, data: renderingValues(["a": "1"])), externalSecret: es,
            existing: nil, fingerprintKey: renderingKey())
        #expect(refused(planned)?.conditionReason == "InvalidSpec")
        #expect(SecretRenderer.specProblem(renderingExternalSecret(target: renderingTemplate(nil, labels: ["app": "x"], annotations: ["rotor.devx/a": "b"]))) == nil)
    }

    @Test(
        "a failed write becomes a reason with the API server's message",
        arguments: [
            (422, "Invalid", "WriteRejected"), (400, "BadRequest", "WriteRejected"), (403, "Forbidden", "Forbidden"),
            (429, "TooManyRequests", "Throttled"), (500, "InternalError", "WriteFailed"), (503, "ServiceUnavailable", "WriteFailed"),
        ])
    func writeFailures(_ code: Int, _ reason: String, _ expected: String) {
        let error = KubeAPIError(
            status: Status(message: #"Secret "db" is invalid: data[bad/key]: Invalid value: "bad/key""#, reason: reason, code: code), httpStatus: code)
        let failure = SyncFailure.write(error, object: "Secret shop/db")
        #expect(failure.reason == expected)
        #expect(failure.message.contains("Secret shop/db"))
        #expect(failure.message.contains("data[bad/key]"))
        #expect(!failure.isTerminal)
    }
}
