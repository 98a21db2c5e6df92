import EmulatorTestSupport
import Foundation
import KubernetesEmulator
import Testing

/// The real kubectl against the emulator: every command a user tries first must
/// work and print what a real cluster prints. Each test runs with every kubectl
/// client the image has (the dispatcher, 1.27 and 1.33).
@Suite("kubectl against the emulator", .serialized)
struct KubectlTests {
    @Test("get ns lists the initial namespaces and create ns adds one", arguments: Kubectl.available)
    func namespaces(kubectl: Kubectl) async throws {
        let sandbox = try await KubectlSandbox.start(kubectl)
        defer { Task { await sandbox.stop() } }
        let initial = try await sandbox.kubectl("get", "ns")
        let rows = tableRows(initial.stdout)
        #expect(rows.first == ["NAME", "STATUS", "AGE"])
        #expect(rows.contains { $0.first == "default" && $0[1] == "Active" })
        #expect(rows.contains { $0.first == "kube-system" })
        let created = try await sandbox.kubectl("create", "ns", "shop")
        #expect(created.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "namespace/shop created")
        let phase = try await sandbox.kubectl("get", "ns", "shop", "-o", "jsonpath={.status.phase}")
        #expect(phase.stdout == "Active")
        let again = try await sandbox.kubectlFailing("create", "ns", "shop")
        #expect(again.stderr.contains("AlreadyExists"))
    }

    @Test("create secret generic stores base64 data that get -o jsonpath reads back", arguments: Kubectl.available)
    func secrets(kubectl: Kubectl) async throws {
        let sandbox = try await KubectlSandbox.start(kubectl)
        defer { Task { await sandbox.stop() } }
        let created = try await sandbox.kubectl("create", "secret", "generic", "db", "--from-literal=password=fake-pass", "--from-literal=user=app")
        #expect(created.stdout.contains("secret/db created"))
        let encoded = try await sandbox.kubectl("get", "secret", "db", "-o", "jsonpath={.data.password}").stdout
        #expect(Data(base64Encoded: encoded).map { String(decoding: $0, as: UTF8.self) } == "fake-pass")
        let rows = tableRows(try await sandbox.kubectl("get", "secrets").stdout)
        #expect(rows.first == ["NAME", "TYPE", "DATA", "AGE"])
        #expect(rows.dropFirst().first?.prefix(3) == ["db", "Opaque", "2"])
    }

    @Test("apply of a CRD then of a custom resource; re-apply with a change bumps generation", arguments: Kubectl.available)
    func applyCustomResource(kubectl: Kubectl) async throws {
        let sandbox = try await KubectlSandbox.start(kubectl)
        defer { Task { await sandbox.stop() } }
        let crd = try await sandbox.kubectl("apply", "-f", "-", stdin: widgetCRD)
        #expect(crd.stdout.contains("customresourcedefinition.apiextensions.k8s.io/widgets.example.com created"))
        let first = try await sandbox.kubectl("apply", "-f", "-", stdin: widget("w1", size: 3))
        #expect(first.stdout.contains("widget.example.com/w1 created"))
        #expect(try await sandbox.kubectl("get", "widget", "w1", "-o", "jsonpath={.metadata.generation}").stdout == "1")
        // The schema default is applied by the server.
        #expect(try await sandbox.kubectl("get", "widget", "w1", "-o", "jsonpath={.spec.color}").stdout == "red")
        let unchanged = try await sandbox.kubectl("apply", "-f", "-", stdin: widget("w1", size: 3))
        #expect(unchanged.stdout.contains("widget.example.com/w1 unchanged"))
        let second = try await sandbox.kubectl("apply", "-f", "-", stdin: widget("w1", size: 5, color: "blue"))
        #expect(second.stdout.contains("widget.example.com/w1 configured"))
        #expect(try await sandbox.kubectl("get", "widget", "w1", "-o", "jsonpath={.metadata.generation}").stdout == "2")
        #expect(try await sandbox.kubectl("get", "widget", "w1", "-o", "jsonpath={.spec.size}").stdout == "5")
    }

