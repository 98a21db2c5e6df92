import EmulatorTestSupport
import Foundation
import MotoTestSupport
import ProcessTestSupport
import Testing

/// A platform team's ClusterExternalSecret and a tenant's PushSecrets, driven with the
/// real kubectl against `rotor dev` (the API emulator, the Vault emulator and the
/// operator in one process); Vault is read and written with curl, as a user would,
/// and its reads are counted from its `sys/metrics` telemetry.
@Suite("kubectl against rotor dev: ClusterExternalSecret fan-out and PushSecret", .serialized)
struct RotorDevFanOutPushKubectlTests {
    /// rotor dev, its Vault's address, token and CA, and a kubectl for both.
    struct World {
        let sandbox: RotorDevKubectlTests.Sandbox
        let vaultEnvironment: [String: String]
        let caBundle: String

        func kubectl(_ arguments: String..., stdin: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws -> Kubectl.Result {
            let result = try await sandbox.kubectl.run(arguments, kubeconfig: sandbox.kubeconfig, home: sandbox.home, stdin: stdin)
            #expect(result.succeeded, "kubectl \(arguments.joined(separator: " ")): \(result.stderr)", sourceLocation: sourceLocation)
            return result
        }

        /// `kubectl get … -o jsonpath=…`, empty when it fails (e.g. not found yet).
        func jsonpath(_ arguments: String...) async -> String {
            (try? await sandbox.kubectl.run(arguments, kubeconfig: sandbox.kubeconfig, home: sandbox.home))?.stdout ?? ""
        }

        /// One Vault API call with curl and the root token: the status code and the body.
        func vault(_ method: String, _ path: String, body: String? = nil) async throws -> (status: Int, body: String) {
            var arguments = [
                "curl", "-s", "-w", "\n%{http_code}", "--cacert", vaultEnvironment["VAULT_CACERT"] ?? "", "-X", method,
                "-H", "X-Vault-Token: \(vaultEnvironment["VAULT_TOKEN"] ?? "")",
            ]
            if let body { arguments += ["-d", body] }
            arguments.append("\(vaultEnvironment["VAULT_ADDR"] ?? "")/v1/\(path)")
            let output = String(decoding: await try Subprocess.spawn("curl", Array(arguments.dropFirst()), stdin: .null, stderr: .null).collect().stdout, as: UTF8.self)
            let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
            return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
        }

        /// The data of a KV v2 document, read with curl.
        func document(_ path: String) async throws -> [String: String] {
            let (status, body) = try await vault("GET", "secret/data/\(path)")
            guard status == 200, let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
                let data = (object["data"] as? [String: Any])?["data"] as? [String: Any]
            else { return [:] }
            return data.compactMapValues { $0 as? String }
        }

        /// GET requests the Vault emulator served on the `secret/` mount so far, from the
        /// `vault.route.GET.secret` counter of `sys/metrics` (Vault's telemetry format).
        func secretReads() async throws -> Int {
            let (status, body) = try await vault("GET", "sys/metrics")
            #expect(status == 200, "sys/metrics answers")
            let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
            let counters = object?["Counters"] as? [[String: Any]] ?? []
            return counters.first { $0["Name"] as? String == "vault.route.GET.secret" }?["Count"] as? Int ?? 0
        }
    }

