import EmulatorTestSupport
import Foundation
import KubeClient
import KubernetesEmulator
import JSONCore
import KubeAPI
import RotorAPI
import Testing

extension InstallManifestsTests {
    // MARK: The operator, run as the chart runs it

    /// Every verb and resource the emulator counts requests for.
    static let countedVerbs = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"]
    static let countedResources = [
        "secrets", "configmaps", "namespaces", "serviceaccounts", "events", "leases", "deployments", "statefulsets", "daemonsets",
        "customresourcedefinitions", "tokenreviews", "externalsecrets", "secretstores", "clustersecretstores",
    ]

    static func requestCounts(_ faults: FaultInjector) -> [String: Int] {
        var counts: [String: Int] = [:]
        for verb in countedVerbs {
            for resource in countedResources { counts["\(verb) \(resource)"] = faults.requestCount(verb: verb, resource: resource) }
        }
        return counts
    }

    /// Whether a request (`verb plural`, as the emulator counts it: a subresource counts as its
    /// resource) is granted by some rule on that resource or one of its subresources.
    static func isGranted(_ request: String, by grants: Set<String>) -> Bool {
        let parts = request.split(separator: " ").map(String.init)
        guard parts.count == 2 else { return false }
        let (verb, plural) = (parts[0], parts[1])
        return grants.contains { grant in
            let words = grant.split(separator: " ").map(String.init)
            guard words.count >= 2, words[1] == verb else { return false }
            let resource = words[0].split(separator: "/").dropFirst().first.map(String.init)  // group/plural[/sub]
            return resource == plural
        }
    }

