import Foundation
import KubeAPI
import RotorAPI
import RotorOperator
import SecretProviders
import Testing

/// A typed Secret is never planned without the keys its type requires (as the API server
/// checks them), and an existing Secret's type is never changed.
@Suite("Rendering: typed Secrets")
struct RenderingSecretTypeTests {
    private func plan(
        _ data: [String: String], type: String?, templateData: [String: String]? = ["k": "{{k}}"], existing: Secret? = nil
    ) -> ManagedSecretPlan {
        let es = renderingExternalSecret(target: renderingTemplate(templateData, type: type))
        return ManagedSecretPlan(
            rendered: RenderedSecret(type: type, data: renderingValues(data)), externalSecret: es, existing: existing,
            fingerprintKey: renderingKey())
    }

    private func refused(_ plan: ManagedSecretPlan) -> ManagedSecretRefusal? {
        if case .refuse(let refusal) = plan.action { return refusal }
        return nil
    }

    @Test(
        "the keys each type requires, as kube-apiserver checks them",
        arguments: [
            ("kubernetes.io/dockerconfigjson", [".dockerconfigjson": #"{"auths":{}}"#], nil),
            ("kubernetes.io/dockerconfigjson", ["config": "{}"], ".dockerconfigjson"),
            ("kubernetes.io/dockerconfigjson", [".dockerconfigjson": "[1]"], ".dockerconfigjson"),
            ("kubernetes.io/dockerconfigjson", [".dockerconfigjson": "{not json"], ".dockerconfigjson"),
            ("kubernetes.io/dockercfg", [".dockercfg": "{}"], nil),
            ("kubernetes.io/dockercfg", [".dockerconfigjson": "{}"], ".dockercfg"),
            ("kubernetes.io/tls", ["tls.crt": "c", "tls.key": "k"], nil),
            ("kubernetes.io/tls", ["tls.crt": "c"], "tls.key"),
            ("kubernetes.io/tls", ["tls.key": "k"], "tls.crt"),
            ("kubernetes.io/basic-auth", ["password": ""], nil),
            ("kubernetes.io/basic-auth", ["user": "u"], "username"),
            ("kubernetes.io/ssh-auth", ["ssh-privatekey": "k"], nil),
            ("kubernetes.io/ssh-auth", ["ssh-privatekey": ""], "ssh-privatekey"),
            ("Opaque", [:], nil),
            ("example.com/custom", [:], nil),
        ] as [(String, [String: String], String?)])
    func requiredKeys(_ type: String, _ data: [String: String], _ missing: String?) {
        let problem = SecretTypeRules.problem(type: type, data: data.mapValues { Data($0.utf8) })
        #expect(problem?.key == missing)
    }

    @Test("a TLS template without tls.key: refused before any write, naming the ExternalSecret, the field and the key, never a value")
    func missingKeyIsRefusedOnCreate() throws {
        let refusal = try #require(refused(plan(["tls.crt": renderingCanary], type: SecretTypeRules.tls, templateData: ["tls.crt": "{{c}}"])))
        #expect(refusal.code == "secretTypeRequirement")
        #expect(refusal.conditionReason == "InvalidSpec")
        let message = refusal.syncFailure.message
        #expect(message.hasPrefix("spec.target.template.type: ExternalSecret shop/db"))
        #expect(message.contains(#""tls.key""#))
        #expect(message.contains("data[tls.key]: Required value"))
        #expect(!renderingPrinted(refusal).contains(renderingCanary))
        #expect(refusal.isTerminal, "only a spec change can add a template key")
    }

    @Test("an existing typed Secret is kept as it is when the new data lacks a required key")
    func missingKeyKeepsTheExistingSecret() throws {
        let first = plan(["tls.crt": "c", "tls.key": "k"], type: SecretTypeRules.tls, templateData: ["tls.crt": "{{c}}", "tls.key": "{{k}}"])
        guard case .create(let created) = first.action else {
            Issue.record("expected create, got \(first.action)")
            return
        }
        #expect(created.type == SecretTypeRules.tls)
        let stored = renderingStored(created)
        let second = plan(["tls.crt": "c2"], type: SecretTypeRules.tls, templateData: ["tls.crt": "{{c}}"], existing: stored)
        #expect(refused(second)?.code == "secretTypeRequirement")
    }

    @Test("a dockerconfigjson value that is not a JSON object waits for the provider (retried), not for the spec")
    func invalidJSONIsRetried() throws {
        let refusal = try #require(refused(plan([".dockerconfigjson": "nope"], type: SecretTypeRules.dockerConfigJSON)))
        #expect(refusal.syncFailure.message.contains("not a JSON object"))
        #expect(!refusal.isTerminal)
    }

    @Test("a service-account-token Secret is never written by Rotor: refused, waiting for the spec to change")
    func serviceAccountTokenIsRefused() throws {
        let refusal = try #require(refused(plan(["token": "t"], type: SecretTypeRules.serviceAccountToken)))
        #expect(refusal.code == "secretTypeRequirement")
        #expect(refusal.isTerminal)
    }

    @Test("a type change of an existing Secret is refused (InvalidSpec naming spec.target.template.type) and the Secret kept")
    func typeChangeIsRefused() throws {
        let stored = renderingStored(Secret(
            metadata: ObjectMeta(name: "db", namespace: "shop", labels: ManagedSecretMetadata.managedLabels),
            type: SecretType.opaque, data: ["tls.crt": Data("c".utf8), "tls.key": Data("k".utf8)]))
        let refusal = try #require(refused(plan(["tls.crt": "c", "tls.key": "k"], type: SecretTypeRules.tls, existing: stored)))
        #expect(refusal.code == "secretTypeChange")
        #expect(refusal.syncFailure.reason == "InvalidSpec")
        #expect(refusal.syncFailure.message.hasPrefix("spec.target.template.type: "))
        #expect(refusal.syncFailure.message.contains("delete it to let Rotor recreate it"))
    }
}
