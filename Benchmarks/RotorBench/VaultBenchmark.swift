import AsyncHTTPClient
import Foundation
import KubeClient
import JSONCore
import KubeAPI
import RotorAPI

// rotor-bench vault [externalSecrets=10000] [keys=1000]
//
// The whole sandbox as a user runs it (`rotor dev --no-demo`: the API emulator, the
// Vault emulator with kubernetes auth, and the operator in one child process). One
// Vault SecretStore with kubernetes auth; `externalSecrets` ExternalSecrets over `keys`
// unique Vault keys (each key read by externalSecrets / keys ExternalSecrets). Reports
// the time until every Secret exists, and the Vault requests (from the emulator's
// `sys/metrics`) during that first sync and during one full refresh afterwards.
// ExternalSecrets are created key by key interleaved (es-i reads key i % keys), or with
// ROTOR_BENCH_VAULT_ORDER=grouped the ExternalSecrets of one key one after another.

/// Vault's `sys/metrics` counters by name.
private func vaultCounters(_ http: HTTPClient, _ env: [String: String]) async throws -> [String: Int] {
    var request = HTTPClientRequest(url: (env["VAULT_ADDR"] ?? "") + "/v1/sys/metrics?format=json")
    request.headers.add(name: "X-Vault-Token", value: env["VAULT_TOKEN"] ?? "")
    let response = try await http.execute(request, timeout: .seconds(30))
    let body = try await response.body.collect(upTo: 1 << 22)
    let json = try JSONValue(parsing: Array(body.readableBytesView))
    var counters: [String: Int] = [:]
    for counter in json["Counters"]?.arrayValue ?? [] {
        if let name = counter["Name"]?.stringValue { counters[name] = Int(counter["Count"]?.intValue ?? 0) }
    }
    return counters
}

private func delta(_ after: [String: Int], _ before: [String: Int], _ name: String) -> Int {
    (after[name] ?? 0) - (before[name] ?? 0)
}


func vaultBenchmark(externalSecrets total: Int, keys: Int) async throws {
    let sandbox = try await EmulatorProcess.start(["--no-demo"])
    defer { sandbox.stop() }
    let work = sandbox.work!
    let kubeconfig = sandbox.kubeconfigPath
    let envPath = work.appendingPathComponent("vault.env").path
    while !FileManager.default.fileExists(atPath: envPath) { try await Task.sleep(for: .milliseconds(50)) }
    try await Task.sleep(for: .milliseconds(300))
    var env: [String: String] = [:]
    for line in try String(contentsOfFile: envPath, encoding: .utf8).split(separator: "\n") {
        let assignment = line.hasPrefix("export ") ? line.dropFirst(7) : line[...]
        if let equals = assignment.firstIndex(of: "=") {
            env[String(assignment[..<equals])] = String(assignment[assignment.index(after: equals)...])
        }
    }
    let caPEM = try String(contentsOfFile: env["VAULT_CACERT"] ?? "", encoding: .utf8)

    var httpConfiguration = HTTPClient.Configuration(tlsConfiguration: .makeClientConfiguration())
    httpConfiguration.tlsConfiguration?.trustRoots = .file(env["VAULT_CACERT"] ?? "")
    let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpConfiguration)
    var kubeConfiguration = try KubeConfig.load(path: kubeconfig).clientConfiguration()
    kubeConfiguration.maximumConnections = 32
    let client = try HTTPKubernetesClient(configuration: kubeConfiguration)

    // 1. Seed the keys, as `vault kv put` would.
    let address = env["VAULT_ADDR"] ?? ""
    let rootToken = env["VAULT_TOKEN"] ?? ""
    try await forEachConcurrently(keys, concurrency: 16) { i in
        var request = HTTPClientRequest(url: "\(address)/v1/secret/data/bench/key-\(i)")
        request.method = .POST
        request.headers.add(name: "X-Vault-Token", value: rootToken)
        request.body = .bytes(Array(#"{"data":{"user":"app","password":"bench-\#(i)-v1"}}"#.utf8))
        let response = try await http.execute(request, timeout: .seconds(30))
        _ = try await response.body.collect(upTo: 1 << 16)
    }

    // 2. The store (kubernetes auth, as `rotor dev` configured Vault) and its readiness.
    let store: JSONValue = [
        "apiVersion": "rotor.dev/v1alpha1", "kind": "SecretStore", "metadata": ["name": "vault", "namespace": "default"],
        "spec": [
            "provider": [
                "vault": [
                    "server": .string(address), "path": "secret", "version": "v2",
                    "caBundle": .string(Data(caPEM.utf8).base64EncodedString()),
                    "auth": ["kubernetes": ["role": "rotor", "serviceAccountRef": ["name": "rotor-vault", "audiences": ["vault"]]]],
                ],
            ],
        ],
    ]
    _ = try await client.create(SecretStore.resourceType, namespace: "default", body: store)
    try await waitUntilStoreReady(client, namespace: "default", name: "vault")
    let beforeSync = try await vaultCounters(http, env)

    // 3. The ExternalSecrets: creation to the last Secret written.
    let grouped = ProcessInfo.processInfo.environment["ROTOR_BENCH_VAULT_ORDER"] == "grouped"
    let perKey = max(1, total / keys)
    @Sendable func key(_ i: Int) -> Int { grouped ? min(keys - 1, i / perKey) : i % keys }
    let started = ContinuousClock.now
    try await createExternalSecrets(client, count: total, store: "vault") { "bench/key-\(key($0))" }
    let created = ContinuousClock.now
    while try await managedSecretCount(client, namespace: "default") < total {
        try await Task.sleep(for: .milliseconds(250))
    }
    let converged = ContinuousClock.now
    let afterSync = try await vaultCounters(http, env)

    // 4. One full refresh: every ExternalSecret's 1m interval (±10 % jitter) passes once.
    try await Task.sleep(for: .seconds(70))
    let afterRefresh = try await vaultCounters(http, env)

    func line(_ label: String, _ after: [String: Int], _ before: [String: Int]) -> String {
        let reads = delta(after, before, "vault.route.GET.secret")
        let logins = delta(after, before, "vault.core.handle_login_request")
        let renewals = delta(after, before, "vault.route.POST.auth") - logins
        let all = delta(after, before, "vault.core.handle_request")
        return "| \(label) | \(all) | \(reads) | \(logins) | \(max(0, renewals)) |"
    }
    func secondsText(_ d: Duration) -> String { String(format: "%.1f s", Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18) }
    print("""
        rotor-bench vault: \(total) ExternalSecrets over \(keys) Vault keys (\(grouped ? "grouped" : "interleaved")), one SecretStore (kubernetes auth)
        created in \(secondsText(started.duration(to: created))); all Secrets written after \(secondsText(started.duration(to: converged)))

        | phase | Vault requests | KV reads | logins | other auth |
        | --- | ---: | ---: | ---: | ---: |
        \(line("first sync", afterSync, beforeSync))
        \(line("one full refresh (70 s)", afterRefresh, afterSync))
        """)
    try await client.shutdown()
    try await http.shutdown()
}
