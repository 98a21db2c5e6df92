import AsyncHTTPClient
import Foundation
import HTTPServing
import KubeClient
import Logging
import NIOPosix
import JSONCore
import KubeAPI
import RotorAPI
import Synchronization

// rotor-bench hostile [stores=1000] [seconds=60]
//
// Memory under hostile answers: the operator (`rotor run`, its own process) against the
// API emulator (`rotor dev --api-only`), with `stores` Vault SecretStores that all name
// one loopback TLS server run here. That server answers the token lookup and the ACL
// check as Vault would, and every secret read with a 20 MiB chunked body: 2 MiB at once,
// then 64 KiB every 50 ms. Each store has one ExternalSecret, so every store is read, and
// read again at each retry. Reports the operator's peak RSS (VmHWM) over the run, the
// oversize answers started, and one ExternalSecret's condition.

private final class HostileCounts: Sendable {
    let reads = Mutex(0)
    let other = Mutex(0)
}

func hostileBenchmark(stores: Int, seconds: Int) async throws {
    let emulator = try await EmulatorProcess.start()
    defer { emulator.stop() }
    let client = try emulator.client(connections: 32)
    try await installOperatorPrerequisites(client)
    progress("API emulator up, CRDs installed")

    // 1. The hostile "Vault".
    let certificates = try ServingCertificates.generate(serverName: "vault")
    let counts = HostileCounts()
    let server = try await HTTPServer(
        host: "127.0.0.1", port: 0, tls: try certificates.makeServerContext(), group: MultiThreadedEventLoopGroup.singleton,
        logger: Logger(label: "hostile", factory: { _ in SwiftLogNoOpLogHandler() })
    ) { request in
        switch request.path {
        case "/v1/auth/token/lookup-self":
            counts.other.withLock { $0 += 1 }
            return .bytes(Array(#"{"data":{"ttl":0,"renewable":false,"policies":["root"]}}"#.utf8), contentType: "application/json")
        case "/v1/sys/internal/ui/resultant-acl":
            counts.other.withLock { $0 += 1 }
            return .bytes(Array(#"{"data":{"root":true}}"#.utf8), contentType: "application/json")
        default:
            counts.reads.withLock { $0 += 1 }
            return HTTPServerResponse(status: .ok, headers: [("Content-Type", "application/json")], body: .stream { write in
                let filler = [UInt8](repeating: UInt8(ascii: "a"), count: 64 << 10)
                var sent = 0
                while sent < 20 << 20 {
                    try await write(filler)
                    sent += filler.count
                    if sent > 2 << 20 { try await Task.sleep(for: .milliseconds(50)) }
                }
            })
        }
    }
    let url = "https://127.0.0.1:\(server.port)"
    progress("hostile Vault on \(url)")

    // 2. The operator.
    let child = try OperatorChild(
        kubeconfig: emulator.kubeconfigPath,
        settings: ["--health-address=127.0.0.1:0", "--log-level=info", "--workers=4", "--leader-elect=false"])
    defer { child.stop() }
    progress("operator started")
    _ = try await child.ready()
    progress("operator ready")
    let pid = child.process.processIdentifier
    let idle = memory(of: pid)

    // 3. A token Secret, the stores and one ExternalSecret per store.
    _ = try await client.create(
        Secret.resourceType, namespace: "default",
        body: ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "vault-token"], "stringData": ["token": "hvs.tenant"]])
    let caBundle = Data(certificates.caCertificatePEM.utf8).base64EncodedString()
    let started = ContinuousClock.now
    try await forEachConcurrently(stores, concurrency: 16) { i in
        let store: JSONValue = [
            "apiVersion": "rotor.dev/v1alpha1", "kind": "SecretStore", "metadata": ["name": .string("hostile-\(i)"), "namespace": "default"],
            "spec": [
                "provider": [
                    "vault": [
                        "server": .string(url), "path": "secret", "version": "v2", "caBundle": .string(caBundle),
                        "auth": ["tokenSecretRef": ["name": "vault-token", "key": "token"]],
                    ]
                ]
            ],
        ]
        _ = try await client.create(SecretStore.resourceType, namespace: "default", body: store)
        let es: JSONValue = [
            "apiVersion": "rotor.dev/v1alpha1", "kind": "ExternalSecret", "metadata": ["name": .string("es-\(i)"), "namespace": "default"],
            "spec": [
                "secretStoreRef": ["name": .string("hostile-\(i)"), "kind": "SecretStore"], "refreshInterval": "10s",
                "data": [["secretKey": "password", "remoteRef": ["key": .string("app/\(i)"), "property": "password"]]],
            ],
        ]
        _ = try await client.create(ExternalSecret.resourceType, namespace: "default", body: es)
    }
    print("created \(stores) stores and ExternalSecrets in \(started.duration(to: .now))")

    // 4. Hammer for `seconds`, sampling the operator's memory.
    var peakSeen = idle.peakMiB
    var lastReport = ContinuousClock.now
    let end = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < end {
        try await Task.sleep(for: .milliseconds(250))
        let now = memory(of: pid)
        peakSeen = max(peakSeen, now.peakMiB)
        if lastReport.duration(to: .now) > .seconds(10) {
            lastReport = .now
            print(String(format: "  %3.0f s: RSS %.1f MiB, peak %.1f MiB, oversize answers started %d",
                         Double(started.duration(to: .now).components.seconds), now.currentMiB, now.peakMiB, counts.reads.withLock { $0 }))
        }
    }
    guard child.process.isRunning else { throw BenchmarkFailure("the operator died: \(child.output.suffix(20).joined(separator: "\n"))") }
    let final = memory(of: pid)
    let es = try await client.get(ExternalSecret.resourceType, namespace: "default", name: "es-0")
    let ready = (es[path: ["status", "conditions"]]?.arrayValue ?? []).first { $0["type"]?.stringValue == "Ready" }
    print("""
        hostile: \(stores) Vault stores, each answering reads with 20 MiB, \(seconds) s
          oversize answers started: \(counts.reads.withLock { $0 }) (other requests: \(counts.other.withLock { $0 }))
          operator RSS: idle \(String(format: "%.1f", idle.currentMiB)) MiB, now \(String(format: "%.1f", final.currentMiB)) MiB, peak \(String(format: "%.1f", max(peakSeen, final.peakMiB))) MiB (limit 256 MiB)
          es-0 Ready: \(ready?["status"]?.stringValue ?? "?") \(ready?["reason"]?.stringValue ?? "") — \(ready?["message"]?.stringValue ?? "")
        """)
    // The operator first: a connection it opens while the server shuts down is not ours to race.
    child.stop()
    try await client.shutdown()
    await server.shutdown()
}

/// A progress line on standard error (unbuffered), so a stalled run shows where it is.
private func progress(_ text: String) {
    FileHandle.standardError.write(Data("hostile: \(text)\n".utf8))
}
