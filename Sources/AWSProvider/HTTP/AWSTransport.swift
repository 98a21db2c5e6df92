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

    public init(method: String, url: String, headers: [(name: String, value: String)], body: [UInt8]) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
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
    /// Throws only when no answer came (connection refused, timeout); any HTTP status is an answer.
    func send(_ request: AWSHTTPRequest) async throws -> AWSHTTPResponse
}

/// The transport over async-http-client (the process-wide shared client by default).
public struct AsyncHTTPClientTransport: AWSTransport {
    private let client: HTTPClient
    private let timeout: TimeAmount
    private let maximumBodySize: Int

    public init(client: HTTPClient = .shared, timeout: Duration = .seconds(30), maximumBodySize: Int = 16 * 1024 * 1024) {
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
        let buffer = try await response.body.collect(upTo: maximumBodySize)
        return AWSHTTPResponse(
            status: Int(response.status.code),
            headers: response.headers.map { ($0.name, $0.value) },
            body: Array(buffer.readableBytesView))
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
