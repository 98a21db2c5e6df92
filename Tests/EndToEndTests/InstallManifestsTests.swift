import EmulatorTestSupport
import Foundation
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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = root
        let inherited = ProcessInfo.processInfo.environment
        let base = inheritEnvironment ? inherited : inherited.filter { $0.key == "PATH" || $0.key == "HOME" }
        process.environment = base.merging(environment) { _, new in new }
        let (status, stdoutData, stderrData) = try await OutputCollector.runToEnd(process, stdin: Data((stdin ?? "").utf8))
        return Output(status: status, stdout: String(decoding: stdoutData, as: UTF8.self), stderr: String(decoding: stderrData, as: UTF8.self))
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
        "rotor.dev/externalsecrets/status update", "rotor.dev/secretstores/status update",
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
    ]

    /// A cluster-wide install also caches Namespace labels (ClusterSecretStore conditions).
    static let namespaceCacheGrants: Set<String> = ["core/namespaces list", "core/namespaces watch"]

    /// The operator's own objects in the release namespace.
    static let operatorNamespaceGrants: Set<String> = [
        "coordination.k8s.io/leases create", "coordination.k8s.io/leases get @rotor-leader", "coordination.k8s.io/leases update @rotor-leader",
        "core/secrets create", "core/secrets get @rotor-fingerprint-key",
    ]

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

    @Test("the ClusterRole grants exactly what the operator uses; the release namespace's Role only the Lease and the fingerprint key")
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
        #expect(own == Self.operatorNamespaceGrants, "extra: \(own.subtracting(Self.operatorNamespaceGrants).sorted())")

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

    @Test("the Deployment: probes on the health port, hardened pod, and args that `rotor check-config` accepts as meant")
    func deploymentAgreesWithBinary() async throws {
        let executable = try #require(RotorDevCommandTests.rotorExecutable, "the rotor executable is built with the tests")
        let objects = try await Self.rendered()
        let deployment = try #require(Self.only("Deployment", in: objects).first)
        #expect(deployment[path: ["spec", "replicas"]]?.intValue == 2)
        let pod = try #require(deployment[path: ["spec", "template", "spec"]])
        let container = try #require(pod["containers"]?.arrayValue?.first)
        let args = (container["args"]?.arrayValue ?? []).compactMap(\.stringValue)
        #expect(args.first == "run")
        #expect(container["image"]?.stringValue == "rotor:0.1.0")

        // Probes: /healthz and /readyz on the named port that --health-address binds.
        let port = container["ports"]?.arrayValue?.first
        #expect(port?["name"]?.stringValue == "health")
        let containerPort = port?["containerPort"]?.intValue
        #expect(args.contains("--health-address=0.0.0.0:\(containerPort ?? -1)"))
        #expect(container[path: ["livenessProbe", "httpGet", "path"]]?.stringValue == "/healthz")
        #expect(container[path: ["livenessProbe", "httpGet", "port"]]?.stringValue == "health")
        #expect(container[path: ["readinessProbe", "httpGet", "path"]]?.stringValue == "/readyz")
        #expect(container[path: ["readinessProbe", "httpGet", "port"]]?.stringValue == "health")
        let service = Self.only("Service", in: objects).first
        #expect(service?[path: ["spec", "ports"]]?.arrayValue?.first?["targetPort"]?.stringValue == "health")

        // Hardening and resources.
        #expect(pod[path: ["securityContext", "runAsNonRoot"]]?.boolValue == true)
        #expect(pod[path: ["securityContext", "seccompProfile", "type"]]?.stringValue == "RuntimeDefault")
        #expect(container[path: ["securityContext", "readOnlyRootFilesystem"]]?.boolValue == true)
        #expect(container[path: ["securityContext", "allowPrivilegeEscalation"]]?.boolValue == false)
        let dropped = (container[path: ["securityContext", "capabilities", "drop"]]?.arrayValue ?? []).compactMap(\.stringValue)
        #expect(dropped == ["ALL"])
        #expect(container[path: ["resources", "limits", "memory"]]?.stringValue == "256Mi")
        #expect(container[path: ["resources", "requests", "memory"]]?.stringValue == "64Mi")
        // SIGTERM lets in-flight reconciles finish: provider requests time out after 30 s.
        let grace = pod["terminationGracePeriodSeconds"]?.intValue ?? 0
        #expect(grace >= 30)

        // The downward API gives the operator its namespace and identity.
        var environment: [String: String] = [:]
        for variable in container["env"]?.arrayValue ?? [] {
            let name = variable["name"]?.stringValue ?? ""
            if let value = variable["value"]?.stringValue { environment[name] = value }
            if let field = variable[path: ["valueFrom", "fieldRef", "fieldPath"]]?.stringValue {
                environment[name] = field == "metadata.namespace" ? "rotor-system" : "rotor-7d9f8-abcde"
            }
        }
        #expect(environment["POD_NAMESPACE"] == "rotor-system")
        #expect(environment["POD_NAME"] != nil)

        // The binary reads the rendered args and env as the chart means them (in an environment
        // of the pod's variables only, as in the container).
        let check = try await Self.run(executable, ["check-config"] + args.dropFirst(), environment: environment, inheritEnvironment: false)
        #expect(check.succeeded, "rotor check-config \(args.dropFirst().joined(separator: " ")): \(check.stderr)")
        let printed = check.stdout
        #expect(printed.contains("namespaces: all"))
        #expect(printed.contains("operator namespace: rotor-system"))
        #expect(printed.contains("workers: 4"))
        #expect(printed.contains("leader election: on (Lease rotor-system/rotor-leader)"))
        #expect(printed.contains("health address: 0.0.0.0:\(containerPort ?? -1)"))
        #expect(printed.contains("log: info, json"))

        // Non-default values reach the binary too.
        let custom = try await Self.rendered([
            "--set", "namespaces={shop,billing}", "--set", "workers=8", "--set", "log.level=debug", "--set", "log.format=text",
            "--set", "leaderElection.leaseName=rotor-a", "--set", "health.port=9090", "--set", "kube.qps=20", "--set", "kube.burst=40",
        ])
        let customArgs = (Self.only("Deployment", in: custom).first?[path: ["spec", "template", "spec", "containers"]]?
            .arrayValue?.first?["args"]?.arrayValue ?? []).compactMap(\.stringValue)
        let customCheck = try await Self.run(
            executable, ["check-config"] + customArgs.dropFirst(), environment: environment, inheritEnvironment: false)
        #expect(customCheck.succeeded, "rotor check-config \(customArgs.joined(separator: " ")): \(customCheck.stderr)")
        #expect(customCheck.stdout.contains("namespaces: billing,shop"))
        #expect(customCheck.stdout.contains("workers: 8"))
        #expect(customCheck.stdout.contains("leader election: on (Lease rotor-system/rotor-a)"))
        #expect(customCheck.stdout.contains("health address: 0.0.0.0:9090"))
        #expect(customCheck.stdout.contains("log: debug, text"))
    }

    @Test("the Dockerfile: hadolint passes (hack/lint-dockerfile); Swift 6.3 build, static stdlib, non-root, `rotor run`")
    func dockerfile() async throws {
        let hadolint = Self.root.appendingPathComponent(".tools/hadolint/bin/hadolint").path
        let installed = FileManager.default.isExecutableFile(atPath: hadolint)
        try #require(installed, "hadolint not found at .tools/hadolint/bin/hadolint: run the tests with hack/test, which installs it (hack/lint-dockerfile --install)")
        let lint = try await Self.run(hadolint, ["--no-color", "Dockerfile"])
        #expect(lint.succeeded, "hadolint: \(lint.stdout)\(lint.stderr)")

        let dockerfile = try String(contentsOfFile: Self.root.appendingPathComponent("Dockerfile").path, encoding: .utf8)
        let lines = dockerfile.split(separator: "\n").map(String.init)
        #expect(lines.contains("FROM swift:6.3.1-noble AS build"))
        #expect(dockerfile.contains("swift build -c release --product rotor --static-swift-stdlib"))
        #expect(lines.contains("USER 65532:65532"), "the chart's runAsUser")
        #expect(lines.contains(#"ENTRYPOINT ["/usr/local/bin/rotor"]"#))
        #expect(lines.contains(#"CMD ["run"]"#))
        let ignored = try String(contentsOfFile: Self.root.appendingPathComponent(".dockerignore").path, encoding: .utf8)
            .split(separator: "\n").map(String.init)
        for entry in [".build", ".build-*", ".tools", ".git"] {
            #expect(ignored.contains(entry), ".dockerignore leaves out \(entry)")
        }
    }

    /// The kinds the API emulator serves; the rest of install.yaml (RBAC, Service, PDB) it cannot check.
    static let emulatedKinds: Set<String> = ["Namespace", "CustomResourceDefinition", "ServiceAccount", "Deployment"]

    /// install.yaml's documents with their kind (documents without an object are dropped).
    static func documents(_ yaml: String) -> [(kind: String, text: String)] {
        yaml.components(separatedBy: "\n---\n").compactMap { text in
            let kind = text.split(separator: "\n").first { $0.hasPrefix("kind: ") }?.dropFirst("kind: ".count)
            return kind.map { (String($0), text) }
        }
    }

    @Test("kubectl applies manifests/install.yaml's Namespace, CRDs, ServiceAccount and Deployment to the API emulator")
    func appliesToEmulator() async throws {
        let kubectl = try Kubectl.required()
        let install = try String(contentsOfFile: Self.root.appendingPathComponent("manifests/install.yaml").path, encoding: .utf8)
        let documents = Self.documents(install)
        let kinds = Set(documents.map(\.kind))
        let expectedKinds: Set<String> = Self.emulatedKinds.union(["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Service", "PodDisruptionBudget"])
        #expect(kinds == expectedKinds)
        #expect(documents.first?.kind == "Namespace", "the Namespace comes first, so that kubectl apply creates it before its contents")
        let applicable = documents.filter { Self.emulatedKinds.contains($0.kind) }.map(\.text).joined(separator: "\n---\n")

        let sandbox = try await KubectlSandbox.start(kubectl)
        do {
            let applied = try await sandbox.kubectl("apply", "-f", "-", stdin: applicable)
            #expect(applied.stdout.contains("deployment.apps/rotor created"), "\(applied.stdout)")
            let crds = try await sandbox.kubectl("get", "crd", "-o", "name")
            #expect(crds.stdout.contains("externalsecrets.rotor.dev"))
            let deployment = try await sandbox.kubectl(
                "-n", "rotor-system", "get", "deployment", "rotor", "-o", "jsonpath={.spec.template.spec.serviceAccountName}")
            #expect(deployment.stdout == "rotor")
            // Applying again changes nothing.
            let again = try await sandbox.kubectl("apply", "-f", "-", stdin: applicable)
            #expect(again.stdout.contains("deployment.apps/rotor unchanged"), "\(again.stdout)")
        } catch {
            await sandbox.stop()
            throw error
        }
        await sandbox.stop()
    }

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
            try cluster.emulator.writeKubeconfig(to: kubeconfig)
            _ = try await client.create(
                RotorRunCommandTests.namespaces, namespace: nil,
                body: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "rotor-system"]])
            for definition in RotorCRDs.all { _ = try await client.create(RotorRunCommandTests.crds, namespace: nil, body: definition.object) }
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
            let leaseHeld = await EmulatedCluster.eventually {
                let lease = try? await client.get(RotorRunCommandTests.leases, namespace: "rotor-system", name: "rotor-leader")
                return lease?["spec"]?["holderIdentity"]?.stringValue?.hasPrefix("rotor-7d9f8-abcde_") == true
            }
            #expect(leaseHeld, "POD_NAME is the leader identity; output: \(earlier)\(output.text)")
            _ = try await client.get(Secret.self, namespace: "rotor-system", name: "rotor-fingerprint-key")

            process.terminate()
            let status = await OutputCollector.waitForExit(process)
            #expect(status == 0, "SIGTERM stops it cleanly; output: \(output.text)")
            let after = Self.requestCounts(cluster.emulator.faults)

            // The test itself only created objects before `before`, and read Secrets and the
            // Lease since (granted reads): every other request is the operator's.
            let used = after.keys.filter { (after[$0] ?? 0) > (before[$0] ?? 0) }.sorted()
            let refused = used.filter { !Self.isGranted($0, by: grants) }
            #expect(refused.isEmpty, "requests the chart's RBAC does not grant: \(refused); all requests: \(used)")
            for expected in ["create secrets", "create leases", "watch namespaces", "watch externalsecrets", "update externalsecrets", "create events"] {
                #expect(used.contains(expected), "the run exercised \(expected); all requests: \(used); output: \(output.text)")
            }
        }
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
