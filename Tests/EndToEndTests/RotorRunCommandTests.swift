import AsyncHTTPClient
import EmulatorTestSupport
import Foundation
import ProcessTestSupport
import KubeClient
import JSONCore
import KubeAPI
import RotorAPI
import Testing

/// `rotor run` as a platform engineer runs it: its own process against a cluster,
/// configured by flags and ROTOR_* variables, JSON logs, health and metrics endpoints,
/// a leader Lease, and a clean stop on SIGTERM.
@Suite("rotor run")
struct RotorRunCommandTests {
    static let namespaces = ResourceType(group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false)
    static let crds = ResourceType(
        group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions", kind: "CustomResourceDefinition", namespaced: false)
    static let leases = ResourceType(group: "coordination.k8s.io", version: "v1", plural: "leases", kind: "Lease", namespaced: true)

    /// GET `url` with `headers`: status, body and response headers (names lowercased).
    static func get(_ url: String, headers: [String: String] = [:]) async throws -> (status: Int, body: String, headers: [String: String]) {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 4 << 20)
        var answered: [String: String] = [:]
        for header in response.headers { answered[header.name.lowercased()] = header.value }
        return (Int(response.status.code), String(buffer: body), answered)
    }

    /// The JSON log lines printed so far (a line that is not JSON fails the caller's check).
    static func logLines(_ text: String) -> [JSONValue?] {
        text.split(separator: "\n").map { try? JSONValue(parsing: String($0)) }
    }

