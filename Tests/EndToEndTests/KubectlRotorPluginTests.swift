import EmulatorTestSupport
import Foundation
import ProcessTestSupport
import JSONCore
import KubeAPI
import KubeClient
import RotorAPI
import Testing

/// The `kubectl-rotor` executable run as users run it: through the real kubectl's plugin
/// mechanism (`kubectl rotor …` finds `kubectl-rotor` on PATH), against the API emulator
/// with Rotor's CRDs and ExternalSecrets whose status is written as the operator writes it.
/// Times in the statuses sit half a day away from any unit boundary, so every rendered age
/// is the same however long the test takes.
@Suite("kubectl rotor (the plugin, through kubectl)", .serialized)
struct KubectlRotorPluginTests {
    /// The emulator, a kubeconfig with a second context (`shop`, namespace `shop`), and the
    /// way to run `kubectl rotor ARGS` with the plugin's directory on PATH.
    struct Sandbox {
        let cluster: EmulatedCluster
        let kubectl: Kubectl
        let plugin: String
        let directory: String
        var kubeconfig: String { "\(directory)/kubeconfig" }

        /// `kubectl rotor ARGS`, with `KUBECONFIG` set unless `kubeconfigVariable` says otherwise.
        func rotor(_ arguments: String..., kubeconfigVariable: String? = nil) async throws -> Output {
            try await run(["rotor"] + arguments, kubeconfigVariable: kubeconfigVariable)
        }

        /// `kubectl ARGS` (the plugin's directory on PATH, an isolated HOME).
        func run(_ arguments: [String], kubeconfigVariable: String? = nil) async throws -> Output {
            var environment = ProcessInfo.processInfo.environment
            environment["KUBECONFIG"] = kubeconfigVariable ?? kubeconfig
            environment["HOME"] = directory
            environment["PATH"] = URL(fileURLWithPath: plugin).deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
            let process = try Subprocess.spawn(kubectl.executable, arguments, environment: environment)
            let (termination, stdout, stderr) = await process.collect()
            return Output(status: termination.status, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
        }

        func jsonpath(_ kind: String, _ name: String, _ path: String, namespace: String = "default") async throws -> String {
            try await run(["get", kind, name, "-n", namespace, "-o", "jsonpath={\(path)}"]).stdout
        }
    }

    /// What one run printed and how it ended.
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
        var succeeded: Bool { status == 0 }
    }

    static let crds = ResourceType(
        group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions", kind: "CustomResourceDefinition", namespaced: false)

    /// A value in a Secret next to the ExternalSecrets: no output of the plugin may contain it.
    static let secretValue = "never-printed-3f9c"

    /// A sandbox with ``populate(_:)``'s objects, or (`populated: false`) a bare API server.
    static func withSandbox(populated: Bool = true, _ body: (Sandbox) async throws -> Void) async throws {
        let plugin = try #require(
            RotorDevCommandTests.executable(named: "kubectl-rotor"), "the kubectl-rotor executable is built with the tests (swift build --build-tests)")
        let kubectl = try Kubectl.required()
        try await EmulatedCluster.with { cluster in
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kubectl-rotor-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let sandbox = Sandbox(cluster: cluster, kubectl: kubectl, plugin: plugin, directory: directory)
            try cluster.emulator.writeKubeconfig(to: sandbox.kubeconfig)
            let context = try await sandbox.run(["config", "set-context", "shop", "--cluster=rotor-dev", "--user=rotor-dev-admin", "--namespace=shop"])
            #expect(context.succeeded, "\(context.stderr)")
            if populated { try await populate(cluster.client) }
            try await body(sandbox)
        }
    }

