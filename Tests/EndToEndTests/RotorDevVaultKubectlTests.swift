import EmulatorTestSupport
import Foundation
import ProcessTestSupport
import Testing

/// A Vault user's journey: the real kubectl against `rotor dev`, whose Vault emulator is
/// set up with kubernetes auth; new versions are written with curl as a user would.
@Suite("kubectl against rotor dev: a Vault-backed ExternalSecret", .serialized)
struct RotorDevVaultKubectlTests {
    /// `vault.env` next to the kubeconfig: `VAULT_ADDR`, `VAULT_TOKEN`, `VAULT_CACERT`.
    static func vaultEnvironment(_ home: String) throws -> [String: String] {
        let text = try String(contentsOfFile: "\(home)/vault.env", encoding: .utf8)
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let assignment = line.hasPrefix("export ") ? line.dropFirst(7) : line[...]
            guard let equals = assignment.firstIndex(of: "=") else { continue }
            values[String(assignment[..<equals])] = String(assignment[assignment.index(after: equals)...])
        }
        return values
    }

    /// `curl` against the Vault emulator with the root token; returns the HTTP status.
    static func curl(_ env: [String: String], _ method: String, _ path: String, body: String? = nil) async throws -> String {
        var arguments = [ "-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", env["VAULT_CACERT"] ?? "", "-X", method,
            "-H", "X-Vault-Token: \(env["VAULT_TOKEN"] ?? "")",
        ]
        if let body { arguments += ["-d", body] }
        let process = try Subprocess.spawn("curl", arguments + ["\(env["VAULT_ADDR"] ?? "")/v1/\(path)"], stdin: .null, stderr: .null)
        return String(decoding: await process.collect().stdout, as: UTF8.self)
    }

    static func store(server: String, caBundle: String) -> String {
        """
        apiVersion: rotor.dev/v1alpha1
        kind: SecretStore
        metadata: {name: vault, namespace: default}
        spec:
          provider:
            vault:
              server: \(server)
              path: secret
              version: v2
              caBundle: \(caBundle)
              auth:
                kubernetes:
                  mountPath: kubernetes
                  role: rotor
                  serviceAccountRef: {name: rotor-vault, audiences: [vault]}

        """
    }

    static let externalSecret = """
        apiVersion: rotor.dev/v1alpha1
        kind: ExternalSecret
        metadata: {name: shop-db, namespace: default}
        spec:
          secretStoreRef: {name: vault, kind: SecretStore}
          refreshInterval: 5s
          data:
          - secretKey: password
            remoteRef: {key: shop/db, property: password}
          - secretKey: user
            remoteRef: {key: shop/db, property: user}

        """

    @Test("a Vault-backed ExternalSecret syncs; a new version is picked up on refresh; a revoked policy is Forbidden and the Secret stays")
    func vaultJourney() async throws {
        let executable = try #require(RotorDevCommandTests.rotorExecutable, "the rotor executable is built with the tests")
        let kubectl = try Kubectl.required()
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("rotor-vault-journey-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let kubeconfig = "\(home)/kc"
        let (process, output) = try RotorDevCommandTests.launch(executable, ["dev", "--no-demo", "--kubeconfig", kubeconfig])
        let sandbox = RotorDevKubectlTests.Sandbox(process: process, kubectl: kubectl, kubeconfig: kubeconfig, home: home)
        defer { sandbox.stop() }
        let started = BackgroundKubectl(process: process, output: output)
        #expect(await started.waitForOutput { $0.contains("operator running") && $0.contains("VAULT_ADDR=") })
        let env = try Self.vaultEnvironment(home)
        let ca = try String(contentsOfFile: env["VAULT_CACERT"] ?? "", encoding: .utf8)

        _ = try await sandbox.run("apply", "-f", "-", stdin: Self.store(server: env["VAULT_ADDR"] ?? "", caBundle: Data(ca.utf8).base64EncodedString()))
        _ = try await sandbox.run("apply", "-f", "-", stdin: Self.externalSecret)
        #expect(await EmulatedCluster.eventually {
            let rows = tableRows((try? await sandbox.run("get", "es", "shop-db"))?.stdout ?? "")
            return rows.dropFirst().first?.prefix(5) == ["shop-db", "vault", "5s", "Synced", "True"]
        })
        let storeReady = try await sandbox.run("get", "secretstore", "vault", "-o", "jsonpath={.status.conditions[0].status}").stdout
        #expect(storeReady == "True")
        let first = try await sandbox.run("get", "secret", "shop-db", "-o", "jsonpath={.data.password}").stdout
        #expect(RotorDevKubectlTests.decoded(first) == "vault-demo-password-1")

        // A new version, written as a user would with curl; picked up on refresh (the
        // provider cache lives 30 s).
        let written = try await Self.curl(env, "POST", "secret/data/shop/db", body: #"{"data":{"user":"app","password":"vault-demo-password-2"}}"#)
        #expect(written == "200")
        #expect(await EmulatedCluster.eventually(timeout: .seconds(75)) {
            RotorDevKubectlTests.decoded((try? await sandbox.run("get", "secret", "shop-db", "-o", "jsonpath={.data.password}"))?.stdout ?? "")
                == "vault-demo-password-2"
        })

        // Revoking the store's policy: Ready=False, reason Forbidden; the Secret keeps its value.
        let revoked = try await Self.curl(env, "DELETE", "sys/policies/acl/rotor-demo")
        #expect(revoked == "204")
        #expect(await EmulatedCluster.eventually(timeout: .seconds(75)) {
            (try? await sandbox.run("get", "es", "shop-db", "-o", "jsonpath={.status.conditions[0].status} {.status.conditions[0].reason}"))?.stdout
                == "False Forbidden"
        })
        let kept = try await sandbox.run("get", "secret", "shop-db", "-o", "jsonpath={.data.password}").stdout
        #expect(RotorDevKubectlTests.decoded(kept) == "vault-demo-password-2")
        let message = try await sandbox.run("get", "es", "shop-db", "-o", "jsonpath={.status.conditions[0].message}").stdout
        #expect(message.contains("permission denied") && !message.contains("vault-demo-password"))
    }
}
