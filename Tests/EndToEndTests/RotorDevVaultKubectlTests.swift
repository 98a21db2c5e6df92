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

    /// The Vault store `vault` with kubernetes auth as `rotor dev`'s role expects
    /// (ServiceAccount `rotor-vault` of `default`): a SecretStore of `default`, or with
    /// `cluster` a ClusterSecretStore naming that namespace.
    static func store(server: String, caBundle: String, cluster: Bool = false) -> String {
        """
        apiVersion: rotor.dev/v1alpha1
        kind: \(cluster ? "ClusterSecretStore" : "SecretStore")
        metadata: {name: vault\(cluster ? "" : ", namespace: default")}
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
                  serviceAccountRef: {name: rotor-vault\(cluster ? ", namespace: default" : ""), audiences: [vault]}

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
        try await RotorDevFanOutPushKubectlTests.withWorld(canaries: ["vault-demo-password-1"]) { world in
            try await world.kubectl("apply", "-f", "-", stdin: Self.store(server: world.vaultEnvironment["VAULT_ADDR"] ?? "", caBundle: world.caBundle))
            try await world.kubectl("apply", "-f", "-", stdin: Self.externalSecret)
            #expect(await EmulatedCluster.eventually {
                tableRows(await world.jsonpath("get", "es", "shop-db")).dropFirst().first?.prefix(5) == ["shop-db", "vault", "5s", "Synced", "True"]
            })
            #expect(await world.jsonpath("get", "secretstore", "vault", "-o", "jsonpath={.status.conditions[0].status}") == "True")
            let first = await world.jsonpath("get", "secret", "shop-db", "-o", "jsonpath={.data.password}")
            #expect(RotorDevKubectlTests.decoded(first) == "vault-demo-password-1")

            // A new version, written as a user would with curl; picked up at the next refresh.
            let written = try await world.vault("POST", "secret/data/shop/db", body: #"{"data":{"user":"app","password":"vault-demo-password-2"}}"#)
            #expect(written.status == 200)
            #expect(await EmulatedCluster.eventually(timeout: .seconds(75)) {
                RotorDevKubectlTests.decoded(await world.jsonpath("get", "secret", "shop-db", "-o", "jsonpath={.data.password}")) == "vault-demo-password-2"
            })

            // Revoking the store's policy: Ready=False, reason Forbidden; the Secret keeps its value.
            #expect(try await world.vault("DELETE", "sys/policies/acl/rotor-demo").status == 204)
            #expect(await EmulatedCluster.eventually(timeout: .seconds(75)) {
                await world.jsonpath("get", "es", "shop-db", "-o", "jsonpath={.status.conditions[0].status} {.status.conditions[0].reason}")
                    == "False Forbidden"
            })
            let kept = await world.jsonpath("get", "secret", "shop-db", "-o", "jsonpath={.data.password}")
            #expect(RotorDevKubectlTests.decoded(kept) == "vault-demo-password-2")
            let message = await world.jsonpath("get", "es", "shop-db", "-o", "jsonpath={.status.conditions[0].message}")
            #expect(message.contains("permission denied") && !message.contains("vault-demo-password"))
        }
    }
}