    /// Runs `body` against a fresh `rotor dev`; afterwards none of `canaries` (values the
    /// test wrote) may be in the operator's output.
    static func withWorld(canaries: [String], _ body: (World) async throws -> Void) async throws {
        let executable = try #require(RotorDevCommandTests.rotorExecutable, "the rotor executable is built with the tests")
        let kubectl = try Kubectl.required()
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("rotor-fanout-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let kubeconfig = "\(home)/kc"
        let (process, output) = try RotorDevCommandTests.launch(executable, ["dev", "--no-demo", "--kubeconfig", kubeconfig])
        let sandbox = RotorDevKubectlTests.Sandbox(process: process, kubectl: kubectl, kubeconfig: kubeconfig, home: home)
        defer { sandbox.stop() }
        let started = BackgroundKubectl(process: process, output: output)
        #expect(await started.waitForOutput { $0.contains("operator running") && $0.contains("VAULT_ADDR=") }, "output: \(output.text)")
        let environment = try RotorDevVaultKubectlTests.vaultEnvironment(home)
        let ca = try String(contentsOfFile: environment["VAULT_CACERT"] ?? "", encoding: .utf8)
        let world = World(sandbox: sandbox, vaultEnvironment: environment, caBundle: Data(ca.utf8).base64EncodedString())
        try await body(world)
        for canary in canaries { #expect(!output.text.contains(canary), "no value in the operator's log") }
    }

    static let fanOutNamespaces = (1...50).map { String(format: "team-%02d", $0) }

    /// The namespaces, as one List applied at once: labelled `tier: app`, and `late` without it.
    static var namespaces: String {
        let items = (fanOutNamespaces.map { "- {apiVersion: v1, kind: Namespace, metadata: {name: \($0), labels: {tier: app}}}" }
            + ["- {apiVersion: v1, kind: Namespace, metadata: {name: late}}"])
        return "apiVersion: v1\nkind: List\nitems:\n" + items.joined(separator: "\n") + "\n"
    }

    static let clusterExternalSecret = """
        apiVersion: rotor.dev/v1alpha1
        kind: ClusterExternalSecret
        metadata: {name: shared-db}
        spec:
          namespaceSelectors:
          - matchLabels: {tier: app}
          refreshTime: 1h
          externalSecretSpec:
            secretStoreRef: {name: vault, kind: ClusterSecretStore}
            refreshInterval: 5s
            data:
            - secretKey: password
              remoteRef: {key: shared/db, property: password}

        """

    /// The namespaces whose Secret `shared-db` holds `password`.
    static func holding(_ world: World, _ password: String) async -> Set<String> {
        let encoded = Data(password.utf8).base64EncodedString()
        let rows = await world.jsonpath(
            "get", "secrets", "-A", "--field-selector", "metadata.name=shared-db",
            "-o", #"jsonpath={range .items[*]}{.metadata.namespace} {.data.password}{"\n"}{end}"#)
        return Set(rows.split(separator: "\n").compactMap { row in
            let parts = row.split(separator: " ")
            return parts.count == 2 && parts[1] == encoded ? String(parts[0]) : nil
        })
    }

    @Test("a ClusterExternalSecret over 50 namespaces: 50 Secrets, Vault read at most once per refresh for all of them; a namespace labelled later gets its Secret at once; an unlabelled one loses it")
    func clusterExternalSecretFanOut() async throws {
        try await Self.withWorld(canaries: ["fan-out-v"]) { world in
            #expect(try await world.vault("POST", "secret/data/shared/db", body: #"{"data":{"password":"fan-out-v1"}}"#).status == 200)
            try await world.kubectl("apply", "-f", "-", stdin: Self.namespaces)
            try await world.kubectl("apply", "-f", "-", stdin: RotorDevVaultKubectlTests.store(server: world.vaultEnvironment["VAULT_ADDR"] ?? "", caBundle: world.caBundle, cluster: true))
            try await world.kubectl("apply", "-f", "-", stdin: Self.clusterExternalSecret)

            let all = Set(Self.fanOutNamespaces)
            let provisionedAll = await EmulatedCluster.eventually(timeout: .seconds(90)) { await Self.holding(world, "fan-out-v1") == all }
            let holdingCount = await Self.holding(world, "fan-out-v1").count
            #expect(provisionedAll, "50 Secrets; \(holdingCount) so far")
            #expect(await EmulatedCluster.eventually(timeout: .seconds(30)) {
                await world.jsonpath("get", "ces", "shared-db", "-o", "jsonpath={.status.conditions[0].reason}") == "Provisioned"
            })
            let provisioned = await world.jsonpath("get", "ces", "shared-db", "-o", "jsonpath={.status.provisionedNamespaces}")
            #expect(provisioned.split(separator: ",").count == 50, "status lists the 50 namespaces: \(provisioned)")
            #expect(await world.jsonpath("get", "secret", "shared-db", "-n", "late", "-o", "name").isEmpty, "an unselected namespace gets nothing")

            // A new version; each of the 50 ExternalSecrets refreshes every 5 s. Over a window
            // in which every one of them refreshed at least twice, Vault serves at most one
            // read per interval (plus one for a window edge), not 50.
            let windowStart = Date()
            let readsBefore = try await world.secretReads()
            #expect(try await world.vault("POST", "secret/data/shared/db", body: #"{"data":{"password":"fan-out-v2"}}"#).status == 200)
            #expect(await EmulatedCluster.eventually(timeout: .seconds(60)) { await Self.holding(world, "fan-out-v2") == all },
                "the new version everywhere at the next refresh")
            try await Task.sleep(for: .seconds(11))
            let reads = try await world.secretReads() - readsBefore
            let window = Date().timeIntervalSince(windowStart)
            let refreshed = await world.jsonpath("get", "es", "-A", "-l", "rotor.dev/cluster-external-secret", "-o", #"jsonpath={range .items[*]}{.status.refreshTime}{"\n"}{end}"#)
            let refreshTimes = refreshed.split(separator: "\n").compactMap { ISO8601DateFormatter().date(from: String($0)) }
            #expect(refreshTimes.count == 50 && refreshTimes.allSatisfy { $0 > windowStart.addingTimeInterval(5) },
                "every ExternalSecret refreshed during the window")
            #expect(reads >= 1 && reads <= Int(window / 5) + 2, "\(reads) reads of Vault in \(Int(window)) s for 50 ExternalSecrets refreshing every 5 s")

            // A namespace labelled afterwards gets its Secret from the Namespace watch
            // (refreshTime is an hour); one unlabelled loses its ExternalSecret and Secret.
            try await world.kubectl("label", "namespace", "late", "tier=app")
            try await world.kubectl("label", "namespace", "team-07", "tier-")
            #expect(await EmulatedCluster.eventually(timeout: .seconds(30)) { await Self.holding(world, "fan-out-v2").contains("late") })
            #expect(await EmulatedCluster.eventually(timeout: .seconds(30)) {
                await world.jsonpath("get", "es,secret", "-n", "team-07", "-o", "name").isEmpty
            }, "team-07 lost its ExternalSecret and its Secret")
        }
    }

    static func pushSecret(_ name: String, store: String, remoteKey: String, policy: String = "Replace", secret: String = "app-creds") -> String {
        """
        apiVersion: rotor.dev/v1alpha1
        kind: PushSecret
        metadata: {name: \(name), namespace: default}
        spec:
          secretStoreRef: {name: \(store)}
          refreshInterval: 2s
          updatePolicy: \(policy)
          selector:
            secret: {name: \(secret)}
          data:
          - match:
              secretKey: password
              remoteRef: {remoteKey: \(remoteKey), property: password}

        """
    }

    static func ready(_ world: World, push name: String) async -> String {
        await world.jsonpath("get", "pushsecret", name, "-o", "jsonpath={.status.conditions[0].status} {.status.conditions[0].reason}")
    }

    @Test("PushSecrets driven with kubectl: to Vault and to AWS (moto); another writer's property is kept; IfNotExists leaves an existing document as found")
    func pushSecrets() async throws {
        try await withMoto { moto in
            try await Self.withWorld(canaries: ["pushed-v"]) { world in
                let awsStore = """
                    apiVersion: rotor.dev/v1alpha1
                    kind: SecretStore
                    metadata: {name: aws, namespace: default}
                    spec:
                      provider:
                        aws:
                          service: SecretsManager
                          region: us-east-1
                          endpoint: \(moto.endpoint)
                          insecureAllowHTTP: true
                          auth:
                            secretRef:
                              accessKeyIDSecretRef: {name: aws, key: access-key-id}
                              secretAccessKeySecretRef: {name: aws, key: secret-access-key}

                    """
                try await world.kubectl("create", "secret", "generic", "aws", "--from-literal=access-key-id=AKIDEXAMPLE", "--from-literal=secret-access-key=example")
                try await world.kubectl("apply", "-f", "-", stdin: RotorDevVaultKubectlTests.store(server: world.vaultEnvironment["VAULT_ADDR"] ?? "", caBundle: world.caBundle))
                try await world.kubectl("apply", "-f", "-", stdin: awsStore)
                try await world.kubectl("create", "secret", "generic", "app-creds", "--from-literal=password=pushed-v1")
                try await world.kubectl("create", "secret", "generic", "other-creds", "--from-literal=password=pushed-v9")

                // Vault: someone else keeps `owner` in the same document; the push adds its property.
                #expect(try await world.vault("POST", "secret/data/app/pushed", body: #"{"data":{"owner":"team-b"}}"#).status == 200)
                try await world.kubectl("apply", "-f", "-", stdin: Self.pushSecret("to-vault", store: "vault", remoteKey: "app/pushed"))
                #expect(await EmulatedCluster.eventually(timeout: .seconds(30)) { (try? await world.document("app/pushed"))?["password"] == "pushed-v1" })
                #expect(await Self.ready(world, push: "to-vault") == "True Synced")

                // Another writer changes the document between two pushes: its write is kept.
                #expect(try await world.vault("POST", "secret/data/app/pushed", body: #"{"data":{"owner":"team-c","password":"pushed-v1"}}"#).status == 200)
                try await world.kubectl("patch", "secret", "app-creds", "-p", #"{"stringData":{"password":"pushed-v2"}}"#)
                #expect(await EmulatedCluster.eventually(timeout: .seconds(30)) { (try? await world.document("app/pushed")) == ["owner": "team-c", "password": "pushed-v2"] })

                // IfNotExists leaves an existing document as it found it.
                try await world.kubectl("apply", "-f", "-", stdin: Self.pushSecret("if-absent", store: "vault", remoteKey: "shop/db", policy: "IfNotExists"))
                #expect(await EmulatedCluster.eventually(timeout: .seconds(30)) {
                    await world.jsonpath("get", "pushsecret", "if-absent", "-o", "jsonpath={.status.conditions[0].message}").contains("as found")
                })
                #expect(try await world.document("shop/db")["password"] == "vault-demo-password-1", "the existing document is left as found")

                // AWS Secrets Manager on moto: pushed, then read back by an ExternalSecret.
                try await world.kubectl("apply", "-f", "-", stdin: Self.pushSecret("to-aws", store: "aws", remoteKey: "app/pushed"))
                #expect(await EmulatedCluster.eventually(timeout: .seconds(30)) { await Self.ready(world, push: "to-aws") == "True Synced" })
                let readBack = """
                    apiVersion: rotor.dev/v1alpha1
                    kind: ExternalSecret
                    metadata: {name: read-back, namespace: default}
                    spec:
                      secretStoreRef: {name: aws}
                      refreshInterval: 2s
                      data:
                      - secretKey: password
                        remoteRef: {key: app/pushed, property: password}

                    """
                try await world.kubectl("apply", "-f", "-", stdin: readBack)
                #expect(await EmulatedCluster.eventually(timeout: .seconds(30)) {
                    RotorDevKubectlTests.decoded(await world.jsonpath("get", "secret", "read-back", "-o", "jsonpath={.data.password}")) == "pushed-v2"
                }, "the pushed value is in Secrets Manager")
                try await world.kubectl("apply", "-f", "-", stdin: Self.pushSecret("aws-if-absent", store: "aws", remoteKey: "app/pushed", policy: "IfNotExists", secret: "other-creds"))
                #expect(await EmulatedCluster.eventually(timeout: .seconds(30)) {
                    await world.jsonpath("get", "pushsecret", "aws-if-absent", "-o", "jsonpath={.status.conditions[0].message}").contains("as found")
                })
                try await Task.sleep(for: .seconds(3))
                #expect(RotorDevKubectlTests.decoded(await world.jsonpath("get", "secret", "read-back", "-o", "jsonpath={.data.password}")) == "pushed-v2",
                    "IfNotExists did not overwrite the AWS secret")
            }
        }
    }
}
