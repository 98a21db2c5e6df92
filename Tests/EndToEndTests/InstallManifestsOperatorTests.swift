import EmulatorTestSupport
import Foundation
import ProcessTestSupport
import KubeClient
import KubernetesEmulator
import JSONCore
import KubeAPI
import RotorAPI
import Testing

extension InstallManifestsTests {
    // MARK: The operator, run as the chart runs it
    // (The chart's RBAC, applied and enforced, is proven in LeastPrivilegeTests.)

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

            let process = try Subprocess.spawn(
                setpriv,
                [
                    "--reuid=65532", "--regid=65532", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs",
                    executable, "run", "--kubeconfig", kubeconfig, "--health-address=127.0.0.1:0", "--lease-name=rotor-leader",
                ],
                environment: [
                    "PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "POD_NAMESPACE": "rotor-system", "POD_NAME": "rotor-7d9f8-abcde",
                ],
                stdin: .null, stderr: .standardOutput)
            let output = OutputCollector.following(process)
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
            let status = await process.exit().status
            #expect(status == 0, "SIGTERM stops it cleanly; output: \(output.text)")
        }
    }
}
