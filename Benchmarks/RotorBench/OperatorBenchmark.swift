import AsyncHTTPClient
import Foundation
import KubeClient
import JSONCore
import KubeAPI
import RotorAPI

// rotor-bench operator [externalSecrets=10000] [namespaces=100]
//
// The operator as its own process (`rotor run`) against the API emulator in another
// (`rotor dev --api-only`), fake provider: how long until every Secret is synced
// (against the bare floor of creating the same Secrets directly), the operator's
// peak RSS, the API requests it made, Secret writes during a no-op refresh of all,
// and how long a new ExternalSecret takes while the refreshes are due.

/// Runs `body(i)` for i in 0..<count with `concurrency` in flight.
func forEachConcurrently(_ count: Int, concurrency: Int = 8, _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for worker in 0..<concurrency {
            group.addTask {
                var i = worker
                while i < count {
                    try await body(i)
                    i += concurrency
                }
            }
        }
        try await group.waitForAll()
    }
}

/// `rotor run` in a child process, its output followed line by line.
final class OperatorChild: @unchecked Sendable {
    // Safe: `lines` is only touched under `lock`; `process` is started and stopped by one task.
    let process = Process()
    private let lock = NSLock()
    private var lines: [String] = []

    /// `rotor run --kubeconfig KUBECONFIG` with `settings` (e.g. the chart's arguments), in the
    /// operator namespace `rotor-system` as the chart's pod would be.
    init(kubeconfig: String, settings: [String]) throws {
        // ROTOR_BENCH_OPERATOR_KUBECONFIG: the operator's own identity on a real API server (e.g.
        // the chart's ServiceAccount, which API Priority and Fairness paces, where an admin is exempt).
        let kubeconfig = ProcessInfo.processInfo.environment["ROTOR_BENCH_OPERATOR_KUBECONFIG"] ?? kubeconfig
        let binDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        process.executableURL = binDirectory.appendingPathComponent("rotor")
        process.arguments = ["run", "--kubeconfig", kubeconfig] + settings
        var environment = ProcessInfo.processInfo.environment
        environment["POD_NAMESPACE"] = "rotor-system"
        environment["POD_NAME"] = "rotor-bench-\(UInt32.random(in: 0...UInt32.max))"
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let handle = pipe.fileHandleForReading
        Thread.detachNewThread { [self] in
            var pending = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { return }
                pending.append(chunk)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                    pending.removeSubrange(pending.startIndex...newline)
                    lock.lock()
                    lines.append(line)
                    lock.unlock()
                }
            }
        }
    }

    var output: [String] {
        lock.lock()
        defer { lock.unlock() }
        return lines
    }

    /// The health endpoint's base URL, from the operator's JSON log.
    func healthURL() async throws -> String {
        for _ in 0..<400 {
            for line in output {
                if let record = try? JSONValue(parsing: line), let address = record["address"]?.stringValue {
                    return "http://\(address)"
                }
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw BenchmarkFailure("rotor run did not report its health address: \(output.joined(separator: "\n"))")
    }

    /// The health base URL once `/readyz` answers 200 as the leader with its caches synced
    /// (a standby is ready too, but reconciles nothing).
    func ready() async throws -> String {
        let health = try await healthURL()
        while true {
            if let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: health + "/readyz"), timeout: .seconds(2)),
                response.status.code == 200,
                let body = try? await response.body.collect(upTo: 1 << 16), String(buffer: body).contains("caches synced")
            {
                return health
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// SIGTERM and wait (a second call does nothing). With `ROTOR_BENCH_OPERATOR_LOG=FILE`
    /// the operator's output is appended to FILE.
    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        if let path = ProcessInfo.processInfo.environment["ROTOR_BENCH_OPERATOR_LOG"],
            let handle = FileHandle(forWritingAtPath: path) ?? (FileManager.default.createFile(atPath: path, contents: nil) ? FileHandle(forWritingAtPath: path) : nil)
        {
            handle.seekToEndOfFile()
            handle.write(Data((output.joined(separator: "\n") + "\n").utf8))
            try? handle.close()
        }
    }
}

struct BenchmarkFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The operator's `/metrics`, parsed into `name{labels}` → value.
func scrape(_ base: String) async throws -> [String: Double] {
    let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: base + "/metrics"), timeout: .seconds(10))
    let body = String(buffer: try await response.body.collect(upTo: 16 << 20))
    var samples: [String: Double] = [:]
    for line in body.split(separator: "\n") where !line.hasPrefix("#") {
        guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
        samples[String(line[..<space])] = value
    }
    return samples
}

