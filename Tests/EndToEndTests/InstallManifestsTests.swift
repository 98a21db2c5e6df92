import EmulatorTestSupport
import Foundation
import ProcessTestSupport
import KubeClient
import KubernetesEmulator
import JSONCore
import KubeAPI
import RotorAPI
import Testing

/// The install artefacts — the Helm chart `charts/rotor`, its rendering
/// `manifests/install.yaml` and the chart's copies of the CRDs — checked with the real
/// `helm` (hack/install-helm; `hack/test` installs it) and `kubectl`, and against the
/// `rotor` executable built with the tests, so that chart and binary cannot drift apart.
/// Serialized: the emulator tests share this process, and one emulator busy compiling CRD
/// schemas for kubectl starved another's operator long enough for it to lose its Lease.
@Suite("install manifests", .serialized)
struct InstallManifestsTests {
    // MARK: Where things are

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static var chart: String { root.appendingPathComponent("charts/rotor").path }

    /// `ROTOR_HELM`, else the pinned helm in `.tools/bin` (hack/install-helm), else `helm` on PATH.
    static var helm: String? {
        if let given = ProcessInfo.processInfo.environment["ROTOR_HELM"], FileManager.default.isExecutableFile(atPath: given) {
            return given
        }
        let pinned = root.appendingPathComponent(".tools/bin/helm").path
        if FileManager.default.isExecutableFile(atPath: pinned) { return pinned }
        return Kubectl.findOnPath("helm")
    }

    static let missingHelm: Comment = """
        helm not found (ROTOR_HELM, .tools/bin/helm or PATH): run the tests with hack/test, which installs \
        the pinned helm into .tools/bin (hack/install-helm)
        """

    // MARK: Running tools