    @Test("apply of an invalid custom resource is refused with the field named", arguments: Kubectl.available)
    func applyInvalidCustomResource(kubectl: Kubectl) async throws {
        let sandbox = try await KubectlSandbox.start(kubectl)
        defer { Task { await sandbox.stop() } }
        try await sandbox.kubectl("apply", "-f", "-", stdin: widgetCRD)
        let bad = try await sandbox.kubectlFailing("apply", "-f", "-", stdin: widget("w2", size: 0, color: "green"))
        #expect(bad.stderr.contains("spec.color"))
        #expect(bad.stderr.contains("Unsupported value: \"green\""))
        #expect(bad.stderr.contains("spec.size"))
        let unknownField = try await sandbox.kubectlFailing(
            "apply", "-f", "-", stdin: "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w3}\nspec: {size: 1, shape: round}\n")
        #expect(unknownField.stderr.contains("unknown field \"spec.shape\""))
    }

    @Test("get of a custom resource prints its printer columns; explain describes its spec", arguments: Kubectl.available)
    func printerColumnsAndExplain(kubectl: Kubectl) async throws {
        let sandbox = try await KubectlSandbox.start(kubectl)
        defer { Task { await sandbox.stop() } }
        try await sandbox.kubectl("apply", "-f", "-", stdin: widgetCRD)
        try await sandbox.kubectl("apply", "-f", "-", stdin: widget("w1", size: 3, color: "blue"))
        try await sandbox.kubectl("patch", "widget", "w1", "--subresource=status", "--type=merge", "-p", #"{"status":{"conditions":[{"type":"Ready","status":"True"}]}}"#)
        let rows = tableRows(try await sandbox.kubectl("get", "wd").stdout)
        #expect(rows.first == ["NAME", "SIZE", "COLOR", "READY", "AGE"])
        #expect(rows.dropFirst().first?.prefix(4) == ["w1", "3", "blue", "True"])
        let explain = try await sandbox.kubectl("explain", "widget.spec").stdout
        #expect(explain.contains("KIND:       Widget") || explain.contains("KIND:     Widget"))
        #expect(explain.contains("The desired widget."))
        #expect(explain.contains("size"))
        #expect(explain.contains("How big the widget is."))
        #expect(explain.contains("-required-"))
    }

    @Test("get -w prints changes made after it started", arguments: Kubectl.available)
    func watch(kubectl: Kubectl) async throws {
        let sandbox = try await KubectlSandbox.start(kubectl)
        defer { Task { await sandbox.stop() } }
        try await sandbox.kubectl("apply", "-f", "-", stdin: widgetCRD)
        try await sandbox.kubectl("apply", "-f", "-", stdin: widget("w1", size: 3))
        let watcher = try sandbox.kubectl.start(["get", "widgets", "-w"], kubeconfig: sandbox.kubeconfig, home: sandbox.directory)
        defer { watcher.stop() }
        #expect(await watcher.waitForOutput { $0.contains("w1") })
        try await sandbox.kubectl("patch", "widget", "w1", "--type=merge", "-p", #"{"spec":{"size":8}}"#)
        try await sandbox.kubectl("apply", "-f", "-", stdin: widget("w2", size: 4))
        let sawChange = await watcher.waitForOutput { output in
            tableRows(output).contains { $0.first == "w1" && $0.count > 1 && $0[1] == "8" } && output.contains("w2")
        }
        #expect(sawChange, "watch output was: \(watcher.output.text)")
    }

    @Test("label, annotate and patch (merge and json) change the object", arguments: Kubectl.available)
    func labelAnnotatePatch(kubectl: Kubectl) async throws {
        let sandbox = try await KubectlSandbox.start(kubectl)
        defer { Task { await sandbox.stop() } }
        try await sandbox.kubectl("create", "secret", "generic", "db", "--from-literal=k=v")
        #expect(try await sandbox.kubectl("label", "secret", "db", "tier=backend").stdout.contains("secret/db labeled"))
        // kubectl 1.27 prints "annotate", later clients "annotated".
        #expect(try await sandbox.kubectl("annotate", "secret", "db", "owner=team-a").stdout.contains("secret/db annotate"))
        #expect(try await sandbox.kubectl("get", "secret", "db", "-o", "jsonpath={.metadata.labels.tier}").stdout == "backend")
        #expect(try await sandbox.kubectl("get", "secret", "db", "-o", "jsonpath={.metadata.annotations.owner}").stdout == "team-a")
        try await sandbox.kubectl("label", "secret", "db", "tier-")
        #expect(try await sandbox.kubectl("get", "secret", "db", "-o", "jsonpath={.metadata.labels}").stdout.contains("tier") == false)
        let merge = try await sandbox.kubectl("patch", "secret", "db", "--type=merge", "-p", #"{"metadata":{"labels":{"merged":"yes"}}}"#)
        #expect(merge.stdout.contains("secret/db patched"))
        let json = try await sandbox.kubectl("patch", "secret", "db", "--type=json", "-p", #"[{"op":"add","path":"/metadata/labels/viajson","value":"yes"}]"#)
        #expect(json.stdout.contains("secret/db patched"))
        let strategic = try await sandbox.kubectl("patch", "secret", "db", "-p", #"{"metadata":{"labels":{"strategic":"yes"}}}"#)
        #expect(strategic.stdout.contains("secret/db patched"))
        let labels = try await sandbox.kubectl("get", "secret", "db", "-o", "jsonpath={.metadata.labels}").stdout
        #expect(labels.contains("\"merged\":\"yes\"") && labels.contains("\"viajson\":\"yes\"") && labels.contains("\"strategic\":\"yes\""))
        let failedTest = try await sandbox.kubectlFailing("patch", "secret", "db", "--type=json", "-p", #"[{"op":"test","path":"/type","value":"kubernetes.io/tls"}]"#)
        // kube-apiserver keeps the JSON patch library's reason to itself: a generic 422.
        #expect(failedTest.stderr.contains("The request is invalid: the server rejected our request due to an error in our request"))
    }

    @Test("apply --server-side creates, updates, reports a conflict with another manager, honours --force-conflicts, and the managers show", arguments: Kubectl.available)
    func serverSideApply(kubectl: Kubectl) async throws {
        let sandbox = try await KubectlSandbox.start(kubectl)
        defer { Task { await sandbox.stop() } }
        func config(_ data: String) -> String {
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  namespace: default\ndata:\n\(data)"
        }
        let created = try await sandbox.kubectl("apply", "--server-side", "--field-manager=flux", "-f", "-", stdin: config("  level: info\n  mode: a\n"))
        #expect(created.stdout.contains("configmap/app serverside-applied"))
        try await sandbox.kubectl("apply", "--server-side", "--field-manager=flux", "-f", "-", stdin: config("  level: debug\n"))
        #expect(try await sandbox.kubectl("get", "cm", "app", "-o", "jsonpath={.data}").stdout == #"{"level":"debug"}"#, "a field the manager stopped applying is gone")

        let conflict = try await sandbox.kubectlFailing("apply", "--server-side", "--field-manager=argocd", "-f", "-", stdin: config("  level: warn\n"))
        #expect(conflict.stderr.contains(#"conflict with "flux""#) && conflict.stderr.contains(".data.level"), "\(conflict.stderr)")
        try await sandbox.kubectl("apply", "--server-side", "--field-manager=argocd", "--force-conflicts", "-f", "-", stdin: config("  level: warn\n"))
        #expect(try await sandbox.kubectl("get", "cm", "app", "-o", "jsonpath={.data.level}").stdout == "warn")

        let yaml = try await sandbox.kubectl("get", "cm", "app", "-o", "yaml", "--show-managed-fields").stdout
        #expect(yaml.contains("manager: argocd") && yaml.contains("operation: Apply") && yaml.contains("f:level: {}"), "\(yaml)")
        #expect(!yaml.contains("manager: flux"), "flux lost its only field to the forced apply")
    }

    @Test("get secrets -l and --field-selector select the right objects", arguments: Kubectl.available)
    func selectors(kubectl: Kubectl) async throws {
        let sandbox = try await KubectlSandbox.start(kubectl)
        defer { Task { await sandbox.stop() } }
        try await sandbox.kubectl("create", "secret", "generic", "a", "--from-literal=k=v")
        try await sandbox.kubectl("create", "secret", "generic", "b", "--from-literal=k=v")
        try await sandbox.kubectl("create", "secret", "generic", "c", "--type=kubernetes.io/tls", "--from-literal=tls.crt=fake", "--from-literal=tls.key=fake")
        try await sandbox.kubectl("label", "secret", "a", "tier=frontend")
        try await sandbox.kubectl("label", "secret", "b", "tier=backend")
        func names(_ result: Kubectl.Result) -> [String] { tableRows(result.stdout).dropFirst().map { $0[0] } }
        #expect(names(try await sandbox.kubectl("get", "secrets", "-l", "tier=frontend")) == ["a"])
        #expect(names(try await sandbox.kubectl("get", "secrets", "-l", "tier in (frontend,backend)")) == ["a", "b"])
        #expect(names(try await sandbox.kubectl("get", "secrets", "-l", "!tier")) == ["c"])
        #expect(names(try await sandbox.kubectl("get", "secrets", "--field-selector", "type=kubernetes.io/tls")) == ["c"])
        #expect(names(try await sandbox.kubectl("get", "secrets", "--field-selector", "metadata.name!=a,type=Opaque")) == ["b"])
        let unsupported = try await sandbox.kubectlFailing("get", "secrets", "--field-selector", "data.k=v")
        #expect(unsupported.stderr.contains("field label not supported: data.k"))
    }

    @Test("get --chunk-size=2 pages through many secrets and prints them all once", arguments: Kubectl.available)
    func chunkedList(kubectl: Kubectl) async throws {
        let sandbox = try await KubectlSandbox.start(kubectl)
        defer { Task { await sandbox.stop() } }
        let names = (1...7).map { "s\($0)" }
        for name in names { try await sandbox.kubectl("create", "secret", "generic", name, "--from-literal=k=v") }
        let before = sandbox.emulator.faults.requestCount(verb: "list", resource: "secrets")
        let rows = tableRows(try await sandbox.kubectl("get", "secrets", "--chunk-size=2").stdout)
        #expect(rows.filter { $0.first == "NAME" }.count == 1)
        #expect(rows.dropFirst().map { $0[0] } == names)
        let requests = sandbox.emulator.faults.requestCount(verb: "list", resource: "secrets") - before
        #expect(requests == 4, "7 objects in pages of 2 take 4 list requests, saw \(requests)")
    }

    @Test("api-resources lists built-in types and registered CRDs", arguments: Kubectl.available)
    func apiResources(kubectl: Kubectl) async throws {
        let sandbox = try await KubectlSandbox.start(kubectl)
        defer { Task { await sandbox.stop() } }
        try await sandbox.kubectl("apply", "-f", "-", stdin: widgetCRD)
        let rows = tableRows(try await sandbox.kubectl("api-resources").stdout)
        #expect(rows.first == ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"])
        #expect(rows.contains(["secrets", "v1", "true", "Secret"]))
        #expect(rows.contains(["namespaces", "ns", "v1", "false", "Namespace"]))
        #expect(rows.contains(["leases", "coordination.k8s.io/v1", "true", "Lease"]))
        #expect(rows.contains(["widgets", "wd", "example.com/v1", "true", "Widget"]))
        // The discovery roots answer with a trailing slash too (the Python client's
        // `get_api_versions()` asks for `/api/` and `/apis/`), the same documents.
        #expect(try await sandbox.kubectl("get", "--raw", "/apis/").stdout == (try await sandbox.kubectl("get", "--raw", "/apis").stdout))
        #expect(try await sandbox.kubectl("get", "--raw", "/api/").stdout.contains(#""kind":"APIVersions""#))
    }

    @Test("delete removes an object; delete ns removes what was in it", arguments: Kubectl.available)
    func delete(kubectl: Kubectl) async throws {
        let sandbox = try await KubectlSandbox.start(kubectl)
        defer { Task { await sandbox.stop() } }
        try await sandbox.kubectl("create", "ns", "shop")
        try await sandbox.kubectl("apply", "-f", "-", stdin: widgetCRD)
        try await sandbox.kubectl("-n", "shop", "create", "secret", "generic", "a", "--from-literal=k=v")
        try await sandbox.kubectl("-n", "shop", "create", "secret", "generic", "b", "--from-literal=k=v")
        try await sandbox.kubectl("apply", "-f", "-", stdin: widget("w1", namespace: "shop", size: 1))
        #expect(try await sandbox.kubectl("-n", "shop", "delete", "secret", "a").stdout.contains("secret \"a\" deleted"))
        #expect(try await sandbox.kubectlFailing("-n", "shop", "get", "secret", "a").stderr.contains("secrets \"a\" not found"))
        #expect(try await sandbox.kubectl("delete", "ns", "shop").stdout.contains("namespace \"shop\" deleted"))
        #expect(try await sandbox.kubectlFailing("get", "ns", "shop").stderr.contains("namespaces \"shop\" not found"))
        let secrets = try await sandbox.kubectl("get", "secrets", "-A")
        #expect(!secrets.stdout.contains(" b "))
        #expect(try await sandbox.kubectl("get", "widgets", "-A").stderr.contains("No resources found"))
    }

    @Test("every namespace has a default ServiceAccount, and create token issues a JWT for it", arguments: Kubectl.available)
    func serviceAccountToken(kubectl: Kubectl) async throws {
        let sandbox = try await KubectlSandbox.start(kubectl)
        defer { Task { await sandbox.stop() } }
        try await sandbox.kubectl("create", "ns", "shop")
        let accounts = tableRows(try await sandbox.kubectl("-n", "shop", "get", "sa").stdout)
        #expect(accounts.dropFirst().map { $0[0] } == ["default"])
        let token = try await sandbox.kubectl("-n", "shop", "create", "token", "default", "--audience", "vault", "--duration", "15m")
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = token.split(separator: ".")
        #expect(parts.count == 3)
        var payload = String(parts.count > 1 ? parts[1] : "").replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while payload.count % 4 != 0 { payload += "=" }
        let claims = try #require(Data(base64Encoded: payload).flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] })
        #expect(claims["sub"] as? String == "system:serviceaccount:shop:default")
        #expect(claims["aud"] as? [String] == ["vault"])
        let lifetime = ((claims["exp"] as? Double) ?? 0) - ((claims["iat"] as? Double) ?? 0)
        #expect(lifetime == 900)
    }

    @Test("auth can-i as a ServiceAccount (its token, or --as): no until a RoleBinding to edit, then yes in that namespace only", arguments: Kubectl.available)
    func authCanI(kubectl: Kubectl) async throws {
        let sandbox = try await KubectlSandbox.start(kubectl)
        defer { Task { await sandbox.stop() } }
        try await sandbox.kubectl("create", "ns", "shop")
        try await sandbox.kubectl("-n", "shop", "create", "serviceaccount", "robot")
        let token = try await sandbox.kubectl("-n", "shop", "create", "token", "robot").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        // The admin kubeconfig with the ServiceAccount's token in place of the admin's.
        let robotConfig = "\(sandbox.directory)/robot-kubeconfig"
        let adminConfig = try String(contentsOfFile: sandbox.kubeconfig, encoding: .utf8)
        try adminConfig.replacingOccurrences(of: sandbox.emulator.adminToken, with: token).write(toFile: robotConfig, atomically: true, encoding: .utf8)
        func canI(_ arguments: String...) async throws -> Kubectl.Result {
            try await kubectl.run(["auth", "can-i"] + arguments, kubeconfig: robotConfig, home: sandbox.directory)
        }
        let before = try await canI("list", "secrets", "-n", "shop")
        #expect(before.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "no")
        #expect(!before.succeeded)
        // The admin asks on the robot's behalf (impersonation, as `--as` sends it).
        let impersonated = try await kubectl.run(
            ["auth", "can-i", "list", "secrets", "-n", "shop", "--as=system:serviceaccount:shop:robot"], kubeconfig: sandbox.kubeconfig, home: sandbox.directory)
        #expect(impersonated.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "no")
        // The robot may not impersonate anyone.
        let escalation = try await kubectl.run(["get", "secrets", "-n", "shop", "--as=admin"], kubeconfig: robotConfig, home: sandbox.directory)
        #expect(escalation.stderr.contains("users \"admin\" is forbidden: User \"system:serviceaccount:shop:robot\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope"))
        try await sandbox.kubectl("-n", "shop", "create", "rolebinding", "robot-edit", "--clusterrole=edit", "--serviceaccount=shop:robot")
        let after = try await canI("list", "secrets", "-n", "shop")
        #expect(after.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "yes")
        #expect(after.succeeded)
        let impersonatedAfter = try await sandbox.kubectl("auth", "can-i", "list", "secrets", "-n", "shop", "--as=system:serviceaccount:shop:robot")
        #expect(impersonatedAfter.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "yes")
        #expect(try await canI("list", "secrets", "-n", "default").stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "no")
        let denied = try await kubectl.run(["get", "secrets", "-n", "default"], kubeconfig: robotConfig, home: sandbox.directory)
        #expect(denied.stderr.contains("secrets is forbidden: User \"system:serviceaccount:shop:robot\" cannot list resource \"secrets\" in API group \"\" in the namespace \"default\""))
    }

    @Test("the committed Rotor CRDs apply, and kubectl get es prints their columns", arguments: Kubectl.available)
    func rotorCRDs(kubectl: Kubectl) async throws {
        let sandbox = try await KubectlSandbox.start(kubectl)
        defer { Task { await sandbox.stop() } }
        let crds = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../manifests/crds").standardized.path
        let applied = try await sandbox.kubectl("apply", "-f", crds)
        #expect(applied.stdout.contains("customresourcedefinition.apiextensions.k8s.io/externalsecrets.rotor.dev created"))
        let store = """
            apiVersion: rotor.dev/v1alpha1
            kind: SecretStore
            metadata: {name: fake, namespace: default}
            spec:
              provider:
                fake:
                  data:
                  - {key: db/password, value: not-a-real-secret, version: "1"}
            ---
            apiVersion: rotor.dev/v1alpha1
            kind: ExternalSecret
            metadata: {name: db, namespace: default}
            spec:
              secretStoreRef: {name: fake, kind: SecretStore}
              refreshInterval: 1h
              target: {name: db-credentials}
              data:
              - secretKey: password
                remoteRef: {key: db/password}

            """
        try await sandbox.kubectl("apply", "-f", "-", stdin: store)
        let rows = tableRows(try await sandbox.kubectl("get", "es").stdout)
        #expect(rows.first == ["NAME", "STORE", "REFRESH", "STATUS", "READY", "ROTATION", "AGE"])
        #expect(rows.dropFirst().first?.prefix(3) == ["db", "fake", "1h"])
        let defaults = try await sandbox.kubectl("get", "es", "db", "-o", "jsonpath={.spec.refreshPolicy} {.spec.target.creationPolicy}").stdout
        #expect(defaults == "Periodic Owner", "schema defaults are applied by the API server (under objects that are present)")
        let shortNames = try await sandbox.kubectl("get", "ss,css").stdout
        #expect(shortNames.contains("secretstore.rotor.dev/fake"))
    }
}