    /// default/db (synced 10½ days ago, every hour), default/db-rotating (in an overlap
    /// window with 30½ days of grace left, refreshed yearly), shop/api (its store missing,
    /// a Warning Event), shop/reports (on a ClusterSecretStore that is not ready, refreshed
    /// on change only), a Ready store, and a Secret holding ``secretValue``.
    static func populate(_ client: HTTPKubernetesClient) async throws {
        for definition in RotorCRDs.all { _ = try await client.create(crds, namespace: nil, body: definition.object) }
        _ = try await client.create(Namespace(metadata: ObjectMeta(name: "shop")))
        _ = try await client.create(Secret.resourceType, namespace: "default", body: try JSONValue(parsing: """
            {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"}, "data": {"password": "\(Data(secretValue.utf8).base64EncodedString())"}}
            """))
        var store = try JSONValue(parsing: """
            {"apiVersion": "rotor.dev/v1alpha1", "kind": "SecretStore", "metadata": {"name": "demo-store", "namespace": "default"},
             "spec": {"provider": {"fake": {"data": []}}}}
            """).decode(as: SecretStore.self)
        store = try await client.create(store)
        store.status = SecretStoreStatus(conditions: [Condition(type: "Ready", status: .true, reason: "Valid", message: "store validated")])
        _ = try await client.updateStatus(store)
        var clusterStore = try JSONValue(parsing: """
            {"apiVersion": "rotor.dev/v1alpha1", "kind": "ClusterSecretStore", "metadata": {"name": "shared"},
             "spec": {"provider": {"fake": {"data": []}}}}
            """).decode(as: ClusterSecretStore.self)
        clusterStore = try await client.create(clusterStore)
        clusterStore.status = SecretStoreStatus(conditions: [
            Condition(type: "Ready", status: .false, reason: "InvalidSpec", message: "spec.provider.fake: no data")
        ])
        _ = try await client.updateStatus(clusterStore)

        let now = Date()
        let halfDay: TimeInterval = 12 * 3600
        let lastSync = KubeTime(now.addingTimeInterval(-(10 * 86400 + halfDay)))
        let synced = Condition(type: "Ready", status: .true, lastTransitionTime: lastSync, reason: "Synced", message: "Secret is in sync")
        try await createExternalSecret(client, "db", namespace: "default", store: "demo-store", interval: "1h", rotation: false,
            status: ExternalSecretStatus(conditions: [synced], refreshTime: lastSync))
        try await createExternalSecret(client, "db-rotating", namespace: "default", store: "demo-store", interval: "8760h", rotation: true,
            status: ExternalSecretStatus(
                conditions: [synced], refreshTime: lastSync,
                rotation: ExternalSecretRotationStatus(phase: .overlap, rotatedAt: lastSync, graceUntil: KubeTime(now.addingTimeInterval(30 * 86400 + halfDay)))))
        let missing = Condition(
            type: "Ready", status: .false, lastTransitionTime: KubeTime(now.addingTimeInterval(-halfDay)), reason: "StoreNotReady",
            message: #"SecretStore "missing" in namespace "shop" not found"#)
        try await createExternalSecret(client, "api", namespace: "shop", store: "missing", interval: "1h", rotation: false,
            status: ExternalSecretStatus(conditions: [missing]))
        let notReady = Condition(
            type: "Ready", status: .false, lastTransitionTime: KubeTime(now.addingTimeInterval(-halfDay)), reason: "StoreNotReady",
            message: #"ClusterSecretStore "shared" is not ready"#)
        try await createExternalSecret(client, "reports", namespace: "shop", store: "shared", storeKind: "ClusterSecretStore", interval: "0",
            rotation: false, status: ExternalSecretStatus(conditions: [notReady]))
        for (name, kind, reason) in [("api.es", "ExternalSecret", "StoreNotReady"), ("api.pod", "Pod", "Scheduled")] {
            _ = try await client.create(Event(
                metadata: ObjectMeta(name: name, namespace: "shop"),
                involvedObject: ObjectReference(kind: kind, namespace: "shop", name: "api"),
                reason: reason, message: "\(reason) for the \(kind)", type: kind == "Pod" ? .normal : .warning, count: 1,
                firstTimestamp: KubeTime(now.addingTimeInterval(-halfDay)), lastTimestamp: KubeTime(now.addingTimeInterval(-halfDay))))
        }
    }

    static func createExternalSecret(
        _ client: HTTPKubernetesClient, _ name: String, namespace: String, store: String, storeKind: String = "SecretStore",
        interval: String, rotation: Bool, status: ExternalSecretStatus
    ) async throws {
        let rotationBlock = rotation ? #", "rotation": {"gracePeriod": "2m", "generate": [{"property": "password"}]}"# : ""
        var externalSecret = try JSONValue(parsing: """
            {"apiVersion": "rotor.dev/v1alpha1", "kind": "ExternalSecret", "metadata": {"name": "\(name)", "namespace": "\(namespace)"},
             "spec": {"secretStoreRef": {"name": "\(store)", "kind": "\(storeKind)"}, "refreshInterval": "\(interval)", "target": {"name": "\(name)"},
                      "data": [{"secretKey": "password", "remoteRef": {"key": "db", "property": "password"}}]\(rotationBlock)}}
            """).decode(as: ExternalSecret.self)
        externalSecret = try await client.create(externalSecret)
        externalSecret.status = status
        _ = try await client.updateStatus(externalSecret)
    }

    @Test("status lists the namespace's ExternalSecrets: ready, last sync, rotation phase, grace left, next refresh")
    func status() async throws {
        try await Self.withSandbox { sandbox in
            let result = try await sandbox.rotor("status")
            #expect(result.succeeded, "\(result.stderr)")
            #expect(result.stdout == """
                NAME          STORE        READY   LAST SYNC   ROTATION   GRACE    NEXT REFRESH
                db            demo-store   True    10d         <none>     <none>   due
                db-rotating   demo-store   True    10d         Overlap    30d      354d

                """)

            let all = try await sandbox.rotor("status", "-A")
            #expect(all.stdout == """
                NAMESPACE   NAME          STORE        READY   LAST SYNC   ROTATION   GRACE    NEXT REFRESH
                default     db            demo-store   True    10d         <none>     <none>   due
                default     db-rotating   demo-store   True    10d         Overlap    30d      354d
                shop        api           missing      False   <never>     <none>     <none>   due
                shop        reports       shared       False   <never>     <none>     <none>   on change

                """)
            #expect(try await sandbox.rotor("status", "--all-namespaces").stdout == all.stdout)

            let shopRow = """
                NAME      STORE     READY   LAST SYNC   ROTATION   GRACE    NEXT REFRESH
                api       missing   False   <never>     <none>     <none>   due
                reports   shared    False   <never>     <none>     <none>   on change

                """
            #expect(try await sandbox.rotor("status", "-n", "shop").stdout == shopRow)
            #expect(try await sandbox.rotor("status", "--namespace=shop").stdout == shopRow)
            #expect(try await sandbox.rotor("status", "--context", "shop").stdout == shopRow, "the context's namespace is the default")
            #expect(try await sandbox.rotor("status", "--context", "shop", "-n", "default").stdout == result.stdout, "-n wins over the context")

            let empty = try await sandbox.rotor("status", "-n", "kube-system")
            #expect(empty.succeeded && empty.stdout.isEmpty)
            #expect(empty.stderr == "No resources found in kube-system namespace.\n")
        }
    }

    @Test("--kubeconfig is used instead of KUBECONFIG; an unknown context fails as kubectl fails")
    func kubeconfigAndContext() async throws {
        try await Self.withSandbox { sandbox in
            let nowhere = "\(sandbox.directory)/no-such-kubeconfig"
            let flagged = try await sandbox.rotor("status", "-n", "shop", "--kubeconfig", sandbox.kubeconfig, kubeconfigVariable: nowhere)
            #expect(flagged.succeeded, "\(flagged.stderr)")
            #expect(flagged.stdout.contains("\napi       missing "), "\(flagged.stdout)")
            let unconfigured = try await sandbox.rotor("status", kubeconfigVariable: nowhere)
            #expect(unconfigured.status == 1)
            #expect(unconfigured.stderr.hasPrefix("error: "), "\(unconfigured.stderr)")

            let unknown = try await sandbox.rotor("status", "--context", "nope")
            #expect(unknown.status == 1)
            #expect(unknown.stderr == "error: context \"nope\" does not exist\n")
        }
    }

    @Test("sync and rotate set their annotations to a new Unix time each; a missing ExternalSecret fails as kubectl fails")
    func syncAndRotate() async throws {
        try await Self.withSandbox { sandbox in
            let before = Int(Date().timeIntervalSince1970)
            let sync = try await sandbox.rotor("sync", "db")
            #expect(sync.succeeded, "\(sync.stderr)")
            #expect(sync.stdout == "externalsecret.rotor.dev/db sync requested\n")
            let first = try #require(Int(try await sandbox.jsonpath("es", "db", #".metadata.annotations.rotor\.dev/force-sync"#)))
            #expect(first >= before)
            _ = try await sandbox.rotor("sync", "db")
            let second = try #require(Int(try await sandbox.jsonpath("es", "db", #".metadata.annotations.rotor\.dev/force-sync"#)))
            #expect(second > first, "a second request is a new value, even within the same second")
            #expect(try await sandbox.jsonpath("es", "db", ".spec.refreshInterval") == "1h", "the merge patch changes the annotation only")

            let rotate = try await sandbox.rotor("rotate", "db-rotating")
            #expect(rotate.stdout == "externalsecret.rotor.dev/db-rotating rotation requested\n", "\(rotate.stderr)")
            let requested = try #require(Int(try await sandbox.jsonpath("es", "db-rotating", #".metadata.annotations.rotor\.dev/rotate"#)))
            #expect(requested >= before)

            let shop = try await sandbox.rotor("sync", "api", "--context", "shop")
            #expect(shop.stdout == "externalsecret.rotor.dev/api sync requested\n", "\(shop.stderr)")
            #expect(!(try await sandbox.jsonpath("es", "api", #".metadata.annotations.rotor\.dev/force-sync"#, namespace: "shop")).isEmpty)

            let noGenerator = try await sandbox.rotor("rotate", "db")
            #expect(noGenerator.status == 1)
            #expect(noGenerator.stderr.hasPrefix("error: externalsecret.rotor.dev/db has no spec.rotation.generate"), "\(noGenerator.stderr)")
            #expect(try await sandbox.jsonpath("es", "db", #".metadata.annotations.rotor\.dev/rotate"#).isEmpty)

            let missing = try await sandbox.rotor("sync", "nope")
            #expect(missing.status == 1)
            #expect(missing.stderr == "Error from server (NotFound): externalsecrets.rotor.dev \"nope\" not found\n")
            #expect(missing.stdout.isEmpty)
        }
    }

    @Test("explain gives the Ready condition's reason and message, the store's state and the ExternalSecret's own Events")
    func explain() async throws {
        try await Self.withSandbox { sandbox in
            let failing = try await sandbox.rotor("explain", "api", "-n", "shop")
            #expect(failing.succeeded, "\(failing.stderr)")
            let lines = failing.stdout.split(separator: "\n").map(String.init)
            #expect(lines.first == "ExternalSecret shop/api is not ready: StoreNotReady")
            #expect(lines.contains(#"  SecretStore "missing" in namespace "shop" not found"#))
            #expect(lines.contains("Ready:         False (StoreNotReady) for 12h"))
            #expect(lines.contains("Store:         SecretStore shop/missing: not found"))
            #expect(lines.contains("Events (most recent first):"))
            #expect(lines.contains("  12h         Warning   StoreNotReady   StoreNotReady for the ExternalSecret"))
            #expect(!failing.stdout.contains("Scheduled"), "an Event about a Pod of the same name is not the ExternalSecret's")

            let ready = try await sandbox.rotor("explain", "db-rotating")
            #expect(ready.stdout.hasPrefix("ExternalSecret default/db-rotating is ready: Synced\n"), "\(ready.stdout)\(ready.stderr)")
            #expect(ready.stdout.contains("Rotation:      Overlap: previous values removed in 30d"))
            #expect(ready.stdout.contains("Store:         SecretStore default/demo-store: Ready True (Valid)\n               store validated\n"))
            #expect(ready.stdout.contains("Events:        <none>\n"))

            let cluster = try await sandbox.rotor("explain", "reports", "--context", "shop")
            #expect(cluster.stdout.contains("Store:         ClusterSecretStore shared: Ready False (InvalidSpec)\n               spec.provider.fake: no data\n"), "\(cluster.stdout)")
            #expect(cluster.stdout.contains("Next refresh:  on change only (refreshPolicy Periodic, refreshInterval 0)\n"))

            let missing = try await sandbox.rotor("explain", "nope")
            #expect(missing.status == 1)
            #expect(missing.stderr == "Error from server (NotFound): externalsecrets.rotor.dev \"nope\" not found\n")
        }
    }

    @Test("on a cluster without Rotor's CRDs, status says so and points to them")
    func withoutCRDs() async throws {
        try await Self.withSandbox(populated: false) { sandbox in
            let result = try await sandbox.rotor("status")
            #expect(result.status == 1)
            #expect(result.stderr.hasPrefix(#"error: the server doesn't have a resource type "externalsecrets" (are Rotor's CRDs installed?"#), "\(result.stderr)")
        }
    }

    @Test("help, version and usage errors, as kubectl answers them; no output ever holds a Secret's value")
    func helpAndVersion() async throws {
        try await Self.withSandbox { sandbox in
            let help = try await sandbox.rotor("--help")
            #expect(help.succeeded)
            #expect(help.stdout.contains("USAGE: kubectl rotor <subcommand>"), "\(help.stdout)")
            for subcommand in ["status", "sync", "rotate", "explain", "version"] { #expect(help.stdout.contains("  \(subcommand)")) }
            let version = try await sandbox.rotor("version")
            #expect(version.stdout == "kubectl-rotor \(RotorAPIVersion.string)\n")
            #expect(try await sandbox.rotor("--version").stdout == version.stdout)

            let usage = try await sandbox.rotor("sync")
            #expect(usage.status == 1)
            #expect(usage.stderr.hasPrefix("error: "), "\(usage.stderr)")
            #expect(usage.stderr.contains("See 'kubectl rotor --help' for usage."))

            var everything = ""
            for arguments in [["status", "-A"], ["explain", "db"], ["explain", "db-rotating"], ["sync", "db"]] {
                let result = try await sandbox.run(["rotor"] + arguments)
                everything += result.stdout + result.stderr
            }
            #expect(!everything.contains(Self.secretValue))
        }
    }
}
