import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SecretProviders

/// An HTTP request to an AWS endpoint, signed or not.
public struct AWSHTTPRequest: Sendable {
    public var method: String
    /// `scheme://host[:port]/path?query`.
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// The largest answer to read (see ``ResponseLimits``): a transport stops reading past
    /// it and throws ``ResponseTooLarge``.
    public var maximumResponseBytes: Int

    public init(
        method: String, url: String, headers: [(name: String, value: String)], body: [UInt8],
        maximumResponseBytes: Int = ResponseLimits.secretAnswerBytes
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.maximumResponseBytes = maximumResponseBytes
    }
}

/// An AWS endpoint's answer. The body may hold secret values: never log it.
public struct AWSHTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first header of that name (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

/// Sends requests; the seam between the provider's logic and the network.
public protocol AWSTransport: Sendable {
    /// Throws only when no answer came (connection refused, timeout), or ``ResponseTooLarge``
    /// when the answer passed the request's ``AWSHTTPRequest/maximumResponseBytes``; any
    /// HTTP status is an answer.
    func send(_ request: AWSHTTPRequest) async throws -> AWSHTTPResponse
}

/// The transport over async-http-client (the process-wide shared client by default, so
/// every AWS store of the process shares one connection pool). Answers are read chunk by
/// chunk up to the request's cap and refused past it, unread.
public struct AsyncHTTPClientTransport: AWSTransport {
    private let client: HTTPClient
    private let timeout: TimeAmount
    private let maximumBodySize: Int

    /// - Parameter maximumBodySize: a ceiling over every request's own cap.
    public init(client: HTTPClient = .shared, timeout: Duration = .seconds(30), maximumBodySize: Int = ResponseLimits.batchAnswerBytes) {
        self.client = client
        let parts = timeout.components
        self.timeout = .nanoseconds(parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000)
        self.maximumBodySize = maximumBodySize
    }

    public func send(_ request: AWSHTTPRequest) async throws -> AWSHTTPResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if !request.body.isEmpty || request.method == "POST" {
            outgoing.body = .bytes(ByteBuffer(bytes: request.body))
        }
        let response = try await client.execute(outgoing, timeout: timeout)
        let body = try await ResponseLimits.collect(
            response.body.map(\.readableBytesView), limit: min(request.maximumResponseBytes, maximumBodySize),
            declaredLength: response.headers.first(name: "Content-Length").flatMap { Int($0) })
        return AWSHTTPResponse(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: body)
    }
}

// Requests carry signatures, session tokens and (PutSecretValue) secret values; answers
// carry secret values. Printing or dumping one shows only what is safe.
extension AWSHTTPRequest: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "\(method) \(url) (\(body.count) bytes, headers redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: []) }
}

extension AWSHTTPResponse: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "HTTP \(status) (\(body.count) bytes, redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: []) }
}