func sum(_ samples: [String: Double], _ prefix: String, where filter: (String) -> Bool = { _ in true }) -> Double {
    samples.filter { $0.key.hasPrefix(prefix) && filter($0.key) }.values.reduce(0, +)
}

/// Secret writes the operator made: creates, updates, patches and deletes of `secrets`
/// that the API server carried out (2xx; a create answered `409 AlreadyExists` wrote nothing).
func secretWrites(_ samples: [String: Double]) -> Double {
    sum(samples, "rotor_kube_requests_total{") { key in
        key.contains(#"resource="secrets""#) && key.contains(#"code="2"#)
            && ["create", "update", "patch", "delete"].contains { key.contains(#"verb="\#($0)""#) }
    }
}

/// Counts the distinct managed Secrets that appear, and when each did.
actor SyncedSecrets {
    private var seen: [String: ContinuousClock.Instant] = [:]
    private var waiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []

    func saw(_ key: String, at instant: ContinuousClock.Instant) {
        guard seen[key] == nil else { return }
        seen[key] = instant
        waiters.removeAll { waiter in
            guard seen.count >= waiter.count else { return false }
            waiter.continuation.resume()
            return true
        }
    }

    var count: Int { seen.count }
    func time(of key: String) -> ContinuousClock.Instant? { seen[key] }
    var last: ContinuousClock.Instant? { seen.values.max() }

    func wait(for count: Int) async {
        if seen.count >= count { return }
        await withCheckedContinuation { waiters.append((count, $0)) }
    }
}

/// How one `rotor run` of the benchmark is configured.
struct OperatorVariant: Sendable {
    var name: String
    var settings: [String]

    /// `rotor run` exactly as the chart configures it: the container arguments of the chart's
    /// Deployment with its default values (`hack/bench operator` renders them with helm into
    /// the file `ROTOR_BENCH_CHART_ARGS`), but for the health address, which gets a free
    /// loopback port.
    static func chartDefaults() throws -> OperatorVariant {
        guard let path = ProcessInfo.processInfo.environment["ROTOR_BENCH_CHART_ARGS"],
            let text = try? String(contentsOfFile: path, encoding: .utf8)
        else {
            throw BenchmarkFailure("ROTOR_BENCH_CHART_ARGS names no file of the chart's arguments: run the operator benchmark with hack/bench operator")
        }
        var settings = text.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        guard settings.first == "run" else { throw BenchmarkFailure("\(path) does not start with the run command: \(settings.prefix(3))") }
        settings.removeFirst()
        var variant = OperatorVariant(name: "chart defaults", settings: settings.overriding(["--health-address=127.0.0.1:0"]))
        // ROTOR_BENCH_EXTRA_ARGS="--workers=32": the chart's settings but these (to compare one setting).
        if let extra = ProcessInfo.processInfo.environment["ROTOR_BENCH_EXTRA_ARGS"], !extra.isEmpty {
            let replacements = extra.split(separator: " ").map(String.init)
            variant = OperatorVariant(name: "chart defaults but \(extra)", settings: variant.settings.overriding(replacements))
        }
        return variant
    }

    /// The chart's settings with the earlier tuned flags (a fixed 5000 qps ceiling, 8 workers).
    func tuned() -> OperatorVariant {
        OperatorVariant(
            name: "tuned: --workers=8 --kube-qps=5000 --kube-burst=5000",
            settings: settings.overriding(["--workers=8", "--kube-qps=5000", "--kube-burst=5000"]))
    }
}

extension [String] {
    /// These `--flag=value` settings, with `replacements` instead of the same flags' values.
    func overriding(_ replacements: [String]) -> [String] {
        let names = Set(replacements.map { $0.split(separator: "=", maxSplits: 1)[0] })
        return filter { !names.contains($0.split(separator: "=", maxSplits: 1)[0]) } + replacements
    }
}

/// What one variant's run measured.
struct OperatorRun: Sendable {
    var variant: OperatorVariant
    var bareFloor: Duration
    var sameWritesFloor: Duration
    var sameWritesConcurrency: Int
    var allSynced: Duration
    var created: Duration
    var afterLastCreate: Duration
    var requestsAtSync: Double
    var throttledAtSync: Double
    /// Requests until synced that the server did not answer 2xx, by verb, resource and code.
    var unsuccessfulAtSync: String
    var byVerbAtSync: String
    var providerReads: Double
    var probe: Duration
    var refreshedAtProbe: Double
    var queueDepth: Double
    var waveLines: [String]
    var firstPeak: Double
    var secondPeak: Double
    var workers: String
    /// CPU seconds in the sync window: operator, API server (emulator only), the bench itself.
    var cpuInWindow: (Double, Double, Double)
}

func operatorBenchmark(externalSecrets total: Int, namespaceCount: Int) async throws {
    let chart = try OperatorVariant.chartDefaults()
    var runs: [OperatorRun] = []
    print("operator benchmark: \(total) ExternalSecrets in \(namespaceCount) namespaces (fake provider), operator and emulator in their own processes")
    // ROTOR_BENCH_VARIANTS=chart or tuned runs one (against a real API server, one per fresh server).
    let chosen = ProcessInfo.processInfo.environment["ROTOR_BENCH_VARIANTS"].map { $0.split(separator: ",").map(String.init) } ?? ["chart", "tuned"]
    for variant in [chart, chart.tuned()] where chosen.contains(variant.name == chart.name ? "chart" : "tuned") {
        let emulator: EmulatorProcess
        if let external = EmulatorProcess.external { emulator = external } else { emulator = try await EmulatorProcess.start() }
        defer { emulator.stop() }
        let client = try emulator.client(connections: 64)
        do {
            runs.append(try await operatorBenchmark(client: client, emulator: emulator, variant: variant, externalSecrets: total, namespaceCount: namespaceCount))
            try await client.shutdown()
        } catch {
            try? await client.shutdown()
            throw error
        }
        print(runs.last!.report(total: total))
    }
}

extension OperatorRun {
    func report(total: Int) -> String {
        var lines = ["\(variant.name): rotor run \(variant.settings.joined(separator: " "))"]
        lines.append(String(format: "  bare floor: %d Secrets created directly in %.2f s (8 concurrent requests)", total, seconds(bareFloor)))
        lines.append(String(format: "  same-writes floor: %d × (ExternalSecret create, Secret create, status write) in %.2f s (%d concurrent objects, the faster of 8 and 32)", total, seconds(sameWritesFloor), sameWritesConcurrency))
        lines.append(String(format: "  all %d Secrets synced %.2f s after the first create (%.2f× the same-writes floor); ExternalSecrets created in %.2f s; %.2f s after the last create", total, seconds(allSynced), seconds(allSynced) / seconds(sameWritesFloor), seconds(created), seconds(afterLastCreate)))
        let server = EmulatorProcess.external == nil ? String(format: "%.2f", cpuInWindow.1) : "not measured (an external server)"
        lines.append(String(format: "  CPU seconds in that window: operator %.2f, API server %@, bench client %.2f", cpuInWindow.0, server, cpuInWindow.2))
        lines.append("  API requests until synced: \(Int(requestsAtSync)) (\(byVerbAtSync)); 429 answers: \(Int(throttledAtSync)); not 2xx: \(unsuccessfulAtSync.isEmpty ? "none" : unsuccessfulAtSync)")
        lines.append("  provider reads until synced: \(Int(providerReads))")
        lines.append(String(format: "  restart with all %d refreshes due: a new ExternalSecret synced in %.0f ms (%.0f reconciles done by then, queue depth %.0f)", total, seconds(probe) * 1000, refreshedAtProbe, queueDepth))
        lines += waveLines
        lines.append(String(format: "  operator peak RSS %.1f MiB syncing, %.1f MiB after the restart; workers %@", firstPeak, secondPeak, workers))
        return lines.joined(separator: "\n")
    }
}

/// The same-writes floor: the bench's client makes, for each of `total` objects, the writes
/// a first sync's window must hold by the API contract — the ExternalSecret create, the
/// Secret create and one status write — with `concurrency` objects at a time.
private func sameWritesFloor(client: HTTPKubernetesClient, total: Int, namespaceCount: Int, concurrency: Int, round: Int) async throws -> Duration {
    let prefix = "floor\(round)-"
    for n in 0..<namespaceCount {
        _ = try await client.create(namespaces, namespace: nil, body: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string("\(prefix)\(n)")]])
    }
    let started = clock.now
    try await forEachConcurrently(total, concurrency: concurrency) { i in
        let namespace = "\(prefix)\(i % namespaceCount)", name = "es-\(i)"
        var created = try await client.create(ExternalSecret.resourceType, namespace: namespace, body: [
            "apiVersion": "rotor.dev/v1alpha1", "kind": "ExternalSecret",
            "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "spec": [
                "secretStoreRef": ["name": "fake"], "refreshInterval": "30s",
                "data": [["secretKey": "password", "remoteRef": ["key": "app/key-0", "property": "password"]]],
            ],
        ])
        _ = try await client.create(secrets, namespace: namespace, body: secret(name))
        created["status"] = [
            "conditions": [["type": "Ready", "status": "True", "reason": "Synced", "message": "synced 1 key", "lastTransitionTime": "2026-12-07T00:00:00Z"]],
            "refreshTime": "2026-12-07T00:00:00Z", "syncedResourceVersion": "1",
        ]
        _ = try await client.update(ExternalSecret.resourceType, namespace: namespace, name: name, body: created, subresource: "status")
    }
    let elapsed = started.duration(to: clock.now)
    try await deleteFloorNamespaces(client, (0..<namespaceCount).map { "\(prefix)\($0)" })
    return elapsed
}

