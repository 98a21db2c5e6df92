import AWSProvider
import Crypto
import EmulatorTestSupport
import FakeProvider
import Foundation
import KubeClient
import KubeRuntime
import NIOConcurrencyHelpers
import JSONCore
import KubeAPI
import RotorAPI
import RotorOperator
import SecretProviders
import Testing
import VaultProvider

/// The ExternalSecret reconciler itself, against the API emulator and the fake provider,
/// on a few hundred generated cases (the planners see ten thousand in
/// `HostileSpecPropertyTests`): each case's Secret is seeded where the generator put one,
/// its ExternalSecret created through the API (which may refuse it, as a real API server's
/// schema would) and reconciled once; then the cluster is looked at.
@Suite("Hostile input: generated specs through the reconciler")
struct HostileReconcileTests {
    @Test("300 generated ExternalSecrets reconciled against the API: no trap, no partial Secret, invalid specs named")
    func generatedSpecsThroughTheReconciler() async throws {
        let seed = FuzzRandom.runSeed(default: 0xE2E_13)
        let cases = 300
        print("hostile reconciles: seed \(seed), \(cases) cases")
        try await EmulatedCluster.with { cluster in
            let client = cluster.client
            for definition in RotorCRDs.shipped {
                _ = try await client.create(ExternalSecretControllerTests.crds, namespace: nil, body: definition.object)
            }
            let secretStores = Store<SecretStore>(key: { ObjectKey(of: $0) })
            let clusterStores = Store<ClusterSecretStore>(key: { ObjectKey(of: $0) })
            let events = EventRecorder(client: client, configuration: .init(reportingComponent: "rotor", reportingInstance: "fuzz"))
            // No request leaves the machine: AWS answers nothing (a scripted transport with no
            // answer), Vault stores name loopback or nothing valid.
            var awsOptions = AWSProviderOptions()
            awsOptions.transport = ScriptedAWSTransport()
            awsOptions.callPolicy = AWSCallPolicy(maxAttempts: 1)
            let providers = StoreProviders(
                registry: ProviderRegistry([VaultProviderFactory(), AWSProviderFactory(options: awsOptions, environment: { [:] }), FakeProviderFactory()]))
            let reconciler = ExternalSecretReconciler(
                client: client, providers: providers, secretStores: secretStores, clusterSecretStores: clusterStores,
                events: events, fingerprintKey: SymmetricKey(data: Array(repeating: UInt8(7), count: 32)))
            var tally: [String: Int] = [:]
            var failures: [String] = []
            for index in 0..<cases {
                let c = SpecCaseGenerator.make(seed: FuzzRandom.caseSeed(run: seed, index: index))
                if FuzzRandom.tracing { print("reconcile case \(index): \(c)") }
                let problems = try await Self.check(c, client: client, reconciler: reconciler, secretStores: secretStores, tally: &tally)
                if !problems.isEmpty, failures.count < 8 { failures.append("run seed \(seed) case \(index): \(c) — \(problems.joined(separator: " / "))") }
            }
            print("hostile reconciles: \(tally.sorted { $0.key < $1.key })")
            #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
            #expect((tally["synced"] ?? 0) > cases / 5, "valid cases still sync end to end")
            #expect((tally["failed"] ?? 0) > cases / 10)
        }
    }

