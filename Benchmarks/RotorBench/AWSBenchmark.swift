import AsyncHTTPClient
import Foundation
import HTTPServing
import KubeClient
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import JSONCore
import KubeAPI
import RotorAPI

// rotor-bench aws [externalSecrets=10000] [keys=2000]
//
// The operator-level version of the provider benchmark in
// Tests/AWSProviderTests/AWSRefreshBenchmark.swift. A moto server (`python3 -m
// moto.server`, AWS mocks from PyPI) in a child process holds `keys` Secrets Manager
// secrets `bench/key-i`; a counting proxy in this process sits in front of it; the
// sandbox (`rotor dev --no-demo`: API emulator and operator in one child process) gets
// one AWS SecretStore (static keys from a Secret, `endpoint` the proxy) and
// `externalSecrets` ExternalSecrets, es-i reading `bench/key-(i % keys)` every minute.
// Reports the AWS calls (by `X-Amz-Target`) and the time of the first sync, and the
// calls of one full refresh (70 s: every 1m interval, ±10 % jitter, passes once).

/// AWS calls seen by the proxy, by `X-Amz-Target`, and the failed ones by
/// `target status __type`. `@unchecked Sendable`: only touched under `lock`.
final class AWSCallCounter: @unchecked Sendable {
    struct Snapshot {
        var calls: [String: Int] = [:]
        var failures: [String: Int] = [:]
        var last: ContinuousClock.Instant?

        var total: Int { calls.values.reduce(0, +) }
        subscript(_ operation: String) -> Int { calls["secretsmanager.\(operation)", default: 0] }

        static func - (after: Snapshot, before: Snapshot) -> Snapshot {
            Snapshot(
                calls: after.calls.merging(before.calls.mapValues { -$0 }, uniquingKeysWith: +).filter { $0.value != 0 },
                failures: after.failures.merging(before.failures.mapValues { -$0 }, uniquingKeysWith: +).filter { $0.value != 0 },
                last: after.last)
        }
    }

    private let lock = NSLock()
    private var current = Snapshot()

    func record(_ target: String, failure: String?) {
        lock.withLock {
            current.calls[target, default: 0] += 1
            if let failure { current.failures["\(target) \(failure)", default: 0] += 1 }
            current.last = .now
        }
    }

    var snapshot: Snapshot { lock.withLock { current } }
}

/// An HTTP proxy on a loopback port that forwards every request to `upstream` as it
/// came (method, path, headers, body) and answers with what upstream answered,
/// counting requests by their `X-Amz-Target` header.
final class CountingProxy: Sendable {
    private let server: HTTPServer
    let counter = AWSCallCounter()

    var endpoint: String { "http://127.0.0.1:\(server.port)" }

    init(upstream: String, http: HTTPClient) async throws {
        let counter = self.counter
        // Hop-by-hop headers, and the length (the client sets it for the body it sends).
        let notForwarded: Set<String> = ["connection", "keep-alive", "transfer-encoding", "content-length", "te", "upgrade"]
        server = try await HTTPServer(
            host: "127.0.0.1", port: 0, group: MultiThreadedEventLoopGroup.singleton,
            logger: Logger(label: "aws-bench-proxy", factory: { _ in SwiftLogNoOpLogHandler() })
        ) { request in
            let target = request.headers.first(name: "x-amz-target") ?? "(no X-Amz-Target) \(request.method.rawValue) \(request.path)"
            var path = request.path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? request.path
            if !request.query.isEmpty {
                var allowed = CharacterSet.urlQueryAllowed
                allowed.remove(charactersIn: "&=+")
                path += "?" + request.query.sorted { $0.key < $1.key }.flatMap { name, values in
                    values.map { "\(name.addingPercentEncoding(withAllowedCharacters: allowed) ?? name)=\($0.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0)" }
                }.joined(separator: "&")
            }
            var forward = HTTPClientRequest(url: upstream + path)
            forward.method = request.method
            for header in request.headers where !notForwarded.contains(header.name.lowercased()) {
                forward.headers.add(name: header.name, value: header.value)
            }
            if !request.body.isEmpty { forward.body = .bytes(request.body, length: .known(Int64(request.body.count))) }
            do {
                let answer = try await http.execute(forward, timeout: .seconds(60))
                let body = Array(try await answer.body.collect(upTo: 16 << 20).readableBytesView)
                var failure: String?
                if answer.status.code >= 400 {
                    let type = (try? JSONValue(parsing: body))?["__type"]?.stringValue ?? "?"
                    failure = "\(answer.status.code) \(type)"
                }
                counter.record(target, failure: failure)
                let headers = answer.headers.filter { !notForwarded.contains($0.name.lowercased()) }.map { ($0.name, $0.value) }
                return HTTPServerResponse(status: answer.status, headers: headers, body: .bytes(body))
            } catch {
                counter.record(target, failure: "proxy error: \(error)")
                return .bytes(Array("proxy: \(error)".utf8), status: .badGateway, contentType: "text/plain")
            }
        }
    }