private func operatorBenchmark(
    client: HTTPKubernetesClient, emulator: EmulatorProcess, variant: OperatorVariant, externalSecrets total: Int, namespaceCount: Int
) async throws -> OperatorRun {
    let keysPerStore = 10
    @Sendable func place(_ i: Int) -> (namespace: String, name: String) { ("bench-\(i % namespaceCount)", "es-\(i)") }

    // The bare floor: the same client creates the same number of Secrets directly.
    for n in 0..<namespaceCount {
        _ = try await client.create(namespaces, namespace: nil, body: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string("floor-\(n)")]])
    }
    let floorStart = clock.now
    try await forEachConcurrently(total) { i in
        let (namespace, name) = place(i)
        _ = try await client.create(secrets, namespace: "floor" + namespace.dropFirst("bench".count), body: secret(name))
    }
    let floor = floorStart.duration(to: clock.now)
    try await deleteFloorNamespaces(client, (0..<namespaceCount).map { "floor-\($0)" })

    // The cluster: CRDs, the operator's namespace, one fake store per namespace.
    try await installOperatorPrerequisites(client)
    let floorAt8 = try await sameWritesFloor(client: client, total: total, namespaceCount: namespaceCount, concurrency: 8, round: 1)
    let floorAt32 = try await sameWritesFloor(client: client, total: total, namespaceCount: namespaceCount, concurrency: 32, round: 2)
    let (sameWrites, sameWritesConcurrency) = floorAt8 <= floorAt32 ? (floorAt8, 8) : (floorAt32, 32)
    let data: [JSONValue] = (0..<keysPerStore).map { k in
        ["key": .string("app/key-\(k)"), "value": .string(#"{"user":"app","password":"bench-\#(k)"}"#), "version": "1"]
    }
    for n in 0..<namespaceCount {
        let namespace = "bench-\(n)"
        _ = try await client.create(namespaces, namespace: nil, body: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(namespace)]])
        _ = try await client.create(SecretStore.resourceType, namespace: namespace, body: [
            "apiVersion": "rotor.dev/v1alpha1", "kind": "SecretStore", "metadata": ["name": "fake", "namespace": .string(namespace)],
            "spec": ["provider": ["fake": ["data": .array(data)]]],
        ])
    }

    let rotor = try OperatorChild(kubeconfig: emulator.kubeconfigPath, settings: variant.settings)
    defer { rotor.stop() }
    let health = try await rotor.ready()

    let synced = SyncedSecrets()
    let watch = try await client.watch(
        secrets, namespace: nil, options: WatchOptions(allowWatchBookmarks: true, labelSelector: "rotor.dev/managed=true"))
    let watching = Task {
        for try await event in watch {
            guard event.type == .added || event.type == .modified else { continue }
            let object = event.object
            let key = "\(object[path: ["metadata", "namespace"]]?.stringValue ?? "")/\(object[path: ["metadata", "name"]]?.stringValue ?? "")"
            await synced.saw(key, at: clock.now)
        }
    }
    defer { watching.cancel() }

    let refresh = 30
    @Sendable func externalSecret(_ namespace: String, _ name: String, key: Int) -> JSONValue {
        [
            "apiVersion": "rotor.dev/v1alpha1", "kind": "ExternalSecret",
            "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "spec": [
                "secretStoreRef": ["name": "fake"], "refreshInterval": .string("\(refresh)s"),
                "data": [["secretKey": "password", "remoteRef": ["key": .string("app/key-\(key)"), "property": "password"]]],
            ],
        ]
    }
    let emulatorPID = emulator.process?.processIdentifier
    let cpuAtStart = (cpuSeconds(of: rotor.process.processIdentifier), emulatorPID.map(cpuSeconds(of:)) ?? 0, cpuSeconds(of: getpid()))
    let start = clock.now
    try await forEachConcurrently(total) { i in
        let (namespace, name) = place(i)
        _ = try await client.create(ExternalSecret.resourceType, namespace: namespace, body: externalSecret(namespace, name, key: i % keysPerStore))
    }
    let created = start.duration(to: clock.now)
    await synced.wait(for: total)
    let allSynced = start.duration(to: clock.now)
    let cpuInWindow = (
        cpuSeconds(of: rotor.process.processIdentifier) - cpuAtStart.0, (emulatorPID.map(cpuSeconds(of:)) ?? 0) - cpuAtStart.1,
        cpuSeconds(of: getpid()) - cpuAtStart.2)
    let afterSync = try await scrape(health)

    // Every refresh due at once: the operator stops (SIGTERM) once all is synced and
    // starts again after every refresh time has passed, so its first list finds 10,000
    // ExternalSecrets due. A new ExternalSecret is created as soon as it is ready and its
    // sync is timed against that backlog; the refreshes themselves must write nothing.
    let firstPeak = memory(of: rotor.process.processIdentifier).peakMiB
    rotor.stop()
    let lastSync = await synced.last ?? clock.now
    try await Task.sleep(until: lastSync + .seconds(Double(refresh) * 1.1 + 1), clock: clock)
    let restarted = try OperatorChild(kubeconfig: emulator.kubeconfigPath, settings: variant.settings)
    defer { restarted.stop() }
    let restartedHealth = try await restarted.ready()
    let probeStart = clock.now
    _ = try await client.create(ExternalSecret.resourceType, namespace: "bench-0", body: externalSecret("bench-0", "probe", key: 0))
    await synced.wait(for: total + 1)
    let probe = probeStart.duration(to: (await synced.time(of: "bench-0/probe")) ?? clock.now)
    let afterProbe = try await scrape(restartedHealth)
    let queueDepth = afterProbe[#"rotor_queue_depth{controller="externalsecret"}"#] ?? 0
    let refreshedAtProbe = afterProbe[#"rotor_reconcile_total{controller="externalsecret"}"#] ?? 0

    // The wave is over when every ExternalSecret has been reconciled once more.
    var afterWave = afterProbe
    let waveDeadline = clock.now + .seconds(seconds(allSynced) * 3 + 60)
    while (afterWave[#"rotor_reconcile_total{controller="externalsecret"}"#] ?? 0) < Double(total + 1), clock.now < waveDeadline {
        try await Task.sleep(for: .milliseconds(250))
        afterWave = try await scrape(restartedHealth)
    }
    let waveTime = probeStart.duration(to: clock.now)
    let refreshed = (afterWave[#"rotor_reconcile_total{controller="externalsecret"}"#] ?? 0)
    let noOpWrites = secretWrites(afterWave) - 1  // the new ExternalSecret's own Secret

    // The next refresh of all, in the same process: the Secrets it verified during the
    // first wave are not read again (one status write per ExternalSecret).
    var afterSecondWave = afterWave
    let reconcilesAfterWave = afterWave[#"rotor_reconcile_total{controller="externalsecret"}"#] ?? 0
    let secondDeadline = clock.now + .seconds(Double(refresh) * 1.1 + seconds(waveTime) + 60)
    while (afterSecondWave[#"rotor_reconcile_total{controller="externalsecret"}"#] ?? 0) < reconcilesAfterWave + Double(total + 1), clock.now < secondDeadline {
        try await Task.sleep(for: .milliseconds(250))
        afterSecondWave = try await scrape(restartedHealth)
    }
    let secondRefreshed = (afterSecondWave[#"rotor_reconcile_total{controller="externalsecret"}"#] ?? 0) - reconcilesAfterWave
    let secondWrites = secretWrites(afterSecondWave) - secretWrites(afterWave)
    let secondPeak = memory(of: restarted.process.processIdentifier).peakMiB

    func byVerb(_ samples: [String: Double], since earlier: [String: Double] = [:]) -> String {
        ["get", "list", "create", "update", "patch", "delete", "watch"].compactMap { verb -> String? in
            let isVerb = { (key: String) in key.contains(#"verb="\#(verb)""#) }
            let n = sum(samples, "rotor_kube_requests_total{", where: isVerb) - sum(earlier, "rotor_kube_requests_total{", where: isVerb)
            return n > 0 ? "\(verb) \(Int(n))" : nil
        }.joined(separator: ", ")
    }
    let waveLines = [
        String(format: "  no-op refresh of all: %.0f reconciles in %.2f s, %.0f Secret writes; API requests %d (%@, incl. the start-up lists and the new ExternalSecret's)", refreshed, seconds(waveTime), noOpWrites, Int(sum(afterWave, "rotor_kube_requests_total{")), byVerb(afterWave)),
        String(format: "  the next no-op refresh in the same process: %.0f reconciles, %.0f Secret writes; API requests %d (%@); 429 answers since the restart: %.0f", secondRefreshed, secondWrites, Int(sum(afterSecondWave, "rotor_kube_requests_total{") - sum(afterWave, "rotor_kube_requests_total{")), byVerb(afterSecondWave, since: afterWave), throttled(afterSecondWave)),
    ]
    let workers = variant.settings.first { $0.hasPrefix("--workers=") }.map { String($0.dropFirst("--workers=".count)) } ?? "default"
    return OperatorRun(
        variant: variant, bareFloor: floor, sameWritesFloor: sameWrites, sameWritesConcurrency: sameWritesConcurrency,
        allSynced: allSynced, created: created, afterLastCreate: allSynced - created,
        requestsAtSync: sum(afterSync, "rotor_kube_requests_total{"), throttledAtSync: throttled(afterSync),
        unsuccessfulAtSync: unsuccessful(afterSync), byVerbAtSync: byVerb(afterSync),
        providerReads: sum(afterSync, #"rotor_provider_requests_total{provider="fake",op="read""#), probe: probe,
        refreshedAtProbe: refreshedAtProbe, queueDepth: queueDepth, waveLines: waveLines, firstPeak: firstPeak, secondPeak: secondPeak,
        workers: workers, cpuInWindow: cpuInWindow)
}

/// Deletes a floor's namespaces and waits until they are gone, so that the operator, started
/// after, finds only the benchmark's objects (a real API server's namespace controller deletes
/// a namespace's objects in the background first).
private func deleteFloorNamespaces(_ client: HTTPKubernetesClient, _ names: [String]) async throws {
    for name in names { _ = try await client.delete(namespaces, namespace: nil, name: name) }
    for name in names {
        while (try? await client.get(namespaces, namespace: nil, name: name)) != nil {
            try await Task.sleep(for: .milliseconds(200))
        }
    }
}

/// The operator's requests not answered 2xx, e.g. `update externalsecrets/status 409: 12`.
func unsuccessful(_ samples: [String: Double]) -> String {
    samples.filter { $0.key.hasPrefix("rotor_kube_requests_total{") && !$0.key.contains(#"code="2"#) && $0.value > 0 }
        .map { key, value -> String in
            func label(_ name: String) -> String {
                guard let range = key.range(of: "\(name)=\"") else { return "?" }
                return String(key[range.upperBound...].prefix { $0 != "\"" })
            }
            return "\(label("verb")) \(label("resource")) \(label("code")): \(Int(value))"
        }
        .sorted().joined(separator: ", ")
}

/// The 429 answers the operator received.
func throttled(_ samples: [String: Double]) -> Double {
    sum(samples, "rotor_kube_requests_total{") { $0.contains(#"code="429""#) }
}

/// What the chart installs before the operator starts: the Rotor CRDs and the operator's
/// namespace (`rotor-system`: fingerprint key, Lease).
func installOperatorPrerequisites(_ client: any KubernetesClient) async throws {
    let namespaces = ResourceType(group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false)
    // Already there on a real API server prepared with the chart's manifests: fine.
    func createUnlessPresent(_ type: ResourceType, _ body: JSONValue) async throws {
        do { _ = try await client.create(type, namespace: nil, body: body) } catch let error as KubeAPIError where error.kind == .alreadyExists {}
    }
    try await createUnlessPresent(namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "rotor-system"]])
    let crds = ResourceType(group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions", kind: "CustomResourceDefinition", namespaced: false)
    for definition in RotorCRDs.all { try await createUnlessPresent(crds, definition.object) }
    // A real API server serves a CRD's resource only once it is Established.
    for definition in RotorCRDs.all {
        let name = definition.object[path: ["metadata", "name"]]?.stringValue ?? ""
        while true {
            let crd = try await client.get(crds, namespace: nil, name: name)
            let conditions = crd[path: ["status", "conditions"]]?.arrayValue ?? []
            if conditions.contains(where: { $0["type"]?.stringValue == "Established" && $0["status"]?.stringValue == "True" }) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
