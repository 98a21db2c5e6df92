import EmulatorTestSupport
import Foundation
import ProcessTestSupport
import JSONCore
import KubeAPI
import KubeClient
import KubernetesEmulator
import RotorAPI
import Testing
import VaultEmulator

/// The chart's RBAC, proven least: `rotor run`, with the Deployment's args and the chart's
/// ServiceAccount token, runs a scenario touching everything the operator does, against the
/// emulator with RBAC and OpenShift's owner-references admission plugin on. The checks are
/// named so a run that a missing rule breaks says which behaviour broke.
struct LeastPrivilegeScenario {
    /// The two ways the chart grants: one ClusterRole for every namespace, or a Role per
    /// watched namespace (`rbac.namespaced`).
    enum Mode: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case clusterWide = "default RBAC"
        case namespaced = "rbac.namespaced"

        var helmArguments: [String] {
            switch self {
            case .clusterWide: []
            case .namespaced: ["--set", "rbac.namespaced=true", "--set", "namespaces={shop}"]
            }
        }
        var testDescription: String { rawValue }
    }

    /// One chart role (ClusterRole or Role), identified as the authorization log names it.
    struct Role: Hashable, Sendable, CustomStringConvertible {
        var kind: String
        var name: String
        var namespace: String?
        var description: String { namespace.map { "\(kind) \($0)/\(name)" } ?? "\(kind) \(name)" }
    }

    /// What one run showed.
    struct Outcome: Sendable {
        /// Every check, in order, with whether it passed; a run stops at its first failure
        /// when asked to.
        var checks: [(name: String, passed: Bool)] = []
        var failedCheck: String? { checks.first { !$0.passed }?.name }
        /// The operator's log, and what it reported in conditions and Events.
        var output = ""
        var reported = ""
        /// Whether the operator had stopped before the run told it to (SIGTERM).
        var stoppedOnItsOwn = false
        var exitStatus: Int32?
        var killedBySignal = false
        /// Stopped only when told, and then cleanly (exit 0, or SIGTERM's default action
        /// while it was still starting).
        var stoppedCleanly: Bool { !stoppedOnItsOwn && (exitStatus == 0 || (killedBySignal && exitStatus == SIGTERM)) }
        var entries: [AuthorizationLog.Entry] = []
        var denials: [AuthorizationLog.Denial] = []
    }

    static let operatorNamespace = "rotor-system"
    static let namespace = "shop"
    static let podName = "rotor-7d9f8-abcde"

    let mode: Mode
    let objects: [JSONValue]
    let executable: String

    /// The chart's ClusterRoles and Roles, as rendered.
    var roles: [(role: Role, rules: [JSONValue])] {
        (InstallManifestsTests.only("ClusterRole", in: objects) + InstallManifestsTests.only("Role", in: objects)).map { object in
            let kind = object["kind"]?.stringValue ?? ""
            let role = Role(
                kind: kind, name: object[path: ["metadata", "name"]]?.stringValue ?? "",
                namespace: kind == "Role" ? object[path: ["metadata", "namespace"]]?.stringValue ?? Self.operatorNamespace : nil)
            return (role, object["rules"]?.arrayValue ?? [])
        }
    }

    /// The rendered objects with rule `index` of `role` removed.
    func without(rule index: Int, of role: Role) -> [JSONValue] {
        objects.map { object in
            guard object["kind"]?.stringValue == role.kind, object[path: ["metadata", "name"]]?.stringValue == role.name,
                role.namespace == nil || object[path: ["metadata", "namespace"]]?.stringValue ?? Self.operatorNamespace == role.namespace,
                var rules = object["rules"]?.arrayValue, var edited = object.objectValue
            else { return object }
            rules.remove(at: index)
            edited["rules"] = .array(rules)
            return .object(edited)
        }
    }

    var operatorUser: String {
        "system:serviceaccount:\(Self.operatorNamespace):\(InstallManifestsTests.serviceAccountName(objects))"
    }

    // MARK: Running

    /// Runs the scenario with `rbacObjects` applied (the chart's, or a variant); with
    /// `stopAtFirstFailure`, the run ends at the first check that fails or that sees the
    /// operator report a refusal.
    func run(rbacObjects: [JSONValue], stopAtFirstFailure: Bool, timeout: Duration = .seconds(30)) async throws -> Outcome {
        let container = try #require(
            InstallManifestsTests.only("Deployment", in: objects).first?[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first)
        let args = (container["args"]?.arrayValue ?? []).compactMap(\.stringValue)
            .map { $0.hasPrefix("--health-address=") ? "--health-address=127.0.0.1:0" : $0 }
        var outcome = Outcome()
        try await EmulatedCluster.with({ $0.ownerReferencesPermissionEnforcement = true }) { cluster in
            let client = cluster.client
            let vault = try await Self.startVault(kubernetes: cluster.emulator)
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rotor-least-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            do {
                try await Self.createWorld(client: client, vault: vault)
                let token = try await InstallManifestsTests.applyChartIdentity(rbacObjects, to: client)
                let kubeconfig = directory.appendingPathComponent("kubeconfig").path
                try Self.writeKubeconfig(cluster, token: token, to: kubeconfig)
                let (process, output) = try RotorDevCommandTests.launch(
                    executable, args + ["--kubeconfig", kubeconfig],
                    environment: ["POD_NAMESPACE": Self.operatorNamespace, "POD_NAME": Self.podName])
                defer {
                    if process.isRunning { process.terminate() }
                    process.waitUntilExit()
                }
                let world = World(client: client, vault: vault, output: output, process: process)
                for check in Self.checks {
                    let passed = await Self.poll(timeout: timeout) {
                        if await check.passes(world) { return true }
                        // A refusal ends the wait for a run that expects one (it is the answer).
                        if stopAtFirstFailure && (world.refusalReported || !process.isRunning) { return true }
                        return false
                    }
                    let held = passed ? await check.passes(world) : false
                    outcome.checks.append((check.name, held))
                    if !held && stopAtFirstFailure { break }
                }
                outcome.reported = await world.reports()
                outcome.stoppedOnItsOwn = !process.isRunning
                if process.isRunning { process.terminate() }
                let termination = await process.exit()
                outcome.exitStatus = termination.status
                outcome.killedBySignal = termination.bySignal
                // JSON log lines escape quotes: unescaped, they read as the API server wrote them.
                outcome.output = output.text.replacingOccurrences(of: "\\\"", with: "\"")
            } catch {
                await vault.shutdown()
                throw error
            }
            await vault.shutdown()
            outcome.entries = cluster.emulator.authorizations.all.filter { $0.user == operatorUser }
            outcome.denials = cluster.emulator.authorizations.denials.filter { $0.user == operatorUser }
        }
        return outcome
    }

    /// Whether `condition` holds within `timeout`, asked every 50 ms (the checks make API calls).
    static func poll(timeout: Duration, _ condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return await condition()
    }

    /// The admin kubeconfig with the ServiceAccount's token in place of the admin's.
    static func writeKubeconfig(_ cluster: EmulatedCluster, token: String, to path: String) throws {
        try cluster.emulator.writeKubeconfig(to: path)
        let adminConfig = try String(contentsOfFile: path, encoding: .utf8)
        try FileManager.default.removeItem(atPath: path)
        FileManager.default.createFile(
            atPath: path, contents: Data(adminConfig.replacingOccurrences(of: cluster.emulator.adminToken, with: token).utf8),
            attributes: [.posixPermissions: 0o600])
    }

    // MARK: The world the operator finds

    static let vaultServiceAccount = "vault-reader"

    /// A Vault set up as a platform team sets it up for Rotor: KV v2 at `secret/`, the
    /// kubernetes auth method reviewing tokens with the cluster, a role for `shop/vault-reader`.
    static func startVault(kubernetes: KubernetesEmulator) async throws -> VaultEmulator {
        var configuration = VaultEmulator.Configuration()
        configuration.logger.logLevel = .critical
        let vault = try await VaultEmulator.start(configuration)
        let steps: [(String, String, JSONValue)] = [
            ("PUT", "sys/policies/acl/shop", ["policy": #"path "secret/data/shop/*" { capabilities = ["read", "create", "update"] }"#]),
            ("POST", "sys/auth/kubernetes", ["type": "kubernetes"]),
            ("POST", "auth/kubernetes/config", [
                "kubernetes_host": .string(kubernetes.url), "kubernetes_ca_cert": .string(kubernetes.caCertificatePEM ?? ""),
                "token_reviewer_jwt": .string(kubernetes.adminToken),
            ]),
            ("POST", "auth/kubernetes/role/shop", [
                "bound_service_account_names": [.string(vaultServiceAccount)], "bound_service_account_namespaces": [.string(namespace)],
                "audience": "vault", "token_policies": ["shop"], "token_ttl": "1h",
            ]),
        ]
        for (method, path, body) in steps {
            let (status, _) = await vault.request(method, path, body: body)
            #expect((200..<300).contains(status), "configuring Vault: \(method) \(path) answered \(status)")
        }
        await vault.write(["password": "least-v1"], to: "shop/db")
        return vault
    }

    /// Namespaces, CRDs, the workloads to restart, the stores and the ExternalSecrets.
    static func createWorld(client: HTTPKubernetesClient, vault: VaultEmulator) async throws {
        for name in [operatorNamespace, namespace] {
            _ = try await client.create(
                RotorRunCommandTests.namespaces, namespace: nil,
                body: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name), "labels": ["team": .string(name)]]])
        }
        for definition in RotorCRDs.all { _ = try await client.create(RotorRunCommandTests.crds, namespace: nil, body: definition.object) }
        _ = try await client.create(
            ServiceAccount(metadata: ObjectMeta(name: vaultServiceAccount, namespace: namespace)), namespace: namespace)
        for (kind, type) in workloadTypes {
            let spec = #"{"selector":{"matchLabels":{"app":"w"}},"template":{"metadata":{"labels":{"app":"w"}},"spec":{"containers":[{"name":"w","image":"w:1"}]}}}"#
            let body = try JSONValue(parsing: #"{"apiVersion":"apps/v1","kind":"\#(kind)","metadata":{"name":"w"},"spec":\#(spec)}"#)
            _ = try await client.create(type, namespace: namespace, body: body)
        }
        var source = Secret(metadata: ObjectMeta(name: "push-source", namespace: namespace))
        source.data = ["token": Data("least-pushed".utf8)]
        _ = try await client.create(source)
        let ca = Data((vault.caCertificatePEM ?? "").utf8).base64EncodedString()
        let yaml = [
            #"{"apiVersion":"rotor.dev/v1alpha1","kind":"SecretStore","metadata":{"name":"vault","namespace":"shop"},"spec":{"provider":{"vault":{"server":"\#(vault.url)","path":"secret","version":"v2","caBundle":"\#(ca)","auth":{"kubernetes":{"mountPath":"kubernetes","role":"shop","serviceAccountRef":{"name":"\#(vaultServiceAccount)","audiences":["vault"]}}}}}}}"#,
            #"{"apiVersion":"rotor.dev/v1alpha1","kind":"ClusterSecretStore","metadata":{"name":"shared"},"spec":{"conditions":[{"namespaceSelector":{"matchLabels":{"team":"shop"}}}],"provider":{"fake":{"data":[{"key":"k","value":"least-shared","version":"1"}]}}}}"#,
            #"{"apiVersion":"rotor.dev/v1alpha1","kind":"ExternalSecret","metadata":{"name":"db","namespace":"shop"},"spec":{"secretStoreRef":{"name":"vault"},"refreshInterval":"1s","rotation":{"gracePeriod":"2s","restartTargets":[{"kind":"Deployment","name":"w"},{"kind":"StatefulSet","name":"w"},{"kind":"DaemonSet","name":"w"}]},"data":[{"secretKey":"password","remoteRef":{"key":"shop/db","property":"password"}}]}}"#,
            #"{"apiVersion":"rotor.dev/v1alpha1","kind":"ExternalSecret","metadata":{"name":"shared","namespace":"shop"},"spec":{"secretStoreRef":{"name":"shared","kind":"ClusterSecretStore"},"refreshInterval":"1s","target":{"deletionPolicy":"Delete"},"data":[{"secretKey":"k","remoteRef":{"key":"k"}}]}}"#,
            #"{"apiVersion":"rotor.dev/v1alpha1","kind":"PushSecret","metadata":{"name":"push","namespace":"shop"},"spec":{"secretStoreRef":{"name":"vault"},"selector":{"secret":{"name":"push-source"}},"refreshInterval":"1h","deletionPolicy":"Delete","data":[{"match":{"secretKey":"token","remoteRef":{"remoteKey":"shop/pushed"}}}]}}"#,
            #"{"apiVersion":"rotor.dev/v1alpha1","kind":"ClusterExternalSecret","metadata":{"name":"fanout"},"spec":{"namespaceSelectors":[{"matchLabels":{"team":"shop"}}],"externalSecretSpec":{"secretStoreRef":{"name":"shared","kind":"ClusterSecretStore"},"refreshInterval":"1h","data":[{"secretKey":"k","remoteRef":{"key":"k"}}]}}}"#,
            #"{"apiVersion":"rotor.dev/v1alpha1","kind":"ExternalSecret","metadata":{"name":"broken","namespace":"shop"},"spec":{"secretStoreRef":{"name":"shared","kind":"ClusterSecretStore"},"refreshInterval":"1h","data":[{"secretKey":"x","remoteRef":{"key":"no/such/key"}}]}}"#,
        ]
        for json in yaml {
            let object = try JSONValue(parsing: json)
            switch object["kind"]?.stringValue {
            case "SecretStore": _ = try await client.create(SecretStore.resourceType, namespace: namespace, body: object)
            case "ClusterSecretStore": _ = try await client.create(ClusterSecretStore.resourceType, namespace: nil, body: object)
            case "ClusterExternalSecret": _ = try await client.create(ClusterExternalSecret.resourceType, namespace: nil, body: object)
            case "PushSecret": _ = try await client.create(PushSecret.resourceType, namespace: namespace, body: object)
            default: _ = try await client.create(ExternalSecret.resourceType, namespace: namespace, body: object)
            }
        }
    }

    static let workloadTypes: [(String, ResourceType)] = [
        ("Deployment", Deployment.resourceType), ("StatefulSet", StatefulSet.resourceType), ("DaemonSet", DaemonSet.resourceType),
    ]

    /// What the checks read and act on.
    struct World: Sendable {
        let client: HTTPKubernetesClient
        let vault: VaultEmulator
        let output: OutputCollector
        let process: Subprocess
        let done = Steps()

        /// Steps a check takes once, however often it is asked.
        final class Steps: @unchecked Sendable {
            private var taken: Set<String> = []
            private let lock = NSLock()
            /// True the first time `step` is named.
            func first(_ step: String) -> Bool { lock.withLock { taken.insert(step).inserted } }
        }

        /// The operator said a request was refused (its log; conditions and Events are
        /// gathered at the end of a run).
        var refusalReported: Bool { output.text.localizedCaseInsensitiveContains("forbidden") }

        func secretData(_ name: String) async -> [String: String]? {
            guard let secret = try? await client.get(Secret.self, namespace: LeastPrivilegeScenario.namespace, name: name) else { return nil }
            return (secret.data ?? [:]).mapValues { String(decoding: $0, as: UTF8.self) }
        }

        func isReady(_ type: ResourceType, _ name: String, namespace: String?) async -> Bool {
            let object = try? await client.get(type, namespace: namespace, name: name)
            return object?[path: ["status", "conditions"]]?.arrayValue?.contains {
                $0["type"]?.stringValue == "Ready" && $0["status"]?.stringValue == "True"
            } == true
        }

        func leaseRenewTime() async -> String? {
            let lease = try? await client.get(RotorRunCommandTests.leases, namespace: LeastPrivilegeScenario.operatorNamespace, name: "rotor-leader")
            guard lease?[path: ["spec", "holderIdentity"]]?.stringValue?.hasPrefix("\(LeastPrivilegeScenario.podName)_") == true else { return nil }
            return lease?[path: ["spec", "renewTime"]]?.stringValue
        }

        /// Conditions of the stores and ExternalSecrets, and the Events in the namespace.
        func reports() async -> String {
            var lines: [String] = []
            let lists: [(ResourceType, String?)] = [
                (ExternalSecret.resourceType, LeastPrivilegeScenario.namespace), (SecretStore.resourceType, LeastPrivilegeScenario.namespace),
                (ClusterSecretStore.resourceType, nil),
            ]
            for (type, namespace) in lists {
                for item in (try? await client.list(type, namespace: namespace))?["items"]?.arrayValue ?? [] {
                    for condition in item[path: ["status", "conditions"]]?.arrayValue ?? [] {
                        lines.append("\(type.kind) \(item[path: ["metadata", "name"]]?.stringValue ?? ""): \(condition["reason"]?.stringValue ?? "") \(condition["message"]?.stringValue ?? "")")
                    }
                }
            }
            for event in (try? await client.list(ResourceTypes.events, namespace: LeastPrivilegeScenario.namespace))?["items"]?.arrayValue ?? [] {
                lines.append("Event \(event["reason"]?.stringValue ?? ""): \(event["message"]?.stringValue ?? "")")
            }
            return lines.joined(separator: "\n")
        }
    }

    // MARK: The checks

    /// A named check: `passes` looks (and may act, as a user or a controller would).
    struct Check: Sendable {
        var name: String
        var passes: @Sendable (World) async -> Bool
    }

    static let checks: [Check] = [
        Check(name: "the operator takes the leader Lease") { await $0.leaseRenewTime() != nil },
        Check(name: "the fingerprint key is kept in the operator's namespace") { world in
            (try? await world.client.get(Secret.self, namespace: operatorNamespace, name: "rotor-fingerprint-key")) != nil
        },
        Check(name: "a Vault store with kubernetes auth (TokenRequest) syncs") { await $0.secretData("db")?["password"] == "least-v1" },
        Check(name: "a PushSecret writes a Secret's key to Vault through the namespace's store") { world in
            let (_, body) = await world.vault.request("GET", "secret/data/shop/pushed")
            let ps = try? await world.client.get(PushSecret.self, namespace: namespace, name: "push")
            return body?[path: ["data", "data", "token"]]?.stringValue == "least-pushed" && ps?.status?.conditions?.first?.reason == "Synced"
                && ps?.metadata.finalizers == [PushSecret.cleanupFinalizer]
        },
        Check(name: "a ClusterSecretStore syncs into a namespace its condition admits") { await $0.secretData("shared")?["k"] == "least-shared" },
        Check(name: "a ClusterExternalSecret provisions an ExternalSecret and its Secret into the namespace it selects") { world in
            let ces = try? await world.client.get(ClusterExternalSecret.self, namespace: nil, name: "fanout")
            return await world.secretData("fanout")?["k"] == "least-shared" && ces?.status?.provisionedNamespaces == [namespace]
        },
        Check(name: "stores and ExternalSecrets report Ready in their status") { world in
            let ready = [
                await world.isReady(SecretStore.resourceType, "vault", namespace: namespace),
                await world.isReady(ClusterSecretStore.resourceType, "shared", namespace: nil),
                await world.isReady(ExternalSecret.resourceType, "db", namespace: namespace),
                await world.isReady(ExternalSecret.resourceType, "shared", namespace: namespace),
            ]
            return !ready.contains(false)
        },
        Check(name: "a failing ExternalSecret gets a Warning Event, and a repeat counts on it") { world in
            let events = (try? await world.client.list(ResourceTypes.events, namespace: namespace))?["items"]?.arrayValue ?? []
            let warning = events.first { $0[path: ["involvedObject", "name"]]?.stringValue == "broken" && $0["type"]?.stringValue == "Warning" }
            guard let warning else { return false }
            if (warning["count"]?.intValue ?? 1) >= 2 { return true }
            // Ask for another sync, as `kubectl annotate … rotor.dev/force-sync` does: the same Warning again.
            guard world.done.first("force-sync") else { return false }
            _ = try? await world.client.patch(
                ExternalSecret.self, namespace: namespace, name: "broken",
                patch: .merge(["metadata": ["annotations": ["rotor.dev/force-sync": .string(UUID().uuidString)]]]))
            return false
        },
        Check(name: "a new Vault version rotates with overlap and rolls every restart target") { world in
            if world.done.first("vault v2") { await world.vault.write(["password": "least-v2"], to: "shop/db") }
            guard let data = await world.secretData("db"), data["password"] == "least-v2", data["password_previous"] == "least-v1" else { return false }
            for (_, type) in workloadTypes {
                let workload = try? await world.client.get(type, namespace: namespace, name: "w")
                guard workload?[path: ["spec", "template", "metadata", "annotations", "rotor.dev/restartedAt"]] != nil else { return false }
            }
            return true
        },
        Check(name: "the previous value goes once the rollouts completed and the grace period ended") { world in
            // Play the workload controllers: every rollout completes.
            for (_, type) in workloadTypes {
                guard let workload = try? await world.client.get(type, namespace: namespace, name: "w"), var object = workload.objectValue else { return false }
                object["status"] = [
                    "observedGeneration": workload[path: ["metadata", "generation"]] ?? 1, "replicas": 1, "updatedReplicas": 1, "readyReplicas": 1,
                    "availableReplicas": 1, "currentNumberScheduled": 1, "desiredNumberScheduled": 1, "updatedNumberScheduled": 1, "numberAvailable": 1,
                    "numberReady": 1, "currentReplicas": 1, "updateRevision": "r", "currentRevision": "r",
                ]
                _ = try? await world.client.update(type, namespace: namespace, name: "w", body: .object(object), subresource: "status")
            }
            guard let data = await world.secretData("db") else { return false }
            return data["password"] == "least-v2" && data["password_previous"] == nil
        },
        Check(name: "deletionPolicy Delete deletes the Secret when its remote key is gone") { world in
            if world.done.first("remote key gone") {
                _ = try? await world.client.patch(
                    ClusterSecretStore.self, namespace: nil, name: "shared",
                    patch: .merge(["spec": ["provider": ["fake": ["data": [["key": "other", "value": "x", "version": "1"]]]]]]))
            }
            let secret = try? await world.client.get(Secret.self, namespace: namespace, name: "shared")
            let externalSecret = try? await world.client.get(ExternalSecret.self, namespace: namespace, name: "shared")
            return secret == nil && externalSecret != nil
        },
        Check(name: "a namespace the ClusterExternalSecret no longer selects loses its ExternalSecret") { world in
            if world.done.first("deselect") {
                _ = try? await world.client.patch(
                    ClusterExternalSecret.self, namespace: nil, name: "fanout",
                    patch: .merge(["spec": ["namespaceSelectors": [["matchLabels": ["team": "nobody"]]]]]))
            }
            let es = try? await world.client.get(ExternalSecret.self, namespace: namespace, name: "fanout")
            let ces = try? await world.client.get(ClusterExternalSecret.self, namespace: nil, name: "fanout")
            return es == nil && ces?.status?.provisionedNamespaces == []
        },
        Check(name: "the leader renews its Lease") { world in
            guard let first = await world.leaseRenewTime() else { return false }
            try? await Task.sleep(for: .milliseconds(2500))
            guard let later = await world.leaseRenewTime() else { return false }
            return later != first
        },
    ]
}
