import HTTPServing
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// `/healthz`, `/readyz` and `/metrics` for the kubelet's probes and Prometheus.
///
/// - `/healthz`: the process serves requests (liveness).
/// - `/readyz`: ``Readiness`` says ready — caches synced on the leader, or this
///   replica is a standby waiting for the Lease (both are healthy members of the
///   Deployment; only the leader reconciles).
/// - `/metrics`: the Prometheus text exposition of ``metrics``.
public final class HealthServer: Sendable {
    /// What `/readyz` reports.
    public enum Readiness: Sendable, Equatable {
        case ready(String)
        case notReady(String)
    }

    private let server: HTTPServer
    /// The port bound (the real one when 0 was asked).
    public var port: Int { server.port }

    public init(
        host: String, port: Int, logger: Logger,
        readiness: @escaping @Sendable () async -> Readiness,
        metrics: @escaping @Sendable () -> [UInt8]
    ) async throws {
        server = try await HTTPServer(
            host: host, port: port, group: MultiThreadedEventLoopGroup.singleton, logger: logger,
            maximumBodySize: 4096
        ) { request in
            await Self.respond(to: request, readiness: readiness, metrics: metrics)
        }
    }

    public func shutdown() async {
        await server.shutdown()
    }

    static func respond(
        to request: HTTPServerRequest, readiness: @Sendable () async -> Readiness, metrics: @Sendable () -> [UInt8]
    ) async -> HTTPServerResponse {
        guard request.method == .GET || request.method == .HEAD else {
            return .bytes(Array("method not allowed\n".utf8), status: .methodNotAllowed, contentType: "text/plain; charset=utf-8")
        }
        switch request.path {
        case "/healthz", "/livez":
            return .bytes(Array("ok\n".utf8), contentType: "text/plain; charset=utf-8")
        case "/readyz":
            switch await readiness() {
            case .ready(let why):
                return .bytes(Array("ok: \(why)\n".utf8), contentType: "text/plain; charset=utf-8")
            case .notReady(let why):
                return .bytes(Array("not ready: \(why)\n".utf8), status: .serviceUnavailable, contentType: "text/plain; charset=utf-8")
            }
        case "/metrics":
            return .bytes(metrics(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        default:
            return .bytes(Array("not found; try /healthz, /readyz or /metrics\n".utf8), status: .notFound, contentType: "text/plain; charset=utf-8")
        }
    }
}
