import EmulatorTestSupport
import Foundation
import HTTPServing
import JSONCore
import KubeAPI
import RotorAPI
import RotorOperator
import Testing

/// End to end against the API emulator (which checks Secret types as kube-apiserver does):
/// typed Secrets written through templates, a missing required key refused with the
/// Secret kept, and `dataFrom[].rewrite` renaming keys before they are written.
@Suite("Typed Secrets and key rewrites", .serialized)
struct TypedSecretReconcileTests {
    static let dockerSpec = #"{"secretStoreRef":{"name":"fake"},"refreshInterval":"1h","dataFrom":[{"extract":{"key":"registry/creds"}}],"target":{"template":{"type":"kubernetes.io/dockerconfigjson","data":{".dockerconfigjson":"{{dockerconfigjson(.)}}"}}}}"#

    static let tlsSpec = #"{"secretStoreRef":{"name":"fake"},"refreshInterval":"1h","data":[{"secretKey":"bundle","remoteRef":{"key":"tls/bundle"}}],"target":{"template":{"type":"kubernetes.io/tls","data":{"tls.crt":"{{pemCertificates(bundle)}}","tls.key":"{{pemPrivateKey(bundle)}}"}}}}"#

    @Test("a dockerconfigjson template writes a Secret of that type whose JSON holds the registry's auths")
    func dockerConfigJSONSecret() async throws {
        try await RotationHarness.with { h in
            try await SecretWriteSafetyTests.setStore(h, ["registry/creds": #"{"registry":"registry.example:5000","username":"robot","password":"pw-1"}"#])
            let running = h.startOperator()
            try await h.createExternalSecret(spec: Self.dockerSpec)
            #expect(await SecretWriteSafetyTests.hasReady(h, reason: "Synced"))
            let secret = try #require(await h.secret())
            #expect(secret.type == "kubernetes.io/dockerconfigjson")
            #expect(secret.data?.keys.sorted() == [".dockerconfigjson"])
            let config = try JSONValue(parsing: try #require(secret.data?[".dockerconfigjson"]))
            let entry = try #require(config["auths"]?["registry.example:5000"])
            #expect(entry["username"]?.stringValue == "robot")
            #expect(entry["password"]?.stringValue == "pw-1")
            #expect(entry["auth"]?.stringValue == Data("robot:pw-1".utf8).base64EncodedString())
            await running.stop()
        }
    }

    @Test("a TLS template splits a PEM bundle into tls.crt and tls.key of a kubernetes.io/tls Secret")
    func tlsSecretFromABundle() async throws {
        let certificates = try ServingCertificates.generate()
        try await RotationHarness.with { h in
            try await SecretWriteSafetyTests.setStore(h, ["tls/bundle": certificates.serverCertificatePEM + certificates.serverKeyPEM + certificates.caCertificatePEM])
            let running = h.startOperator()
            try await h.createExternalSecret(spec: Self.tlsSpec)
            #expect(await SecretWriteSafetyTests.hasReady(h, reason: "Synced"))
            #expect(await h.secret()?.type == "kubernetes.io/tls")
            let data = await h.data()
            #expect(data.keys.sorted() == ["tls.crt", "tls.key"])
            let expected = [certificates.serverCertificatePEM, certificates.caCertificatePEM].map { $0.trimmingCharacters(in: .newlines) + "\n" }.joined()
            #expect(data["tls.crt"] == expected)
            #expect(data["tls.key"]?.trimmingCharacters(in: .newlines) == certificates.serverKeyPEM.trimmingCharacters(in: .newlines))
            await running.stop()
        }
    }

    @Test("a template that drops a key the type requires: Ready=False naming the field and the key, the Secret left exactly as it was")
    func missingRequiredKeyKeepsTheSecret() async throws {
        let certificates = try ServingCertificates.generate()
        try await RotationHarness.with { h in
            try await SecretWriteSafetyTests.setStore(h, ["tls/bundle": certificates.serverCertificatePEM + certificates.serverKeyPEM])
            let running = h.startOperator()
            try await h.createExternalSecret(spec: Self.tlsSpec)
            #expect(await SecretWriteSafetyTests.hasReady(h, reason: "Synced"))
            #expect(await h.settled(running))
            let writes = h.secretWrites
            let before = await h.secret()

            try await SecretWriteSafetyTests.respec(h, spec: Self.tlsSpec.replacingOccurrences(of: #","tls.key":"{{pemPrivateKey(bundle)}}""#, with: ""))
            #expect(await SecretWriteSafetyTests.hasReady(h, reason: "InvalidSpec", containing: "spec.target.template.type: ExternalSecret default/db"))
            let message = await SecretWriteSafetyTests.ready(h)?.message ?? ""
            #expect(message.contains("data[tls.key]: Required value"))
            #expect(!message.contains("BEGIN"))
            #expect(h.secretWrites == writes)
            #expect(await h.secret()?.data == before?.data)
            #expect(await h.secret()?.metadata.resourceVersion == before?.metadata.resourceVersion)
            await running.stop()
        }
    }

    @Test("a template type different from the existing Secret's: InvalidSpec, the Secret kept with its type (never deleted and recreated)")
    func typeChangeKeepsTheSecret() async throws {
        try await RotationHarness.with { h in
            try await SecretWriteSafetyTests.setStore(h, ["registry/creds": #"{"registry":"r","username":"u","password":"p"}"#])
            let running = h.startOperator()
            try await h.createExternalSecret(spec: Self.dockerSpec.replacingOccurrences(of: "kubernetes.io/dockerconfigjson", with: "Opaque"))
            #expect(await SecretWriteSafetyTests.hasReady(h, reason: "Synced"))
            #expect(await h.settled(running))
            let before = await h.secret()
            #expect(before?.type == "Opaque")

            try await SecretWriteSafetyTests.respec(h, spec: Self.dockerSpec)
            #expect(await SecretWriteSafetyTests.hasReady(h, reason: "InvalidSpec", containing: "cannot change to kubernetes.io/dockerconfigjson"))
            #expect(await h.secret()?.metadata.uid == before?.metadata.uid)
            #expect(await h.secret()?.type == "Opaque")
            await running.stop()
        }
    }

    @Test("dataFrom rewrite renames found keys before they are written; a collision is a condition and the Secret is kept")
    func rewriteRenamesAndRefusesCollisions() async throws {
        try await RotationHarness.with { h in
            try await SecretWriteSafetyTests.setStore(h, ["app/prod/db": "p", "app/prod/api": "a", "app/dev/db": "d"])
            let running = h.startOperator()
            let spec = #"{"secretStoreRef":{"name":"fake"},"refreshInterval":"1h","dataFrom":[{"find":{"path":"app/prod"},"rewrite":[{"regexp":{"source":"^app/prod/(.*)$","target":"$1"}},{"transform":{"template":"PROD_{{uppercased(value)}}"}}]}]}"#
            try await h.createExternalSecret(spec: spec)
            #expect(await SecretWriteSafetyTests.hasReady(h, reason: "Synced"))
            #expect(await h.data() == ["PROD_API": "a", "PROD_DB": "p"])
            #expect(await h.settled(running))
            let writes = h.secretWrites

            let colliding = #"{"secretStoreRef":{"name":"fake"},"refreshInterval":"1h","dataFrom":[{"find":{"path":"app"},"rewrite":[{"regexp":{"source":"^app/(prod|dev)/","target":""}}]}]}"#
            try await SecretWriteSafetyTests.respec(h, spec: colliding)
            #expect(await SecretWriteSafetyTests.hasReady(h, reason: "InvalidSpec", containing: "spec.dataFrom[0].rewrite: keys"))
            #expect(h.secretWrites == writes)
            #expect(await h.data() == ["PROD_API": "a", "PROD_DB": "p"])
            await running.stop()
        }
    }

    @Test("hostile: a pathological rewrite pattern over many long key names stops at its step budget with InvalidSpec, nothing written")
    func pathologicalRewriteStops() async throws {
        try await RotationHarness.with { h in
            var entries: [String: String] = [:]
            for index in 0..<50 { entries["h/" + String(repeating: "a", count: 1000) + "\(index)!"] = "v" }
            try await SecretWriteSafetyTests.setStore(h, entries)
            let running = h.startOperator()
            let pattern = "(" + String(repeating: "(a|a?)", count: 30) + ")+$"
            let spec = #"{"secretStoreRef":{"name":"fake"},"refreshInterval":"1h","dataFrom":[{"find":{"path":"h"},"rewrite":[{"regexp":{"source":"\#(pattern)","target":"x"}}]}]}"#
            try await h.createExternalSecret(spec: spec)
            #expect(await SecretWriteSafetyTests.hasReady(h, reason: "InvalidSpec", containing: "took more than \(KeyRewrite.stepBudget) steps"))
            #expect(await h.secret() == nil)
            await running.stop()
        }
    }

    @Test("hostile: a rewrite regexp with a backreference is InvalidSpec before any read")
    func backreferenceRefusedBeforeRead() async throws {
        try await RotationHarness.with { h in
            let running = h.startOperator()
            let spec = #"{"secretStoreRef":{"name":"fake"},"refreshInterval":"1h","dataFrom":[{"find":{"path":"db"},"rewrite":[{"regexp":{"source":"(a+)+\\1","target":"x"}}]}]}"#
            try await h.createExternalSecret(spec: spec)
            #expect(await SecretWriteSafetyTests.hasReady(h, reason: "InvalidSpec", containing: "spec.dataFrom[0].rewrite[0].regexp.source"))
            #expect(await h.secret() == nil)
            await running.stop()
        }
    }
}