    func shutdown() async { await server.shutdown() }
}

/// `python3 -m moto.server` on a free loopback port, its output in a scratch file.
final class MotoChild: @unchecked Sendable {
    // @unchecked Sendable: `process` is started and stopped by one task.
    let process = Process()
    let endpoint: String
    let log: URL

    private init(port: Int, log: URL) throws {
        endpoint = "http://127.0.0.1:\(port)"
        self.log = log
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        try process.run()
    }

    /// A port nobody listens on now (bound to 0 and closed again).
    private static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port
        try await channel.close()
        guard let port else { throw BenchmarkFailure("no free loopback port") }
        return port
    }

    /// Starts moto and waits until `GET /moto-api/data.json` answers (a few tries, in
    /// case another process took the port in between).
    static func start(http: HTTPClient) async throws -> MotoChild {
        var lastOutput = ""
        for _ in 0..<3 {
            let log = FileManager.default.temporaryDirectory.appendingPathComponent("rotor-bench-moto-\(UUID().uuidString).log")
            let moto = try MotoChild(port: try await freePort(), log: log)
            let deadline = ContinuousClock.now + .seconds(60)
            while moto.process.isRunning, ContinuousClock.now < deadline {
                let answer = try? await http.execute(HTTPClientRequest(url: moto.endpoint + "/moto-api/data.json"), timeout: .seconds(2))
                if answer?.status == .ok {
                    _ = try? await answer?.body.collect(upTo: 16 << 20)
                    return moto
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            lastOutput = moto.outputTail()
            moto.stop()
        }
        throw BenchmarkFailure("moto did not start (`python3 -m pip install 'moto[server]'`?):\n\(lastOutput)")
    }

    func outputTail(_ characters: Int = 3000) -> String {
        String(((try? String(contentsOf: log, encoding: .utf8)) ?? "").suffix(characters))
    }

    /// SIGKILL, wait, and the log removed (a second call does nothing). Not SIGTERM: a
    /// child started by Foundation's `Process` here inherits a signal mask that blocks
    /// SIGTERM and SIGINT, so python never sees them; moto has nothing to save anyway.
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: log)
    }

    /// A Secrets Manager call straight to moto (JSON protocol). moto does not check
    /// signatures unless told to, so a well-formed but unsigned `Authorization` will do.
    @discardableResult
    func secretsManager(_ http: HTTPClient, _ operation: String, _ body: JSONValue) async throws -> JSONValue {
        var request = HTTPClientRequest(url: endpoint + "/")
        request.method = .POST
        request.headers.add(name: "X-Amz-Target", value: "secretsmanager.\(operation)")
        request.headers.add(name: "Content-Type", value: "application/x-amz-json-1.1")
        request.headers.add(
            name: "Authorization",
            value: "AWS4-HMAC-SHA256 Credential=bench/20261129/us-east-1/secretsmanager/aws4_request, SignedHeaders=host, Signature=00")
        request.body = .bytes(body.serializedBytes())
        let response = try await http.execute(request, timeout: .seconds(60))
        let bytes = Array(try await response.body.collect(upTo: 16 << 20).readableBytesView)
        guard response.status == .ok else {
            throw BenchmarkFailure("moto \(operation) answered \(response.status.code): \(String(decoding: bytes, as: UTF8.self))")
        }
        return try JSONValue(parsing: bytes)
    }
}

/// What the benchmark started, stopped in reverse order however it ends.
private final class AWSBenchResources: @unchecked Sendable {
    // @unchecked Sendable: set and torn down by the one benchmark task.
    let http: HTTPClient
    var moto: MotoChild?
    var proxy: CountingProxy?
    var sandbox: EmulatorProcess?
    var client: HTTPKubernetesClient?

