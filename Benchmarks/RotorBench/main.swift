import Foundation
import KubeClient
import JSONCore
import KubeAPI
import RotorAPI

// rotor-bench: figures for BENCHMARKS.md (see hack/bench).
//
//   rotor-bench kube [objects] [concurrency] [watchers]   KubeClient against the API emulator
//   rotor-bench runtime [objects]                         informer sync, cache memory, work queue
//   rotor-bench operator [externalSecrets] [namespaces]   the operator (`rotor run`) end to end
//   rotor-bench vault [externalSecrets] [keys]            a Vault store in `rotor dev`: requests per sync and refresh
//   rotor-bench aws [externalSecrets] [keys]              an AWS store (moto) in `rotor dev`: calls per sync and refresh
//   rotor-bench hostile [stores] [seconds]                 operator peak RSS with every store's reads answered by 20 MiB
//
// The emulator runs in its own process (`rotor dev --api-only`, built beside this
// executable), so its peak RSS is measured alone.

let mode = CommandLine.arguments.dropFirst().first.flatMap { Int($0) == nil ? $0 : nil } ?? "kube"
let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let objectCount = arguments.count > 0 ? arguments[0] : 10_000
let concurrency = arguments.count > 1 ? arguments[1] : 8
let watcherCount = arguments.count > 2 ? arguments[2] : 100
let heldObjects = 20_000
let watchRounds = 20

let secrets = ResourceType(group: "", version: "v1", plural: "secrets", kind: "Secret", namespaced: true)
let namespaces = ResourceType(group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false)
let clock = ContinuousClock()

func secret(_ name: String, round: Int = 0) -> JSONValue {
    [
        "apiVersion": "v1", "kind": "Secret",
        "metadata": ["name": .string(name), "labels": ["app": "bench", "round": .string(String(round))]],
        "data": ["username": "YmVuY2g=", "password": .string(Data(name.utf8).base64EncodedString()), "url": "cG9zdGdyZXM6Ly9kYjo1NDMyL3Nob3A="],
    ]
}

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

/// Peak and current resident set size of a process, from /proc.
func memory(of pid: Int32) -> (peakMiB: Double, currentMiB: Double) {
    let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
    func field(_ name: String) -> Double {
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name) }) else { return 0 }
        return (Double(line.split(separator: " ").dropFirst().first.map(String.init) ?? "0") ?? 0) / 1024
    }
    return (field("VmHWM:"), field("VmRSS:"))
}

/// CPU seconds (user + system) a process has used so far, from /proc.
func cpuSeconds(of pid: Int32) -> Double {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else { return 0 }
    // Fields after the command: state is field 3; utime and stime are fields 14 and 15.
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
}

/// Creates `names` with `concurrency` requests in flight.
func createAll(_ client: HTTPKubernetesClient, namespace: String, names: [String], concurrency: Int = 8) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        var next = 0
        for _ in 0..<concurrency {
            let start = next
            next += 1
            group.addTask {
                var i = start
                while i < names.count {
                    _ = try await client.create(secrets, namespace: namespace, body: secret(names[i]))
                    i += concurrency
                }
            }
        }
        try await group.waitForAll()
    }
}

actor Arrivals {
    var latencies: [Duration] = []
    var sentAt: [Int: ContinuousClock.Instant] = [:]
    func sent(_ round: Int, at instant: ContinuousClock.Instant) { sentAt[round] = instant }
    func arrived(_ round: Int, at instant: ContinuousClock.Instant) {
        if let sent = sentAt[round] { latencies.append(sent.duration(to: instant)) }
    }
    func count() -> Int { latencies.count }
}

/// An emulator in a child process (`rotor dev --api-only`) and its kubeconfig; or, for the
/// operator benchmark with `ROTOR_BENCH_KUBECONFIG`, a real API server already running.
struct EmulatorProcess {
    /// Nil for an external API server.
    let process: Process?
    let kubeconfigPath: String
    let work: URL?

    /// The API server `ROTOR_BENCH_KUBECONFIG` names, if set: the benchmark then runs against
    /// it (e.g. a real kube-apiserver) instead of starting the emulator.
    static var external: EmulatorProcess? {
        ProcessInfo.processInfo.environment["ROTOR_BENCH_KUBECONFIG"].map { EmulatorProcess(process: nil, kubeconfigPath: $0, work: nil) }
    }

