import EmulatorTestSupport
import Foundation
import ProcessTestSupport
import Testing

/// A first user's journey — a store, ExternalSecrets, their Secrets — with the real kubectl
/// against `rotor dev --no-demo` (the operator and the API emulator in one process, as a
/// user runs it).
@Suite("kubectl against rotor dev", .serialized)
struct RotorDevKubectlTests {
    struct Sandbox {
        let process: Subprocess
        let kubectl: Kubectl
        let kubeconfig: String
        let home: String

        func run(_ arguments: String..., stdin: String? = nil) async throws -> Kubectl.Result {
            try await kubectl.run(arguments, kubeconfig: kubeconfig, home: home, stdin: stdin)
        }

        func stop() {
            if process.isRunning { process.interrupt() }
            process.waitUntilExit()
            try? FileManager.default.removeItem(atPath: home)
        }
    }

    static func start() async throws -> Sandbox {
        let executable = try #require(RotorDevCommandTests.rotorExecutable, "the rotor executable is built with the tests")
        let kubectl = try Kubectl.required()
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("rotor-journey-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let kubeconfig = "\(home)/kc"
        let (process, output) = try RotorDevCommandTests.launch(executable, ["dev", "--no-demo", "--kubeconfig", kubeconfig])
        let started = BackgroundKubectl(process: process, output: output)
        #expect(await started.waitForOutput { $0.contains("operator running") }, "output: \(output.text)")
        return Sandbox(process: process, kubectl: kubectl, kubeconfig: kubeconfig, home: home)
    }

    static let store = """
        apiVersion: rotor.dev/v1alpha1
        kind: SecretStore
        metadata: {name: fake, namespace: default}
        spec:
          provider:
            fake:
              data:
              - {key: db/password, value: fake-pass-1, version: "1"}
              - {key: db/user, value: app, version: "1"}

        """

    static func externalSecret(_ name: String, policy: String = "Owner", target: String? = nil, template: String? = nil, store: String = "fake") -> String {
        var targetLines = "    creationPolicy: \(policy)\n"
        if let target { targetLines += "    name: \(target)\n" }
        if let template { targetLines += "    template:\n      data:\n        url: \"\(template)\"\n" }
        return """
            apiVersion: rotor.dev/v1alpha1
            kind: ExternalSecret
            metadata: {name: \(name), namespace: default}
            spec:
              secretStoreRef: {name: \(store), kind: SecretStore}
              refreshInterval: 1h
              target:
            \(targetLines)  data:
              - secretKey: password
                remoteRef: {key: db/password}
              - secretKey: user
                remoteRef: {key: db/user}

            """
    }

    static func decoded(_ base64: String) -> String? {
        Data(base64Encoded: base64).map { String(decoding: $0, as: UTF8.self) }
    }

    @Test("get es columns; a new ExternalSecret's Secret; store edits; force-sync; Owner and Orphan deletion; Merge; failures; describe")
    func journey() async throws {
        let sandbox = try await Self.start()
        defer { sandbox.stop() }
        _ = try await sandbox.run("apply", "-f", "-", stdin: Self.store)
        _ = try await sandbox.run("apply", "-f", "-", stdin: Self.externalSecret("db"))
        // Columns and readiness.
        #expect(await EmulatedCluster.eventually {
            let rows = tableRows((try? await sandbox.run("get", "es"))?.stdout ?? "")
            return rows.first == ["NAME", "STORE", "REFRESH", "STATUS", "READY", "ROTATION", "AGE"]
                && rows.dropFirst().first?.prefix(5) == ["db", "fake", "1h", "Synced", "True"]
        })
        // The Secret: data, labels, annotations, ownerReference.
        let password = try await sandbox.run("get", "secret", "db", "-o", "jsonpath={.data.password}").stdout
        #expect(Self.decoded(password) == "fake-pass-1")
        let meta = try await sandbox.run(
            "get", "secret", "db", "-o",
            "jsonpath={.metadata.labels.rotor\\.dev/managed} {.metadata.ownerReferences[0].kind} {.metadata.annotations.rotor\\.dev/fingerprint}").stdout
        #expect(meta.hasPrefix("true ExternalSecret hmac-sha256:"))
        // Editing the store's value updates the Secret.
        _ = try await sandbox.run("apply", "-f", "-", stdin: Self.store.replacingOccurrences(of: "fake-pass-1", with: "fake-pass-2"))
        #expect(await EmulatedCluster.eventually {
            Self.decoded((try? await sandbox.run("get", "secret", "db", "-o", "jsonpath={.data.password}"))?.stdout ?? "") == "fake-pass-2"
        })
        // force-sync syncs at once (refreshTime moves).
        let before = try await sandbox.run("get", "es", "db", "-o", "jsonpath={.status.syncedResourceVersion}").stdout
        _ = try await sandbox.run("annotate", "es", "db", "rotor.dev/force-sync=\(Int(Date().timeIntervalSince1970))", "--overwrite")
        #expect(await EmulatedCluster.eventually {
            let now = (try? await sandbox.run("get", "es", "db", "-o", "jsonpath={.status.syncedResourceVersion}"))?.stdout
            return now != nil && now != before && now!.contains("force=")
        })
        // describe shows Events.
        let described = try await sandbox.run("describe", "es", "db").stdout
        #expect(described.contains("Events:") && described.contains("Synced"))
        // Owner: deleting the ExternalSecret removes the Secret; Orphan: keeps it.
        _ = try await sandbox.run("apply", "-f", "-", stdin: Self.externalSecret("kept", policy: "Orphan"))
        #expect(await EmulatedCluster.eventually { (try? await sandbox.run("get", "secret", "kept"))?.succeeded == true })
        _ = try await sandbox.run("delete", "es", "db", "kept")
        #expect(await EmulatedCluster.eventually { (try? await sandbox.run("get", "secret", "db"))?.succeeded == false })
        #expect(try await sandbox.run("get", "secret", "kept").succeeded, "an Orphan Secret outlives its ExternalSecret")
        // Merge: into an existing Secret, keeping its other keys.
        _ = try await sandbox.run("create", "secret", "generic", "shared", "--from-literal=other=keep-me")
        _ = try await sandbox.run("apply", "-f", "-", stdin: Self.externalSecret("merge", policy: "Merge", target: "shared"))
        #expect(await EmulatedCluster.eventually {
            Self.decoded((try? await sandbox.run("get", "secret", "shared", "-o", "jsonpath={.data.password}"))?.stdout ?? "") == "fake-pass-2"
        })
        #expect(Self.decoded(try await sandbox.run("get", "secret", "shared", "-o", "jsonpath={.data.other}").stdout) == "keep-me")
        // An invalid template and an unknown store: Ready=False with a clear message, old Secret untouched.
        _ = try await sandbox.run("apply", "-f", "-", stdin: Self.externalSecret("tpl"))
        #expect(await EmulatedCluster.eventually { (try? await sandbox.run("get", "secret", "tpl"))?.succeeded == true })
        _ = try await sandbox.run("apply", "-f", "-", stdin: Self.externalSecret("tpl", template: "x://{{password}}@{{nope}"))
        #expect(await EmulatedCluster.eventually {
            (try? await sandbox.run("get", "es", "tpl", "-o", "jsonpath={.status.conditions[0].reason}"))?.stdout == "InvalidSpec"
        })
        let message = try await sandbox.run("get", "es", "tpl", "-o", "jsonpath={.status.conditions[0].message}").stdout
        #expect(message.contains("url"), "the message names the template key: \(message)")
        #expect(!message.contains("fake-pass"))
        #expect(Self.decoded(try await sandbox.run("get", "secret", "tpl", "-o", "jsonpath={.data.password}").stdout) == "fake-pass-2")
        _ = try await sandbox.run("apply", "-f", "-", stdin: Self.externalSecret("tpl", store: "no-such-store"))
        #expect(await EmulatedCluster.eventually {
            (try? await sandbox.run("get", "es", "tpl", "-o", "jsonpath={.status.conditions[0].reason}"))?.stdout == "StoreNotReady"
        })
        let storeMessage = try await sandbox.run("get", "es", "tpl", "-o", "jsonpath={.status.conditions[0].message}").stdout
        #expect(storeMessage.contains("no-such-store"))
        #expect(try await sandbox.run("get", "secret", "tpl").succeeded, "the last good Secret stays")
    }
}
