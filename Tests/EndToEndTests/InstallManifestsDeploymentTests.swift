import EmulatorTestSupport
import Foundation
import KubeClient
import KubernetesEmulator
import JSONCore
import KubeAPI
import RotorAPI
import Testing

extension InstallManifestsTests {
    // MARK: The Deployment, the Dockerfile and applying the install manifest

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
        // workers auto: 8 per processor within 16…64.
        let workers = printed.split(separator: "\n").first { $0.contains("workers: ") }.flatMap { Int($0.split(separator: " ").last ?? "") }
        #expect(workers == min(64, max(16, 8 * ProcessInfo.processInfo.activeProcessorCount)), "\(printed)")
        #expect(printed.contains("API requests: adaptive pacing, no fixed ceiling"))
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

    /// The kinds the API emulator serves; the rest of install.yaml (Service, PDB) it cannot check.
    static let emulatedKinds: Set<String> = [
        "Namespace", "CustomResourceDefinition", "ServiceAccount", "Deployment", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding",
    ]

    /// install.yaml's documents with their kind (documents without an object are dropped).
    static func documents(_ yaml: String) -> [(kind: String, text: String)] {
        yaml.components(separatedBy: "\n---\n").compactMap { text in
            let kind = text.split(separator: "\n").first { $0.hasPrefix("kind: ") }?.dropFirst("kind: ".count)
            return kind.map { (String($0), text) }
        }
    }

    @Test("kubectl applies manifests/install.yaml's Namespace, CRDs, ServiceAccount, RBAC and Deployment to the API emulator")
    func appliesToEmulator() async throws {
        let kubectl = try Kubectl.required()
        let install = try String(contentsOfFile: Self.root.appendingPathComponent("manifests/install.yaml").path, encoding: .utf8)
        let documents = Self.documents(install)
        let kinds = Set(documents.map(\.kind))
        let expectedKinds: Set<String> = Self.emulatedKinds.union(["Service", "PodDisruptionBudget"])
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
            // The chart's RBAC as the API server sees it: the operator's ServiceAccount may watch Secrets.
            let token = try await sandbox.kubectl("-n", "rotor-system", "create", "token", "rotor").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let canI = try await sandbox.kubectl("auth", "can-i", "watch", "secrets", "--all-namespaces", "--token=\(token)")
            #expect(canI.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "yes")
            // Applying again changes nothing.
            let again = try await sandbox.kubectl("apply", "-f", "-", stdin: applicable)
            #expect(again.stdout.contains("deployment.apps/rotor unchanged"), "\(again.stdout)")
        } catch {
            await sandbox.stop()
            throw error
        }
        await sandbox.stop()
    }
}