    /// Runs one case and returns what is wrong.
    static func check(
        _ c: SpecCase, client: HTTPKubernetesClient, reconciler: ExternalSecretReconciler, secretStores: Store<SecretStore>,
        tally: inout [String: Int]
    ) async throws -> [String] {
        let namespace = SpecCase.namespace
        var problems: [String] = []
        _ = await secretStores.apply(.applied(c.store))
        // The Secret found at the target name, as the API holds it.
        var seeded: Secret?
        if let existing = c.existing {
            seeded = try? await client.create(existing)
        }
        // The ExternalSecret through the API; its schema may refuse it.
        var json: JSONValue
        do {
            var fresh = c.externalSecret
            fresh.metadata.uid = nil
            fresh.metadata.generation = nil
            json = try JSONValue(encoding: fresh)
            for change in c.wire { change(&json) }
            _ = try await client.create(ExternalSecret.resourceType, namespace: namespace, body: json)
        } catch {
            tally["refused by the API", default: 0] += 1
            return []
        }
        let name = c.externalSecret.metadata.name ?? ""
        guard let es = try? await client.get(ExternalSecret.self, namespace: namespace, name: name) else {
            tally["undecodable", default: 0] += 1
            return []
        }
        let targetName = es.targetSecretName
        let before = targetName == seeded?.metadata.name ? seeded : try? await client.get(Secret.self, namespace: namespace, name: targetName)
        var thrown: (any Error)?
        do {
            _ = try await reconciler.reconcile(ObjectKey(of: es), es)
        } catch {
            thrown = error
        }
        let after = try? await client.get(Secret.self, namespace: namespace, name: targetName)
        let status = try? await client.get(ExternalSecret.self, namespace: namespace, name: name).status
        let ready = status?.conditions?.first { $0.type == ExternalSecretConditions.ready }
        let changed = after?.data != before?.data || (before == nil) != (after == nil)
        let expected = await PurePipeline.run(c, providers: StoreProviders())
        if ready?.status == .true {
            tally["synced", default: 0] += 1
        } else if ready?.status == .false {
            tally["failed", default: 0] += 1
        } else {
            tally["no condition (\(thrown.map { "\(type(of: $0))" } ?? "nothing thrown"))", default: 0] += 1
        }

        // Never partial: a Secret written holds every rendered key with its value.
        if changed, let after {
            if case .write(_, let rendered) = expected {
                for (key, value) in rendered.data where after.data?[key] != Data(value.revealedBytes()) {
                    problems.append("the written Secret lacks or changes rendered key \(Hostile.show(key))")
                }
            }
            if ready?.status != .true { problems.append("the Secret changed but the ExternalSecret is not Ready") }
        }
        // A failure leaves the Secret as it was.
        if ready?.status == .false, changed { problems.append("a failed sync changed the Secret") }
        if let message = ready?.message, message.contains(PurePipeline.canaryMarker) { problems.append("the condition holds a secret value") }
        if ready?.status == .false, ready?.reason == ExternalSecretConditions.Reason.invalidSpec, !(ready?.message ?? "").contains("spec.") {
            problems.append("InvalidSpec without a field: \(Hostile.show(ready?.message ?? ""))")
        }
        // Invalid specs: refused, the field named, nothing written.
        if !c.invalidFields.isEmpty {
            if ready?.status != .false || !(ready?.message ?? "").contains("spec.") {
                problems.append("invalid \(c.invalidFields) gave \(ready?.status.rawValue ?? "no condition"): \(Hostile.show(ready?.message ?? ""))")
            }
            if changed { problems.append("invalid \(c.invalidFields) changed the Secret") }
        }
        // Keys and sizes the API server would refuse are refused before the write, with a condition.
        // With template data the Secret's keys are the template's: secretKeys, extracted names
        // and the values not used by a template are only template variables then.
        let templated = !(es.spec.target?.template?.data?.isEmpty ?? true)
        let writeInvalid = c.writeInvalidFields.filter { !templated || $0.hasPrefix("spec.target.template") }
        if !writeInvalid.isEmpty, ready?.status != .false {
            problems.append("invalid at write \(writeInvalid) gave \(ready?.status.rawValue ?? "no condition")")
        }
        if let thrown, !(thrown is SyncFailure), !(thrown is TerminalError), ready?.status != .false {
            problems.append("a \(type(of: thrown)) escaped the failure rule without a condition")
        }
        return problems
    }

    @Test("a template nested thousands deep gives Ready=False naming the field; the operator goes on")
    func deeplyNestedTemplateThroughTheReconciler() async throws {
        try await EmulatedCluster.with { cluster in
            let client = cluster.client
            for definition in RotorCRDs.shipped {
                _ = try await client.create(ExternalSecretControllerTests.crds, namespace: nil, body: definition.object)
            }
            let store = try ExternalSecretControllerTests.fakeStore("fake-pass-1")
            var ready = store
            ready.status = SecretStoreStatus(conditions: [Condition(type: SecretStoreConditions.ready, status: .true, reason: "Valid")])
            let secretStores = Store<SecretStore>(key: { ObjectKey(of: $0) })
            _ = await secretStores.apply(.applied(ready))
            let reconciler = ExternalSecretReconciler(
                client: client, providers: StoreProviders(), secretStores: secretStores, clusterSecretStores: Store<ClusterSecretStore>(key: { ObjectKey(of: $0) }),
                events: EventRecorder(client: client, configuration: .init(reportingComponent: "rotor", reportingInstance: "fuzz")),
                fingerprintKey: SymmetricKey(data: Array(repeating: UInt8(7), count: 32)))
            let template = String(repeating: "{{#password}}", count: 5_000)
            let spec: JSONValue = [
                "secretStoreRef": ["name": "fake"],
                "data": [["secretKey": "password", "remoteRef": ["key": "db/password"]]],
                "target": ["template": ["data": ["url": .string(template)]]],
            ]
            _ = try await client.create(
                ExternalSecret.resourceType, namespace: "default",
                body: ["apiVersion": "rotor.dev/v1alpha1", "kind": "ExternalSecret", "metadata": ["name": "deep", "namespace": "default"], "spec": spec])
            let es = try await client.get(ExternalSecret.self, namespace: "default", name: "deep")
            await #expect(throws: TerminalError.self) { _ = try await reconciler.reconcile(ObjectKey(of: es), es) }
            let condition = try await client.get(ExternalSecret.self, namespace: "default", name: "deep").status?.conditions?.first { $0.type == "Ready" }
            #expect(condition?.status == .false)
            #expect(condition?.reason == "InvalidSpec")
            #expect(condition?.message?.hasPrefix("spec.target.template.data: template for key 'url' nests sections more than 64 deep") == true)
            #expect((try? await client.get(Secret.self, namespace: "default", name: "deep")) == nil, "nothing written")
        }
    }
}