    init() {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func close() async {
        sandbox?.stop()  // the operator first: it calls the proxy
        try? await client?.shutdown()
        await proxy?.shutdown()
        moto?.stop()
        try? await http.shutdown()
    }
}

func awsBenchmark(externalSecrets total: Int, keys: Int) async throws {
    let resources = AWSBenchResources()
    do {
        try await awsBenchmark(resources, externalSecrets: total, keys: keys)
    } catch {
        await resources.close()
        throw error
    }
    await resources.close()
}

/// ExternalSecrets' `status.refreshTime` by name, and how many are not Ready.
private func externalSecretStates(_ client: HTTPKubernetesClient) async throws -> (refreshTimes: [String: KubeTime], notReady: [String: String]) {
    var refreshTimes: [String: KubeTime] = [:]
    var notReady: [String: String] = [:]
    for item in try await listAll(client, ExternalSecret.resourceType, namespace: "default") {
        let name = item[path: ["metadata", "name"]]?.stringValue ?? ""
        if let text = item[path: ["status", "refreshTime"]]?.stringValue, let time = KubeTime(rfc3339: text) { refreshTimes[name] = time }
        let ready = item[path: ["status", "conditions"]]?.arrayValue?.first { $0["type"]?.stringValue == "Ready" }
        if ready?["status"]?.stringValue != "True" {
            notReady[name] = "\(ready?["reason"]?.stringValue ?? "no Ready condition"): \(ready?["message"]?.stringValue ?? "")"
        }
    }
    return (refreshTimes, notReady)
}

private func awsBenchmark(_ resources: AWSBenchResources, externalSecrets total: Int, keys: Int) async throws {
    let http = resources.http
    func secondsText(_ d: Duration) -> String { String(format: "%.1f s", seconds(d)) }
    func log(_ line: String) { FileHandle.standardError.write(Data("rotor-bench aws: \(line)\n".utf8)) }

    // 1. moto, seeded one key at a time (its CreateSecret is not safe concurrently).
    let moto = try await MotoChild.start(http: http)
    resources.moto = moto
    let seedStart = ContinuousClock.now
    for i in 0..<keys {
        try await moto.secretsManager(http, "CreateSecret", [
            "Name": .string("bench/key-\(i)"), "SecretString": .string(#"{"password":"value-\#(i)"}"#),
        ])
    }
    let seedTime = seedStart.duration(to: .now)
    log("moto on \(moto.endpoint), \(keys) secrets created in \(secondsText(seedTime))")

    // 2. The counting proxy in front of it.
    let proxy = try await CountingProxy(upstream: moto.endpoint, http: http)
    resources.proxy = proxy

    // 3. The sandbox, the credentials Secret and the store.
    let sandbox = try await EmulatorProcess.start(["--no-demo"])
    resources.sandbox = sandbox
    let client = try sandbox.client(connections: 32)
    resources.client = client
    _ = try await client.create(secrets, namespace: "default", body: [
        "apiVersion": "v1", "kind": "Secret", "metadata": ["name": "aws", "namespace": "default"],
        "data": [
            "access-key-id": .string(Data("AKIAROTORBENCH000000".utf8).base64EncodedString()),
            "secret-access-key": .string(Data("rotor-bench-not-a-secret".utf8).base64EncodedString()),
        ],
    ])
    _ = try await client.create(SecretStore.resourceType, namespace: "default", body: [
        "apiVersion": "rotor.dev/v1alpha1", "kind": "SecretStore", "metadata": ["name": "aws", "namespace": "default"],
        "spec": [
            "provider": [
                "aws": [
                    "service": "SecretsManager", "region": "us-east-1", "endpoint": .string(proxy.endpoint), "insecureAllowHTTP": true,
                    "auth": [
                        "secretRef": [
                            "accessKeyIDSecretRef": ["name": "aws", "key": "access-key-id"],
                            "secretAccessKeySecretRef": ["name": "aws", "key": "secret-access-key"],
                        ],
                    ],
                ],
            ],
        ],
    ])
    try await waitUntilStoreReady(client, namespace: "default", name: "aws")
    let beforeSync = proxy.counter.snapshot

    // 4. The ExternalSecrets: creation to the last Secret written.
    log("store Ready; creating \(total) ExternalSecrets")
    let started = ContinuousClock.now
    try await createExternalSecrets(client, count: total, store: "aws") { "bench/key-\($0 % keys)" }
    let created = ContinuousClock.now
    var synced = 0
    var progressAt = ContinuousClock.now
    while true {
        let count = try await managedSecretCount(client, namespace: "default")
        if count >= total { break }
        if count > synced {
            synced = count
            progressAt = .now
        } else if progressAt.duration(to: .now) > .seconds(180) {
            let states = try await externalSecretStates(client)
            let sample = states.notReady.sorted { $0.key < $1.key }.prefix(5).map { "  \($0.key): \($0.value)" }.joined(separator: "\n")
            throw BenchmarkFailure("stuck at \(count) of \(total) Secrets for 180 s; \(states.notReady.count) ExternalSecrets not Ready, e.g.\n\(sample)")
        }
        try await Task.sleep(for: .milliseconds(250))
    }
    let converged = ContinuousClock.now
    let afterSync = proxy.counter.snapshot
    let firstSync = try await externalSecretStates(client)
    log("all \(total) Secrets written after \(secondsText(started.duration(to: converged))); waiting 70 s for one full refresh")

    // 5. One full refresh: every ExternalSecret's 1m interval (±10 % jitter) passes once.
    try await Task.sleep(until: converged + .seconds(70))
    let afterRefresh = proxy.counter.snapshot
    let refreshed = try await externalSecretStates(client)
    let advanced = firstSync.refreshTimes.filter { name, first in refreshed.refreshTimes[name].map { $0 > first } ?? false }.count

    // 6. The report.
    func row(_ label: String, _ calls: AWSCallCounter.Snapshot, _ time: String) -> String {
        let batch = calls["BatchGetSecretValue"]
        let get = calls["GetSecretValue"]
        return "| \(label) | \(calls.total) | \(batch) | \(get) | \(calls.total - batch - get) | \(time) |"
    }
    func others(_ calls: AWSCallCounter.Snapshot) -> String {
        let list = calls.calls.filter { !$0.key.hasSuffix(".BatchGetSecretValue") && !$0.key.hasSuffix(".GetSecretValue") }
            .sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        return list.isEmpty ? "none" : list.joined(separator: ", ")
    }
    func failures(_ calls: AWSCallCounter.Snapshot) -> String {
        calls.failures.isEmpty ? "none" : calls.failures.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
    }
    let sync = afterSync - beforeSync
    let refresh = afterRefresh - afterSync
    let syncTime = started.duration(to: converged)
    let lastRefreshCall = refresh.last.map { secondsText(converged.duration(to: $0)) } ?? "-"
    print("""
        rotor-bench aws: \(total) ExternalSecrets over \(keys) Secrets Manager keys (es-i reads bench/key-(i % \(keys)), refreshInterval 1m), \
        one AWS SecretStore (static keys) → counting proxy → moto
        moto seeded with \(keys) secrets in \(secondsText(seedTime)) (one at a time); store Ready after \(beforeSync.total) AWS calls (\(others(beforeSync)))
        ExternalSecrets created in \(secondsText(started.duration(to: created))); all Secrets written after \(secondsText(syncTime))

        | phase | AWS calls | BatchGetSecretValue | GetSecretValue | other | time |
        | --- | ---: | ---: | ---: | ---: | ---: |
        \(row("first sync", sync, secondsText(syncTime)))
        \(row("one full refresh (70 s)", refresh, "70 s (last call at +\(lastRefreshCall))"))

        goal: ≤ ⌈keys / 20⌉ = \((keys + 19) / 20) batch calls per full refresh
        refresh check: \(advanced) of \(total) ExternalSecrets' status.refreshTime advanced past the first sync \
        (\(firstSync.refreshTimes.count) had one after it); not Ready after the first sync \(firstSync.notReady.count), after the refresh \(refreshed.notReady.count)
        other calls: first sync \(others(sync)); refresh \(others(refresh))
        failed calls: first sync \(failures(sync)); refresh \(failures(refresh))
        """)
    if syncTime > .seconds(38) {
        print("note: the first sync took over 38 s, so ExternalSecrets synced early may be refreshed twice in the 70 s window (or once already before it ended)")
    }
    for (name, reason) in refreshed.notReady.sorted(by: { $0.key < $1.key }).prefix(5) { print("  not Ready: \(name): \(reason)") }
}