    struct Output: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
        var succeeded: Bool { status == 0 }
    }

    /// Runs a process to the end, reading its pipes and waiting for it off the concurrency pool.
    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], stdin: String? = nil,
        inheritEnvironment: Bool = true
    ) async throws -> Output {
        let inherited = ProcessInfo.processInfo.environment
        let base = inheritEnvironment ? inherited : inherited.filter { $0.key == "PATH" || $0.key == "HOME" }
        let process = try Subprocess.spawn(
            executable, arguments, environment: base.merging(environment) { _, new in new }, directory: root.path)
        let (termination, stdoutData, stderrData) = await process.collect(input: Data((stdin ?? "").utf8))
        return Output(status: termination.status, stdout: String(decoding: stdoutData, as: UTF8.self), stderr: String(decoding: stderrData, as: UTF8.self))
    }

    /// `helm template rotor charts/rotor --namespace rotor-system` with extra arguments.
    static func template(_ extra: [String] = []) async throws -> Output {
        let helm = try #require(Self.helm, Self.missingHelm)
        return try await run(helm, ["template", "rotor", chart, "--namespace", "rotor-system"] + extra)
    }

    /// YAML documents as JSON objects, converted offline by the real kubectl
    /// (`annotate --local` parses any kind without a server and prints JSON).
    static func objects(fromYAML yaml: String) async throws -> [JSONValue] {
        let kubectl = try Kubectl.required()
        let result = try await run(
            kubectl.executable, ["annotate", "--local", "-f", "-", "rotor.dev/unused-", "-o", "json"],
            environment: ["KUBECONFIG": "/nonexistent/kubeconfig"], stdin: yaml)
        #expect(result.succeeded, "kubectl annotate --local: \(result.stderr)")
        // One pretty-printed object after another: `{` and `}` at the start of a line.
        let joined = result.stdout.replacingOccurrences(of: "\n}\n{", with: "\n},\n{")
        return try JSONValue(parsing: "[" + joined + "]").arrayValue ?? []
    }

    /// The rendered chart's objects (default values unless given).
    static func rendered(_ extra: [String] = []) async throws -> [JSONValue] {
        let output = try await template(extra)
        #expect(output.succeeded, "helm template: \(output.stderr)")
        return try await objects(fromYAML: output.stdout)
    }

    static func only(_ kind: String, named name: String? = nil, in objects: [JSONValue]) -> [JSONValue] {
        objects.filter { $0["kind"]?.stringValue == kind && (name == nil || $0["metadata"]?["name"]?.stringValue == name) }
    }

    // MARK: RBAC

    /// One granted verb: `group/resource verb`, with `@name` when limited to resourceNames.
    static func grants(_ role: JSONValue?) -> Set<String> {
        var result: Set<String> = []
        for rule in role?["rules"]?.arrayValue ?? [] {
            let groups = (rule["apiGroups"]?.arrayValue ?? []).compactMap(\.stringValue)
            let resources = (rule["resources"]?.arrayValue ?? []).compactMap(\.stringValue)
            let verbs = (rule["verbs"]?.arrayValue ?? []).compactMap(\.stringValue)
            let names = (rule["resourceNames"]?.arrayValue ?? []).compactMap(\.stringValue)
            for group in groups {
                for resource in resources {
                    for verb in verbs {
                        let base = "\(group.isEmpty ? "core" : group)/\(resource) \(verb)"
                        if names.isEmpty { result.insert(base) } else { for name in names { result.insert("\(base) @\(name)") } }
                    }
                }
            }
        }
        return result
    }

    /// What the operator does in the namespaces it watches (see the chart's rotor.namespacedRules).
    static let namespacedGrants: Set<String> = [
        "rotor.dev/externalsecrets list", "rotor.dev/externalsecrets watch",
        "rotor.dev/secretstores list", "rotor.dev/secretstores watch",
        "rotor.dev/externalsecrets get", "rotor.dev/externalsecrets create", "rotor.dev/externalsecrets update", "rotor.dev/externalsecrets delete",
        "rotor.dev/externalsecrets/status update", "rotor.dev/secretstores/status update",
        "rotor.dev/pushsecrets list", "rotor.dev/pushsecrets watch", "rotor.dev/pushsecrets update", "rotor.dev/pushsecrets/status update",
        "rotor.dev/externalsecrets/finalizers update",
        "core/secrets get", "core/secrets list", "core/secrets watch", "core/secrets create", "core/secrets update", "core/secrets delete",
        "core/serviceaccounts/token create",
        "core/events create", "core/events patch",
        "apps/deployments get", "apps/deployments patch", "apps/statefulsets get", "apps/statefulsets patch",
        "apps/daemonsets get", "apps/daemonsets patch",
    ]

    /// What is cluster-wide by nature.
    static let clusterGrants: Set<String> = [
        "rotor.dev/clustersecretstores list", "rotor.dev/clustersecretstores watch",
        "rotor.dev/clustersecretstores/status update", "core/namespaces get",
        "rotor.dev/clusterexternalsecrets list", "rotor.dev/clusterexternalsecrets watch",
        "rotor.dev/clusterexternalsecrets/status update", "rotor.dev/clusterexternalsecrets/finalizers update",
    ]

    /// A cluster-wide install also caches Namespace labels (ClusterSecretStore conditions).
    static let namespaceCacheGrants: Set<String> = ["core/namespaces list", "core/namespaces watch"]

    /// The operator's own objects in the release namespace.
    /// The release namespace's Role: the Lease, and in a namespaced install the fingerprint
    /// key (a cluster-wide install's ClusterRole covers Secrets there already).
    static let leaseGrants: Set<String> = [
        "coordination.k8s.io/leases create", "coordination.k8s.io/leases get @rotor-leader", "coordination.k8s.io/leases update @rotor-leader",
    ]
    static let operatorNamespaceGrants: Set<String> = leaseGrants.union(["core/secrets create", "core/secrets get @rotor-fingerprint-key"])

    // MARK: Tests

    @Test("helm lint --strict passes, with default values and namespace-scoped RBAC")
    func lint() async throws {
        let helm = try #require(Self.helm, Self.missingHelm)
        let defaults = try await Self.run(helm, ["lint", "--strict", Self.chart])
        #expect(defaults.succeeded, "helm lint: \(defaults.stdout)\(defaults.stderr)")
        let scoped = try await Self.run(
            helm, ["lint", "--strict", Self.chart, "--set", "rbac.namespaced=true", "--set", "namespaces={shop,billing}",
                   "--set", "serviceMonitor.enabled=true"])
        #expect(scoped.succeeded, "helm lint (namespaced): \(scoped.stdout)\(scoped.stderr)")
    }

    @Test("the chart's appVersion is what `rotor version` prints")
    func appVersion() async throws {
        let executable = try #require(RotorDevCommandTests.rotorExecutable, "the rotor executable is built with the tests")
        let chartYAML = try String(contentsOfFile: Self.chart + "/Chart.yaml", encoding: .utf8)
        let line = chartYAML.split(separator: "\n").first { $0.hasPrefix("appVersion:") }
        let appVersion = line.map { $0.dropFirst("appVersion:".count).trimmingCharacters(in: CharacterSet(charactersIn: " \"")) }
        let version = try await Self.run(executable, ["version"])
        let printed = version.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(printed == "rotor \(appVersion ?? "?")", "Chart.yaml appVersion \(appVersion ?? "missing")")
    }

    @Test("charts/rotor/crds holds exactly the CRDs of manifests/crds (run hack/render-manifests after `rotor crds`)")
    func crdsMatch() throws {
        let manifests = Self.root.appendingPathComponent("manifests/crds").path
        let chartCRDs = Self.chart + "/crds"
        let expected = try FileManager.default.contentsOfDirectory(atPath: manifests).filter { $0.hasSuffix(".yaml") }.sorted()
        let copied = try FileManager.default.contentsOfDirectory(atPath: chartCRDs).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(!expected.isEmpty)
        #expect(copied == expected, "charts/rotor/crds is stale: run hack/render-manifests")
        for name in expected {
            let original = FileManager.default.contents(atPath: "\(manifests)/\(name)")
            let copy = FileManager.default.contents(atPath: "\(chartCRDs)/\(name)")
            #expect(copy == original, "charts/rotor/crds/\(name) differs from manifests/crds/\(name): run hack/render-manifests")
        }
    }

    @Test("manifests/install.yaml is the chart rendered with default values (run hack/render-manifests when this fails)")
    func installManifestIsCurrent() async throws {
        let helm = try #require(Self.helm, Self.missingHelm)
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("rotor-install-\(UUID().uuidString).yaml").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let render = try await Self.run(
            Self.root.appendingPathComponent("hack/render-manifests").path, ["--output", output], environment: ["ROTOR_HELM": helm])
        #expect(render.succeeded, "hack/render-manifests: \(render.stderr)")
        let fresh = try String(contentsOfFile: output, encoding: .utf8)
        let committed = try String(contentsOfFile: Self.root.appendingPathComponent("manifests/install.yaml").path, encoding: .utf8)
        let same = fresh == committed
        #expect(same, "manifests/install.yaml is stale: run hack/render-manifests")
    }

    @Test("the ClusterRole grants exactly what the operator uses; the release namespace's Role only the Lease")
    func clusterWideRBAC() async throws {
        let objects = try await Self.rendered()
        let clusterRoles = Self.only("ClusterRole", in: objects)
        let roles = Self.only("Role", in: objects)
        #expect(clusterRoles.count == 1)
        #expect(roles.count == 1)
        let granted = Self.grants(clusterRoles.first)
        let expected = Self.namespacedGrants.union(Self.clusterGrants).union(Self.namespaceCacheGrants)
        #expect(granted == expected, "extra: \(granted.subtracting(expected).sorted()), missing: \(expected.subtracting(granted).sorted())")

        let role = roles.first
        #expect(role?["metadata"]?["namespace"]?.stringValue == "rotor-system")
        let own = Self.grants(role)
        #expect(own == Self.leaseGrants, "extra: \(own.subtracting(Self.leaseGrants).sorted())")

        // Both are bound to the chart's ServiceAccount.
        let serviceAccount = Self.only("ServiceAccount", in: objects).first?["metadata"]?["name"]?.stringValue
        #expect(serviceAccount == "rotor")
        for binding in Self.only("ClusterRoleBinding", in: objects) + Self.only("RoleBinding", in: objects) {
            let subject = binding["subjects"]?.arrayValue?.first
            #expect(subject?["kind"]?.stringValue == "ServiceAccount")
            #expect(subject?["name"]?.stringValue == serviceAccount)
            #expect(subject?["namespace"]?.stringValue == "rotor-system")
        }
        let clusterRoleRef = Self.only("ClusterRoleBinding", in: objects).first?["roleRef"]?["name"]?.stringValue
        #expect(clusterRoleRef == clusterRoles.first?["metadata"]?["name"]?.stringValue)
    }

    @Test("namespace-scoped install: a Role per watched namespace, the ClusterRole keeps only what is cluster-wide")
    func namespacedRBAC() async throws {
        let objects = try await Self.rendered([
            "--set", "rbac.namespaced=true", "--set", "namespaces={shop,billing}",
            "--set", "rbac.restartTargets=false", "--set", "rbac.serviceAccountTokens=false",
        ])
        let clusterRoles = Self.only("ClusterRole", in: objects)
        #expect(clusterRoles.count == 1)
        let clusterGranted = Self.grants(clusterRoles.first)
        #expect(clusterGranted == Self.clusterGrants, "extra: \(clusterGranted.subtracting(Self.clusterGrants).sorted())")

        let withoutOptional = Self.namespacedGrants.filter { !$0.hasPrefix("apps/") && !$0.hasPrefix("core/serviceaccounts/token") }
        var namespaces: [String] = []
        for role in Self.only("Role", in: objects) {
            let namespace = role["metadata"]?["namespace"]?.stringValue ?? ""
            namespaces.append(namespace)
            let granted = Self.grants(role)
            let expected = namespace == "rotor-system" ? Self.operatorNamespaceGrants : withoutOptional
            #expect(granted == expected, "Role in \(namespace): extra \(granted.subtracting(expected).sorted()), missing \(expected.subtracting(granted).sorted())")
        }
        #expect(namespaces.sorted() == ["billing", "rotor-system", "shop"])
        let bound = Self.only("RoleBinding", in: objects).compactMap { $0["metadata"]?["namespace"]?.stringValue }.sorted()
        #expect(bound == ["billing", "rotor-system", "shop"])

        // The operator is told to watch exactly those namespaces.
        let args = Self.only("Deployment", in: objects).first?[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first?["args"]
        let list = (args?.arrayValue ?? []).compactMap(\.stringValue)
        #expect(list.contains("--namespaces=shop,billing"))
    }

    @Test("settings the chart refuses: several replicas without leader election, namespaced RBAC without namespaces, values the schema rejects")
    func refusals() async throws {
        let noLease = try await Self.template(["--set", "leaderElection.enabled=false"])
        #expect(!noLease.succeeded)
        #expect(noLease.stderr.contains("leaderElection.enabled"))
        let single = try await Self.template(["--set", "leaderElection.enabled=false", "--set", "replicaCount=1"])
        #expect(single.succeeded, "one replica without leader election is fine: \(single.stderr)")
        #expect(!single.stdout.contains("kind: PodDisruptionBudget"), "no PDB for a single replica (it would block drains)")
        let scoped = try await Self.template(["--set", "rbac.namespaced=true"])
        #expect(!scoped.succeeded)
        #expect(scoped.stderr.contains("namespaces"))
        // values.schema.json: misspelt or invalid values fail before anything is rendered.
        for (value, named) in [("replicas=3", "replicas"), ("log.format=xml", "/log/format"), ("workers=0", "/workers"), ("namespaces={Shop}", "/namespaces/0")] {
            let refused = try await Self.template(["--set", value])
            #expect(!refused.succeeded, "--set \(value) is refused")
            #expect(refused.stderr.contains(named), "--set \(value): \(refused.stderr)")
        }
    }
}
