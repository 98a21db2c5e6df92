import AWSProvider
import EmulatorTestSupport
import Foundation
import HTTPServing
import KubeClient
import Logging
import MotoTestSupport
import NIOPosix
import JSONCore
import KubeAPI
import RotorAPI
import SecretProviders
import Synchronization
import Testing
import VaultEmulator
import VaultProvider
@testable import RotorOperator

/// A server a tenant could name in its store: a loopback HTTP listener that records every
/// request (method, path, headers, body) and refuses it with 403.
final class RecordingListener: Sendable {
    struct Request: Sendable {
        var method: String
        var path: String
        var headers: [(name: String, value: String)]
        var body: [UInt8]

        var bodyText: String { String(decoding: body, as: UTF8.self) }
    }

    final class Log: Sendable {
        let requests = Mutex<[Request]>([])
    }

    private let server: HTTPServer
    private let log: Log

    private init(server: HTTPServer, log: Log) {
        self.server = server
        self.log = log
    }

    var url: String { "http://127.0.0.1:\(server.port)" }
    var requests: [Request] { log.requests.withLock { $0 } }

    static func with<T>(_ body: (RecordingListener) async throws -> T) async throws -> T {
        let log = Log()
        let server = try await HTTPServer(
            host: "127.0.0.1", port: 0, group: MultiThreadedEventLoopGroup.singleton,
            logger: Logger(label: "listener", factory: { _ in SwiftLogNoOpLogHandler() })
        ) { request in
            let recorded = Request(
                method: request.method.rawValue, path: request.path, headers: request.headers.map { ($0.name, $0.value) }, body: request.body)
            log.requests.withLock { $0.append(recorded) }
            return .bytes(Array(#"{"errors":["permission denied"]}"#.utf8), status: .forbidden, contentType: "application/json")
        }
        let listener = RecordingListener(server: server, log: log)
        do {
            let result = try await body(listener)
            await server.shutdown()
            return result
        } catch {
            await server.shutdown()
            throw error
        }
    }
}

/// Every credential a store refers to is `value`.
struct FixedCredential: CredentialResolver {
    let value: String
    func credential(name: String, key: String, namespace: String?) async throws -> SecretValue { SecretValue(utf8: value) }
}

extension StoreIdentityRuleTests {
    /// Vault's kubernetes auth pointed at the emulated cluster (TokenReview with its admin
    /// token), and a `read` policy on `secret/data/*`.
    static func enableKubernetesAuth(_ vault: VaultEmulator, against cluster: EmulatedCluster) async {
        await vault.request("PUT", "sys/policies/acl/read", body: ["policy": #"path "secret/data/*" { capabilities = ["read"] }"#])
        await vault.request("POST", "sys/auth/kubernetes", body: ["type": "kubernetes"])
        await vault.request("POST", "auth/kubernetes/config", body: [
            "kubernetes_host": .string(cluster.emulator.url), "kubernetes_ca_cert": .string(cluster.emulator.caCertificatePEM ?? ""),
            "token_reviewer_jwt": .string(cluster.emulator.adminToken),
        ])
    }
}
