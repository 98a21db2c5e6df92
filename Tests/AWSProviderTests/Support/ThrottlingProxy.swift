import AWSProvider
import Foundation
import HTTPServing
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// Sits in front of moto and answers `400 ThrottlingException` for a share of requests
/// (`throttle` of every `period`, by arrival order), forwarding the others.
final class ThrottlingProxy: Sendable {
    private let server: HTTPServer
    private let counters: Counters

    /// `@unchecked Sendable`: the counts are only touched under `lock`.
    final class Counters: @unchecked Sendable {
        private let lock = NSLock()
        private var seen = 0
        private var throttledCount = 0

        /// Whether this request (by arrival order) is throttled.
        func next(throttle: Int, period: Int) -> Bool {
            lock.withLock {
                seen += 1
                let throttled = seen % period < throttle
                if throttled { throttledCount += 1 }
                return throttled
            }
        }

        var throttled: Int { lock.withLock { throttledCount } }
        var total: Int { lock.withLock { seen } }
    }

    var endpoint: String { "http://127.0.0.1:\(server.port)" }
    var throttled: Int { counters.throttled }
    var total: Int { counters.total }

    init(upstream: String, throttle: Int, period: Int) async throws {
        let counters = Counters()
        self.counters = counters
        let transport = AsyncHTTPClientTransport()
        server = try await HTTPServer(
            host: "127.0.0.1", port: 0, group: MultiThreadedEventLoopGroup.singleton,
            logger: Logger(label: "throttling-proxy", factory: { _ in SwiftLogNoOpLogHandler() })
        ) { request in
            if counters.next(throttle: throttle, period: period) {
                return HTTPServerResponse.bytes(
                    Array(#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#.utf8), status: .badRequest,
                    contentType: "application/x-amz-json-1.1")
            }
            let headers = request.headers.map { (name: $0.name, value: $0.value) }.filter { $0.name.lowercased() != "content-length" }
            do {
                let answer = try await transport.send(
                    AWSHTTPRequest(method: request.method.rawValue, url: upstream + request.path, headers: headers, body: request.body))
                let forwarded = answer.headers.filter {
                    !["content-length", "transfer-encoding", "connection", "server", "date"].contains($0.name.lowercased())
                }.map { ($0.name, $0.value) }
                return HTTPServerResponse(status: HTTPResponseStatus(statusCode: answer.status), headers: forwarded, body: .bytes(answer.body))
            } catch {
                return HTTPServerResponse.bytes([], status: .badGateway, contentType: "text/plain")
            }
        }
    }

    func shutdown() async { await server.shutdown() }
}