    /// A cluster with the CRDs and a namespace `ops`, and `rotor run` against it (its own
    /// process, `ROTOR_OPERATOR_NAMESPACE=ops`) with `arguments` after the kubeconfig.
    static func withRotorRun(
        _ arguments: [String], _ body: (EmulatedCluster, Subprocess, OutputCollector) async throws -> Void
    ) async throws {
        let executable = try #require(RotorDevCommandTests.rotorExecutable, "the rotor executable is built with the tests")
        try await EmulatedCluster.with { cluster in
            let client = cluster.client
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rotor-run-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let kubeconfig = directory.appendingPathComponent("kubeconfig").path
            try cluster.emulator.writeKubeconfig(to: kubeconfig)
            _ = try await client.create(Self.namespaces, namespace: nil, body: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "ops"]])
            for definition in RotorCRDs.all { _ = try await client.create(Self.crds, namespace: nil, body: definition.object) }
            // Flags and variables mix: the operator's namespace comes from the environment.
            let (process, output) = try RotorDevCommandTests.launch(
                executable, ["run", "--kubeconfig", kubeconfig] + arguments, environment: ["ROTOR_OPERATOR_NAMESPACE": "ops"])
            defer {
                if process.isRunning { process.terminate() }
                process.waitUntilExit()
            }
            try await body(cluster, process, output)
        }
    }

    @Test("runs against a cluster: JSON logs, /healthz, /readyz, /metrics, a Lease, a synced Secret; SIGTERM releases the Lease")
    func runsAndStopsCleanly() async throws {
        try await Self.withRotorRun(["--health-address", "127.0.0.1:0", "--lease-name", "rotor-test"]) { cluster, process, output in
            let client = cluster.client
            let started = BackgroundKubectl(process: process, output: output)
            #expect(await started.waitForOutput { $0.contains("rotor started") }, "output: \(output.text)")
            let serving = Self.logLines(output.text).compactMap { $0 }.first { $0["msg"]?.stringValue?.hasPrefix("serving") == true }
            let address = try #require(serving?["address"]?.stringValue, "the log names the health address")
            let base = "http://\(address)"

            let healthz = try await Self.get(base + "/healthz")
            #expect(healthz.status == 200)
            let ready = await EmulatedCluster.eventually { (try? await Self.get(base + "/readyz").status) == 200 }
            #expect(ready, "/readyz turns 200 once the caches synced on the leader")

            let lease = await EmulatedCluster.eventually {
                let object = try? await client.get(Self.leases, namespace: "ops", name: "rotor-test")
                return (object?["spec"]?["holderIdentity"]?.stringValue ?? "").isEmpty == false
            }
            #expect(lease, "the Lease named by --lease-name is held in the namespace from ROTOR_OPERATOR_NAMESPACE")

            let store = try JSONValue(parsing: #"{"apiVersion":"rotor.dev/v1alpha1","kind":"SecretStore","metadata":{"name":"s","namespace":"default"},"spec":{"provider":{"fake":{"data":[{"key":"k","value":"run-test-value","version":"1"}]}}}}"#)
            let externalSecret = try JSONValue(parsing: #"{"apiVersion":"rotor.dev/v1alpha1","kind":"ExternalSecret","metadata":{"name":"e","namespace":"default"},"spec":{"secretStoreRef":{"name":"s"},"refreshInterval":"1h","data":[{"secretKey":"x","remoteRef":{"key":"k"}}]}}"#)
            _ = try await client.create(SecretStore.resourceType, namespace: "default", body: store)
            _ = try await client.create(ExternalSecret.resourceType, namespace: "default", body: externalSecret)
            let synced = await EmulatedCluster.eventually {
                let secret = try? await client.get(Secret.self, namespace: "default", name: "e")
                return secret?.data?["x"] == Data("run-test-value".utf8)
            }
            #expect(synced, "the ExternalSecret's Secret is written")

            // The sync is counted once its status is written, just after the Secret.
            let counted = await EmulatedCluster.eventually {
                (try? await Self.get(base + "/metrics").body.contains(#"rotor_sync_total{result="Synced"}"#)) == true
            }
            #expect(counted, "rotor_sync_total counts the sync")
            let metrics = try await Self.get(base + "/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.body.contains(#"rotor_provider_requests_total{provider="fake",op="read",result="ok"}"#))
            #expect(metrics.body.contains("# TYPE rotor_queue_depth gauge"))
            #expect(metrics.body.contains("rotor_sync_duration_seconds_count"))
            #expect(metrics.body.contains(#"rotor_kube_requests_total{verb="create",resource="secrets",code="201"}"#))
            #expect(metrics.body.contains(#"rotor_secret_age_seconds{namespace="default",name="e"}"#), "the age of the synced values")
            #expect(!metrics.body.contains("run-test-value"), "metrics never carry a value")

            process.terminate()
            let status = await process.exit().status
            #expect(status == 0, "SIGTERM stops it cleanly; output: \(output.text)")
            let held = try await client.get(Self.leases, namespace: "ops", name: "rotor-test")["spec"]?["holderIdentity"]?.stringValue ?? ""
            #expect(held.isEmpty, "the Lease is released on the way out, so a standby takes over at once")

            let lines = Self.logLines(output.text)
            #expect(!lines.isEmpty && lines.allSatisfy { $0?["level"] != nil && $0?["msg"] != nil && $0?["ts"] != nil }, "every line is a JSON log record")
            #expect(!output.text.contains("run-test-value"), "logs never carry a value")
        }
    }

    @Test("SIGTERM with an API server that stopped answering still ends: the Lease release gives up after its deadline")
    func stopEndsWhenTheAPIServerHangs() async throws {
        try await Self.withRotorRun(["--health-address", "off", "--lease-name", "rotor-stuck"]) { cluster, process, output in
            let client = cluster.client
            // Leading once it has renewed the Lease it took: the holder alone is written
            // before the elector hears back, and a stop in between has nothing to release.
            var firstRenewal: String?
            let lease = await EmulatedCluster.eventually(timeout: .seconds(60)) {
                let spec = (try? await client.get(Self.leases, namespace: "ops", name: "rotor-stuck"))?["spec"]
                guard (spec?["holderIdentity"]?.stringValue ?? "").isEmpty == false, let renewed = spec?["renewTime"]?.stringValue else { return false }
                if firstRenewal == nil { firstRenewal = renewed }
                return renewed != firstRenewal
            }
            #expect(lease, "leading and renewing; output: \(output.text)")
            // From now on the Lease's release on the way out would wait 45 s for an answer; it
            // gives up after the renew deadline (10 s), and the process ends (well inside the
            // chart's 60 s grace period).
            cluster.emulator.faults.addLatency(.seconds(45), matching: .init(resource: "leases"))
            process.terminate()
            let exited = await EmulatedCluster.eventually(timeout: .seconds(30)) { !process.isRunning }
            #expect(exited, "the stop does not wait for the API server; output: \(output.text)")
            #expect(output.text.contains("failed to release the lease"), "the release was given up, and said so")
            if process.isRunning { process.send(SIGKILL) }
        }
    }

    @Test("a bad configuration lists every problem, exits 2 and touches nothing")
    func badConfigurationListsEveryProblem() async throws {
        let executable = try #require(RotorDevCommandTests.rotorExecutable, "the rotor executable is built with the tests")
        let (process, output) = try RotorDevCommandTests.launch(
            executable, ["run", "--kubeconfig", "/nonexistent/kubeconfig", "--workers", "zero", "--log-format", "xml", "--leader-elect", "maybe"])
        let status = await process.exit().status
        #expect(status == 2)
        let text = output.text
        for setting in ["--kubeconfig", "--workers", "--log-format", "--leader-elect"] {
            #expect(text.contains("\(setting) (or ROTOR_"), "names \(setting) and its variable")
        }
    }
}