    /// `rotor dev` with `arguments` (default: the API emulator alone), in a scratch directory.
    static func start(_ arguments: [String] = ["--api-only"]) async throws -> EmulatorProcess {
        let binDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("rotor-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let kubeconfigPath = work.appendingPathComponent("kubeconfig").path
        let server = Process()
        server.executableURL = binDirectory.appendingPathComponent("rotor")
        server.arguments = ["dev"] + arguments + ["--kubeconfig", kubeconfigPath]
        server.standardOutput = FileHandle.nullDevice
        try server.run()
        while !FileManager.default.fileExists(atPath: kubeconfigPath) { try await Task.sleep(for: .milliseconds(50)) }
        try await Task.sleep(for: .milliseconds(200))
        return EmulatorProcess(process: server, kubeconfigPath: kubeconfigPath, work: work)
    }

    func stop() {
        guard let process, let work else { return }
        process.interrupt()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: work)
    }

    func client(connections: Int) throws -> HTTPKubernetesClient {
        var configuration = try KubeConfig.load(path: kubeconfigPath).clientConfiguration()
        configuration.maximumConnections = connections
        return try HTTPKubernetesClient(configuration: configuration)
    }
}

/// Every object of `type` in `namespace` matching `labelSelector`, listed page by page.
func listAll(_ client: HTTPKubernetesClient, _ type: ResourceType, namespace: String, labelSelector: String? = nil) async throws -> [JSONValue] {
    var items: [JSONValue] = []
    var token: String?
    repeat {
        var options = ListOptions()
        options.labelSelector = labelSelector
        options.limit = 5_000
        options.continue = token
        let page = try await client.list(type, namespace: namespace, options: options)
        items += page["items"]?.arrayValue ?? []
        token = page[path: ["metadata", "continue"]]?.stringValue
        if token?.isEmpty == true { token = nil }
    } while token != nil
    return items
}

/// Secrets managed by Rotor in `namespace`.
func managedSecretCount(_ client: HTTPKubernetesClient, namespace: String) async throws -> Int {
    try await listAll(client, secrets, namespace: namespace, labelSelector: "rotor.dev/managed=true").count
}

/// Creates ExternalSecrets `es-0` … `es-(count-1)` in `default`, 16 at a time, each reading
/// property `password` of the remote key `key(i)` from the SecretStore `store`, every 1m.
func createExternalSecrets(
    _ client: HTTPKubernetesClient, count: Int, store: String, key: @escaping @Sendable (Int) -> String
) async throws {
    try await forEachConcurrently(count, concurrency: 16) { i in
        let es: JSONValue = [
            "apiVersion": "rotor.dev/v1alpha1", "kind": "ExternalSecret", "metadata": ["name": .string("es-\(i)"), "namespace": "default"],
            "spec": [
                "secretStoreRef": ["name": .string(store), "kind": "SecretStore"], "refreshInterval": "1m",
                "data": [["secretKey": "password", "remoteRef": ["key": .string(key(i)), "property": "password"]]],
            ],
        ]
        _ = try await client.create(ExternalSecret.resourceType, namespace: "default", body: es)
    }
}

/// Waits until the SecretStore's `Ready` condition is `True` (at most `timeout`).
func waitUntilStoreReady(_ client: HTTPKubernetesClient, namespace: String, name: String, timeout: Duration = .seconds(120)) async throws {
    let deadline = ContinuousClock.now + timeout
    while true {
        let current = try await client.get(SecretStore.resourceType, namespace: namespace, name: name)
        let conditions = current[path: ["status", "conditions"]]?.arrayValue ?? []
        if conditions.contains(where: { $0["type"]?.stringValue == "Ready" && $0["status"]?.stringValue == "True" }) { return }
        guard ContinuousClock.now < deadline else {
            throw BenchmarkFailure("SecretStore \(namespace)/\(name) not Ready after \(timeout): \(current["status"]?.serializedString() ?? "no status")")
        }
        try await Task.sleep(for: .milliseconds(100))
    }
}

if mode == "operator" {
    try await operatorBenchmark(externalSecrets: arguments.first ?? 10_000, namespaceCount: arguments.count > 1 ? arguments[1] : 100)
    exit(0)
}

if mode == "vault" {
    try await vaultBenchmark(externalSecrets: arguments.first ?? 10_000, keys: arguments.count > 1 ? arguments[1] : 1_000)
    exit(0)
}