    @Test("rotor run with the Deployment's args and env syncs against the emulator, and every API request it makes is one the chart's RBAC grants")
    func operatorRequestsAreGranted() async throws {
        let executable = try #require(RotorDevCommandTests.rotorExecutable, "the rotor executable is built with the tests")
        let objects = try await Self.rendered()
        let grants = Self.grants(Self.only("ClusterRole", in: objects).first).union(Self.grants(Self.only("Role", in: objects).first))
        let container = try #require(
            Self.only("Deployment", in: objects).first?[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first)
        // The chart's args, with the health endpoint on a free loopback port instead of :8080.
        let args = (container["args"]?.arrayValue ?? []).compactMap(\.stringValue)
            .map { $0.hasPrefix("--health-address=") ? "--health-address=127.0.0.1:0" : $0 }
        #expect(args.count > 5)

        try await EmulatedCluster.with { cluster in
            let client = cluster.client
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rotor-install-run-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let kubeconfig = directory.appendingPathComponent("kubeconfig").path
            _ = try await client.create(
                RotorRunCommandTests.namespaces, namespace: nil,
                body: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "rotor-system"]])
            for definition in RotorCRDs.all { _ = try await client.create(RotorRunCommandTests.crds, namespace: nil, body: definition.object) }
            // The operator runs as the chart's ServiceAccount under the chart's RBAC, as applied:
            // the emulator refuses (403) any request the chart does not grant.
            let token = try await Self.applyChartIdentity(objects, to: client)
            try cluster.emulator.writeKubeconfig(to: kubeconfig)
            let adminConfig = try String(contentsOfFile: kubeconfig, encoding: .utf8)
            try FileManager.default.removeItem(atPath: kubeconfig)
            FileManager.default.createFile(
                atPath: kubeconfig, contents: Data(adminConfig.replacingOccurrences(of: cluster.emulator.adminToken, with: token).utf8),
                attributes: [.posixPermissions: 0o600])
            // A namespaced store and a cluster store, one ExternalSecret each (Namespace labels are cached for cluster stores' conditions).
            let provider = #"{"fake":{"data":[{"key":"k","value":"install-test-value","version":"1"}]}}"#
            let store = try JSONValue(parsing: #"{"apiVersion":"rotor.dev/v1alpha1","kind":"SecretStore","metadata":{"name":"s","namespace":"default"},"spec":{"provider":"# + provider + "}}")
            let clusterStore = try JSONValue(parsing: #"{"apiVersion":"rotor.dev/v1alpha1","kind":"ClusterSecretStore","metadata":{"name":"shared"},"spec":{"provider":"# + provider + "}}")
            let fromStore = try JSONValue(parsing: #"{"apiVersion":"rotor.dev/v1alpha1","kind":"ExternalSecret","metadata":{"name":"a","namespace":"default"},"spec":{"secretStoreRef":{"name":"s"},"refreshInterval":"1h","data":[{"secretKey":"x","remoteRef":{"key":"k"}}]}}"#)
            let fromClusterStore = try JSONValue(parsing: #"{"apiVersion":"rotor.dev/v1alpha1","kind":"ExternalSecret","metadata":{"name":"b","namespace":"default"},"spec":{"secretStoreRef":{"name":"shared","kind":"ClusterSecretStore"},"refreshInterval":"1h","data":[{"secretKey":"x","remoteRef":{"key":"k"}}]}}"#)
            _ = try await client.create(SecretStore.resourceType, namespace: "default", body: store)
            _ = try await client.create(ClusterSecretStore.resourceType, namespace: nil, body: clusterStore)
            _ = try await client.create(ExternalSecret.resourceType, namespace: "default", body: fromStore)
            _ = try await client.create(ExternalSecret.resourceType, namespace: "default", body: fromClusterStore)
            // One that fails (its key is missing): a Warning Event, so the run creates Events too.
            let failing = try JSONValue(parsing: #"{"apiVersion":"rotor.dev/v1alpha1","kind":"ExternalSecret","metadata":{"name":"c","namespace":"default"},"spec":{"secretStoreRef":{"name":"s"},"refreshInterval":"1h","data":[{"secretKey":"x","remoteRef":{"key":"missing"}}]}}"#)
            _ = try await client.create(ExternalSecret.resourceType, namespace: "default", body: failing)

            let before = Self.requestCounts(cluster.emulator.faults)
            func launch() throws -> (Process, OutputCollector) {
                try RotorDevCommandTests.launch(
                    executable, args + ["--kubeconfig", kubeconfig],
                    environment: ["POD_NAMESPACE": "rotor-system", "POD_NAME": "rotor-7d9f8-abcde"])
            }
            func bothSynced() async -> Bool {
                let a = try? await client.get(Secret.self, namespace: "default", name: "a")
                let b = try? await client.get(Secret.self, namespace: "default", name: "b")
                return a?.data?["x"] == Data("install-test-value".utf8) && b?.data?["x"] == Data("install-test-value".utf8)
            }
            var (process, output) = try launch()
            var earlier = ""
            defer {
                if process.isRunning { process.terminate() }
                process.waitUntilExit()
            }
            // A process that stops early (on a loaded machine it may lose its Lease and exit, so
            // that it restarts with fresh state) is started again, as the Deployment's pod would be.
            var synced = false
            for restart in 0...2 {
                _ = await EmulatedCluster.eventually(timeout: .seconds(30)) { await bothSynced() || !process.isRunning }
                synced = await bothSynced()
                guard !synced, !process.isRunning, restart < 2 else { break }
                earlier += output.text
                (process, output) = try launch()
            }
            #expect(synced, "both ExternalSecrets' Secrets are written; output: \(earlier)\(output.text)")
            var ownEventLists = 0
            let warned = await EmulatedCluster.eventually {
                ownEventLists += 1
                let events = try? await client.list(ResourceTypes.events, namespace: "default")
                return events?["items"]?.arrayValue?.contains { $0[path: ["involvedObject", "name"]]?.stringValue == "c" } == true
            }
            #expect(warned, "the failing ExternalSecret got its Warning Event; output: \(output.text)")
            let leaseHeld = await EmulatedCluster.eventually {
                let lease = try? await client.get(RotorRunCommandTests.leases, namespace: "rotor-system", name: "rotor-leader")
                return lease?["spec"]?["holderIdentity"]?.stringValue?.hasPrefix("rotor-7d9f8-abcde_") == true
            }
            #expect(leaseHeld, "POD_NAME is the leader identity; output: \(earlier)\(output.text)")
            _ = try await client.get(Secret.self, namespace: "rotor-system", name: "rotor-fingerprint-key")

            process.terminate()
            let status = await OutputCollector.waitForExit(process)
            #expect(status == 0, "SIGTERM stops it cleanly; output: \(output.text)")
            var after = Self.requestCounts(cluster.emulator.faults)
            after["list events", default: 0] -= ownEventLists  // the test's own, above

            // The test itself only created objects before `before`, and read Secrets and the
            // Lease since (granted reads): every other request is the operator's.
            let used = after.keys.filter { (after[$0] ?? 0) > (before[$0] ?? 0) }.sorted()
            let refused = used.filter { !Self.isGranted($0, by: grants) }
            #expect(refused.isEmpty, "requests the chart's RBAC does not grant: \(refused); all requests: \(used)")
            // What RBAC allowed, rule by rule: only the chart's own bindings granted the operator's requests.
            let operatorUser = "system:serviceaccount:rotor-system:\(Self.serviceAccountName(objects))"
            let grantedBy = Set(cluster.emulator.authorizations.all.filter { $0.user == operatorUser && $0.path.isEmpty }.map(\.roleName))
            let chartRoles = Set((Self.only("ClusterRole", in: objects) + Self.only("Role", in: objects)).compactMap { $0["metadata"]?["name"]?.stringValue })
            #expect(!grantedBy.isEmpty, "the operator's requests went through RBAC")
            #expect(grantedBy.isSubset(of: chartRoles), "resource requests allowed by roles outside the chart: \(grantedBy.subtracting(chartRoles))")
            for expected in ["create secrets", "create leases", "watch namespaces", "watch externalsecrets", "update externalsecrets", "create events"] {
                #expect(used.contains(expected), "the run exercised \(expected); all requests: \(used); output: \(output.text)")
            }
        }
    }

    /// Creates the chart's ServiceAccount, ClusterRole, ClusterRoleBinding, Role and
    /// RoleBinding as rendered, and returns a token of the ServiceAccount.
    static func applyChartIdentity(_ objects: [JSONValue], to client: HTTPKubernetesClient) async throws -> String {
        let rbac = "rbac.authorization.k8s.io"
        let types: [(String, ResourceType)] = [
            ("ServiceAccount", ResourceType(group: "", version: "v1", plural: "serviceaccounts", kind: "ServiceAccount", namespaced: true)),
            ("ClusterRole", ResourceType(group: rbac, version: "v1", plural: "clusterroles", kind: "ClusterRole", namespaced: false)),
            ("ClusterRoleBinding", ResourceType(group: rbac, version: "v1", plural: "clusterrolebindings", kind: "ClusterRoleBinding", namespaced: false)),
            ("Role", ResourceType(group: rbac, version: "v1", plural: "roles", kind: "Role", namespaced: true)),
            ("RoleBinding", ResourceType(group: rbac, version: "v1", plural: "rolebindings", kind: "RoleBinding", namespaced: true)),
        ]
        for (kind, type) in types {
            for object in only(kind, in: objects) {
                let namespace = type.namespaced ? object["metadata"]?["namespace"]?.stringValue ?? "rotor-system" : nil
                _ = try await client.create(type, namespace: namespace, body: object)
            }
        }
        let answer = try await client.createToken(
            serviceAccount: serviceAccountName(objects), namespace: "rotor-system",
            request: ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": ["expirationSeconds": 3600]])
        return try #require(answer[path: ["status", "token"]]?.stringValue)
    }

    static func serviceAccountName(_ objects: [JSONValue]) -> String {
        only("ServiceAccount", in: objects).first?["metadata"]?["name"]?.stringValue ?? "rotor"
    }

    /// The chart runs the operator as user 65532 with every capability dropped.
    static var canSwitchUser: Bool { getuid() == 0 && Kubectl.findOnPath("setpriv") != nil }

    @Test(
        "as the chart runs it — user 65532, no capabilities, HOME=/nonexistent — rotor run answers /healthz and /readyz",
        .enabled(if: canSwitchUser, "needs root and setpriv to start the operator as user 65532"))
    func healthEndpointAsNonRoot() async throws {
        let executable = try #require(RotorDevCommandTests.rotorExecutable, "the rotor executable is built with the tests")
        let setpriv = try #require(Kubectl.findOnPath("setpriv"))
        try await EmulatedCluster.with { cluster in
            let client = cluster.client
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rotor-nonroot-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            // The kubeconfig, readable by the pod's user only (as a mounted token would be).
            let kubeconfig = directory.appendingPathComponent("kubeconfig").path
            try cluster.emulator.writeKubeconfig(to: kubeconfig)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
            try FileManager.default.setAttributes([.ownerAccountID: 65532, .groupOwnerAccountID: 65532], ofItemAtPath: kubeconfig)
            _ = try await client.create(
                RotorRunCommandTests.namespaces, namespace: nil,
                body: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "rotor-system"]])
            for definition in RotorCRDs.all { _ = try await client.create(RotorRunCommandTests.crds, namespace: nil, body: definition.object) }

            let process = Process()
            process.executableURL = URL(fileURLWithPath: setpriv)
            process.arguments = [
                "--reuid=65532", "--regid=65532", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs",
                executable, "run", "--kubeconfig", kubeconfig, "--health-address=127.0.0.1:0", "--lease-name=rotor-leader",
            ]
            process.environment = [
                "PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "POD_NAMESPACE": "rotor-system", "POD_NAME": "rotor-7d9f8-abcde",
            ]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            try process.run()
            let output = OutputCollector.following(pipe.fileHandleForReading)
            defer {
                if process.isRunning { process.terminate() }
                process.waitUntilExit()
            }
            let started = BackgroundKubectl(process: process, output: output)
            #expect(await started.waitForOutput { $0.contains("rotor started") }, "output: \(output.text)")
            let serving = RotorRunCommandTests.logLines(output.text).compactMap { $0 }.first { $0["msg"]?.stringValue?.hasPrefix("serving") == true }
            let address = try #require(serving?["address"]?.stringValue, "the log names the health address; output: \(output.text)")

            // Unprivileged, with every capability dropped, the probes still answer (a
            // socket option only root may set once closed every connection unanswered).
            let healthz = try await RotorRunCommandTests.get("http://\(address)/healthz")
            #expect(healthz.status == 200)
            let ready = await EmulatedCluster.eventually { (try? await RotorRunCommandTests.get("http://\(address)/readyz").status) == 200 }
            #expect(ready, "/readyz answers once the caches synced")
            let lease = await EmulatedCluster.eventually {
                let object = try? await client.get(RotorRunCommandTests.leases, namespace: "rotor-system", name: "rotor-leader")
                return object?["spec"]?["holderIdentity"]?.stringValue?.hasPrefix("rotor-7d9f8-abcde_") == true
            }
            #expect(lease, "the non-root operator takes the Lease; output: \(output.text)")
            process.terminate()
            let status = await OutputCollector.waitForExit(process)
            #expect(status == 0, "SIGTERM stops it cleanly; output: \(output.text)")
        }
    }
}
