import Foundation
import HTTPServing
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// An STS of our own on 127.0.0.1 (moto does not check ExternalId, session tags or who signs an
/// AssumeRole): records every request's form parameters and the SigV4 access key that signed
/// it, and answers `AssumeRole` / `AssumeRoleWithWebIdentity` with credentials whose access
/// key id names the role (`ASIA-<role name>`), so the next request shows which link signed it.
final class FakeSTS: Sendable {
    struct Call: Sendable {
        /// The form parameters, decoded.
        var parameters: [String: String]
        /// The access key id of the request's SigV4 `Credential=`; nil when unsigned.
        var signingKey: String?

        var action: String? { parameters["Action"] }
        var roleARN: String? { parameters["RoleArn"] }
    }

    /// The calls so far (a class: a `Mutex` cannot be captured by the server's handler).
    final class Log: Sendable {
        let calls = Mutex<[Call]>([])
    }

    private let server: HTTPServer
    private let log: Log

    var url: String { "http://127.0.0.1:\(server.port)" }
    var calls: [Call] { log.calls.withLock { $0 } }

    /// The access key id FakeSTS hands out for `roleARN`.
    static func accessKey(for roleARN: String) -> String { "ASIA-" + (roleARN.split(separator: "/").last.map(String.init) ?? roleARN) }

    private init(server: HTTPServer, log: Log) {
        self.server = server
        self.log = log
    }

    static func start() async throws -> FakeSTS {
        let log = Log()
        let server = try await HTTPServer(
            host: "127.0.0.1", port: 0, group: MultiThreadedEventLoopGroup.singleton,
            logger: Logger(label: "fake-sts", factory: { _ in SwiftLogNoOpLogHandler() })
        ) { request in
            let parameters = Self.decodeForm(request.body)
            let call = Call(parameters: parameters, signingKey: Self.signingKey(request.headers.first(name: "Authorization")))
            log.calls.withLock { $0.append(call) }
            guard let action = call.action, action.hasPrefix("AssumeRole"), let role = call.roleARN else {
                return .bytes(Array("<ErrorResponse><Error><Code>InvalidAction</Code></Error></ErrorResponse>".utf8), status: .badRequest, contentType: "text/xml")
            }
            let key = Self.accessKey(for: role)
            let xml = """
                <\(action)Response><\(action)Result><Credentials><AccessKeyId>\(key)</AccessKeyId>\
                <SecretAccessKey>secret-of-\(key)</SecretAccessKey><SessionToken>token-of-\(key)</SessionToken>\
                <Expiration>2099-01-01T00:00:00Z</Expiration></Credentials></\(action)Result></\(action)Response>
                """
            return .bytes(Array(xml.utf8), status: .ok, contentType: "text/xml")
        }
        return FakeSTS(server: server, log: log)
    }

    func shutdown() async { await server.shutdown() }

    static func with<T>(_ body: (FakeSTS) async throws -> T) async throws -> T {
        let sts = try await start()
        do {
            let result = try await body(sts)
            await sts.shutdown()
            return result
        } catch {
            await sts.shutdown()
            throw error
        }
    }

    /// `a=b&c=d`, percent-decoded.
    static func decodeForm(_ body: [UInt8]) -> [String: String] {
        var result: [String: String] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            let value = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? String(parts[1])) : ""
            result[name] = value
        }
        return result
    }

    /// The access key id of `AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/sts/aws4_request, …`.
    static func signingKey(_ authorization: String?) -> String? {
        guard let authorization, let start = authorization.range(of: "Credential=") else { return nil }
        return authorization[start.upperBound...].split(separator: "/").first.map(String.init)
    }
}