/// Answers every AWS call with the well-formed answer for what was asked, damaged as the
/// case's seed says (a new draw per request).
final class DamagingAWSTransport: AWSTransport, @unchecked Sendable {
    private let state = NIOLockedValueBox<(seed: UInt64, requests: UInt64)>((0, 0))

    func start(seed: UInt64) { state.withLockedValue { $0 = (seed, 0) } }

    func send(_ request: AWSHTTPRequest) async throws -> AWSHTTPResponse {
        let (seed, count) = state.withLockedValue { state -> (UInt64, UInt64) in
            state.requests += 1
            return (state.seed, state.requests)
        }
        var r = FuzzRandom(seed: seed ^ (count &* 0x9E37_79B9))
        let target = request.headers.first { $0.name == "X-Amz-Target" }?.value ?? ""
        let asked = (try? JSONValue(parsing: request.body)) ?? .null
        func entry(_ key: String) -> JSONValue { ["Name": .string(key), "ARN": .string("arn:aws:secretsmanager:us-east-1:1:secret:\(key)"), "SecretString": "fuzzcanary-value", "VersionId": "v1"] }
        let shape: JSONValue
        if target.hasSuffix("BatchGetSecretValue") {
            let keys = asked["SecretIdList"]?.arrayValue?.compactMap(\.stringValue) ?? []
            shape = ["SecretValues": .array(keys.map(entry)), "Errors": []]
        } else if target.hasSuffix("GetSecretValue") {
            shape = entry(asked["SecretId"]?.stringValue ?? "")
        } else {
            shape = ["SecretList": []]
        }
        let answer = r.oneIn(3) ? ProviderAnswer(status: 200, headers: [], body: shape.serializedBytes(), damage: [], intact: true) : ProviderAnswer.make(&r, shape: shape)
        return AWSHTTPResponse(status: answer.status, headers: answer.headers, body: answer.body)
    }
}