if mode == "aws" {
    try await awsBenchmark(externalSecrets: arguments.first ?? 10_000, keys: arguments.count > 1 ? arguments[1] : 2_000)
    exit(0)
}

if mode == "hostile" {
    try await hostileBenchmark(stores: arguments.first ?? 1_000, seconds: arguments.count > 1 ? arguments[1] : 60)
    exit(0)
}

if mode == "runtime" {
    try await runtimeBenchmark(objects: arguments.first ?? 10_000)
    exit(0)
}

let emulator = try await EmulatorProcess.start()
defer { emulator.stop() }
let server = emulator.process!
let kubeconfigPath = emulator.kubeconfigPath
var configuration = try KubeConfig.load(path: kubeconfigPath).clientConfiguration()
configuration.maximumConnections = watcherCount + concurrency + 16
let client = try HTTPKubernetesClient(configuration: configuration)
_ = try await client.create(namespaces, namespace: nil, body: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "bench"]])
_ = try await client.create(namespaces, namespace: nil, body: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "held"]])

// 1. Creates.
let names = (0..<objectCount).map { String(format: "secret-%05d", $0) }
let createTime = try await clock.measure { try await createAll(client, namespace: "bench", names: names) }
let createRate = Double(objectCount) / seconds(createTime)

// 2. Full lists of every object, no pagination.
var listTimes: [Duration] = []
var listed = 0
for _ in 0..<5 {
    listTimes.append(try await clock.measure {
        listed = try await client.list(secrets, namespace: "bench")["items"]?.arrayValue?.count ?? 0
    })
}
precondition(listed == objectCount, "listed \(listed) of \(objectCount)")
listTimes.sort()

// 3. Watch fan-out: every watcher must see each change.
let arrivals = Arrivals()
let startRV = try await client.list(secrets, namespace: "bench", options: ListOptions(limit: 1))["metadata"]?["resourceVersion"]?.stringValue
var watchers: [Task<Void, Error>] = []
for _ in 0..<watcherCount {
    let stream = try await client.watch(secrets, namespace: "bench", options: WatchOptions(resourceVersion: startRV, timeoutSeconds: 600))
    watchers.append(Task {
        for try await event in stream where event.type == .modified {
            if let round = event.object[path: ["metadata", "labels", "round"]]?.stringValue.flatMap({ Int($0) }) {
                await arrivals.arrived(round, at: clock.now)
                if round == watchRounds { return }
            }
        }
    })
}
try await Task.sleep(for: .milliseconds(500))
for round in 1...watchRounds {
    await arrivals.sent(round, at: clock.now)
    _ = try await client.patch(secrets, namespace: "bench", name: names[round], patch: .merge(["metadata": ["labels": ["round": .string(String(round))]]]))
    let expected = round * watcherCount
    let deadline = clock.now + .seconds(10)
    while await arrivals.count() < expected, clock.now < deadline { try await Task.sleep(for: .milliseconds(1)) }
}
for watcher in watchers { watcher.cancel() }
let latencies = await arrivals.latencies.sorted()
let delivered = latencies.count

// 4. Memory while holding `heldObjects` objects.
let more = (0..<max(0, heldObjects - objectCount)).map { String(format: "held-%05d", $0) }
try await createAll(client, namespace: "held", names: more)
let mem = memory(of: server.processIdentifier)
try await client.shutdown()

func ms(_ d: Duration) -> String { String(format: "%.1f ms", seconds(d) * 1000) }
print("""
    | measure | result |
    | --- | --- |
    | creates, \(concurrency) concurrent | \(objectCount) in \(String(format: "%.2f", seconds(createTime))) s = **\(Int(createRate)) creates/s** |
    | full list of \(objectCount) Secrets | best \(ms(listTimes[0])), median \(ms(listTimes[2])) |
    | watch fan-out, \(watcherCount) watches × \(watchRounds) changes | \(delivered)/\(watcherCount * watchRounds) delivered; p50 \(ms(latencies.isEmpty ? .zero : latencies[latencies.count / 2])), p99 \(ms(latencies.isEmpty ? .zero : latencies[latencies.count * 99 / 100])), max \(ms(latencies.last ?? .zero)) |
    | emulator peak RSS holding \(heldObjects) Secrets | **\(String(format: "%.0f", mem.peakMiB)) MiB** (current \(String(format: "%.0f", mem.currentMiB)) MiB) |
    """)