@Suite("Hostile input: generated AWS answers through the reconciler")
struct HostileProviderReconcileTests {
    @Test("120 syncs from an AWS store answering damaged: a failure names store and key, and the Secret stays as it was")
    func damagedAnswersThroughTheReconciler() async throws {
        let seed = FuzzRandom.runSeed(default: 0xA3_13)
        let cases = 120
        try await EmulatedCluster.with { cluster in
            let client = cluster.client
            for definition in RotorCRDs.shipped {
                _ = try await client.create(ExternalSecretControllerTests.crds, namespace: nil, body: definition.object)
            }
            let transport = DamagingAWSTransport()
            var options = AWSProviderOptions()
            options.transport = transport
            options.callPolicy = AWSCallPolicy(maxAttempts: 2, baseBackoff: .milliseconds(1), maxBackoff: .milliseconds(1))
            options.batchWindow = .milliseconds(1)
            let providers = StoreProviders(
                registry: ProviderRegistry([AWSProviderFactory(options: options, environment: { [:] }), FakeProviderFactory()]),
                coalescing: CoalescingReader.Configuration(ttl: .zero, failureTTL: .zero),
                credentials: { _ in FuzzCredentials() })
            let store = SecretStore(
                metadata: ObjectMeta(name: "aws", namespace: "default"),
                spec: SecretStoreSpec(provider: SecretStoreProvider(aws: AWSStoreConfig(
                    region: "us-east-1", endpoint: "https://127.0.0.1:9",
                    auth: AWSAuth(secretRef: AWSSecretRefAuth(
                        accessKeyIDSecretRef: SecretKeySelector(name: "aws", key: "id"),
                        secretAccessKeySecretRef: SecretKeySelector(name: "aws", key: "secret")))))),
                status: SecretStoreStatus(conditions: [Condition(type: SecretStoreConditions.ready, status: .true, reason: "Valid")]))
            let secretStores = Store<SecretStore>(key: { ObjectKey(of: $0) })
            _ = await secretStores.apply(.applied(store))
            let reconciler = ExternalSecretReconciler(
                client: client, providers: providers, secretStores: secretStores, clusterSecretStores: Store<ClusterSecretStore>(key: { ObjectKey(of: $0) }),
                events: EventRecorder(client: client, configuration: .init(reportingComponent: "rotor", reportingInstance: "fuzz")),
                fingerprintKey: SymmetricKey(data: Array(repeating: UInt8(7), count: 32)))
            var failures: [String] = []
            var tally: [String: Int] = [:]
            for index in 0..<cases {
                let caseSeed = FuzzRandom.caseSeed(run: seed, index: index)
                var r = FuzzRandom(seed: caseSeed)
                let keys = (0..<r.int(1...3)).map { n in r.pick(["app/db", "prod/api-key", "team/x\(n)"]) + "-\(n)" }
                let name = "aws-\(index)"
                // The Secret synced before: it must survive a damaged answer untouched.
                let seeded = try await client.create(Secret(
                    metadata: ObjectMeta(name: name, namespace: "default", labels: ["rotor.dev/managed": "true"]), data: ["old": Data("previous".utf8)]))
                let data: [JSONValue] = keys.enumerated().map { n, key in ["secretKey": .string("k\(n)"), "remoteRef": ["key": .string(key)]] }
                _ = try await client.create(
                    ExternalSecret.resourceType, namespace: "default",
                    body: ["apiVersion": "rotor.dev/v1alpha1", "kind": "ExternalSecret", "metadata": ["name": .string(name), "namespace": "default"],
                           "spec": ["secretStoreRef": ["name": "aws"], "data": .array(data)]])
                let es = try await client.get(ExternalSecret.self, namespace: "default", name: name)
                transport.start(seed: caseSeed)
                var thrown: (any Error)?
                do { _ = try await reconciler.reconcile(ObjectKey(of: es), es) } catch { thrown = error }
                let after = try await client.get(Secret.self, namespace: "default", name: name)
                let ready = try await client.get(ExternalSecret.self, namespace: "default", name: name).status?.conditions?.first { $0.type == "Ready" }
                tally[ready?.status.rawValue ?? "none", default: 0] += 1
                var problems: [String] = []
                switch ready?.status {
                case .true?:
                    for n in keys.indices where after.data?["k\(n)"] == nil { problems.append("a synced Secret lacks k\(n)") }
                case .false?:
                    let message = ready?.message ?? ""
                    if after.data != seeded.data { problems.append("a failed sync changed the Secret") }
                    if ready?.reason == ExternalSecretConditions.Reason.tooLarge {
                        // An answer within the provider's cap that the Secret cannot hold: the
                        // condition names the Secret and its largest keys instead.
                        if !message.contains("default/\(name)") { problems.append("TooLarge does not name the Secret: \(Hostile.show(message))") }
                        if !keys.indices.contains(where: { message.contains("k\($0)") }) { problems.append("TooLarge does not name a key: \(Hostile.show(message))") }
                    } else {
                        if !message.contains("SecretStore/default/aws") { problems.append("the condition does not name the store: \(Hostile.show(message))") }
                        if !keys.contains(where: { message.contains($0) }) { problems.append("the condition does not name the key: \(Hostile.show(message))") }
                    }
                    if message.contains("fuzzcanary") { problems.append("the condition quotes the answer") }
                default:
                    problems.append("no Ready condition (\(thrown.map { "\(type(of: $0))" } ?? "nothing thrown"))")
                    if after.data != seeded.data { problems.append("a failed sync changed the Secret") }
                }
                if !problems.isEmpty, failures.count < 8 { failures.append("run seed \(seed) case \(index) (\(keys.count) keys): \(problems)") }
            }
            print("hostile AWS reconciles: \(tally.sorted { $0.key < $1.key })")
            #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
            #expect((tally["True"] ?? 0) > 10 && (tally["False"] ?? 0) > 10)
        }
    }
}
