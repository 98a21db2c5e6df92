import Foundation
import NIOCore
import NIOHTTP1

/// A request as a handler sees it: method, percent-decoded path split from the query,
/// headers and the whole body (requests served here are small; watches have none).
public struct HTTPServerRequest: Sendable {
    public var method: HTTPMethod
    public var path: String
    /// Query parameters, percent-decoded (`+` as space), every value of a repeated name.
    public var query: [String: [String]]
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// The DER certificate the client presented in the TLS handshake: only on a server
    /// started with `requestsClientCertificates`, and not verified by it.
    public var clientCertificateDER: [UInt8]?

    public init(method: HTTPMethod, uri: String, headers: HTTPHeaders, body: [UInt8]) {
        self.method = method
        self.headers = headers
        self.body = body
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        path = Self.percentDecode(String(parts[0]))
        var query: [String: [String]] = [:]
        if parts.count == 2 {
            for pair in parts[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = Self.percentDecode(String(kv[0]), plusAsSpace: true)
                let value = kv.count == 2 ? Self.percentDecode(String(kv[1]), plusAsSpace: true) : ""
                query[key, default: []].append(value)
            }
        }
        self.query = query
    }

    /// The first value of query parameter `name`.
    public func parameter(_ name: String) -> String? { query[name]?.first }

    /// A boolean query parameter: present and empty, `true` or `1`.
    public func flag(_ name: String) -> Bool {
        guard let v = parameter(name) else { return false }
        return v == "true" || v == "1" || v.isEmpty
    }

    /// The token of an `Authorization: Bearer` header.
    public var bearerToken: String? {
        guard let value = headers.first(name: "authorization"), value.lowercased().hasPrefix("bearer ") else { return nil }
        // Trimmed by hand: Foundation's `trimmingCharacters` bridges through NSString on every request.
        var token = value.dropFirst(7)
        while let first = token.first, first == " " || first == "\t" { token.removeFirst() }
        while let last = token.last, last == " " || last == "\t" { token.removeLast() }
        return String(token)
    }

    /// Decodes `%XX` escapes (and `+` as a space in query strings).
    public static func percentDecode(_ s: String, plusAsSpace: Bool = false) -> String {
        guard s.contains("%") || (plusAsSpace && s.contains("+")) else { return s }
        var bytes: [UInt8] = []
        var u = Array(s.utf8)[...]
        while let b = u.popFirst() {
            if b == UInt8(ascii: "%"), u.count >= 2, let v = UInt8(String(decoding: u.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(v)
                u = u.dropFirst(2)
            } else if plusAsSpace && b == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else {
                bytes.append(b)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Writes chunks of a streamed response body.
public typealias ChunkWriter = @Sendable ([UInt8]) async throws -> Void

/// A response: status, headers and either a whole body or a stream (watches).
public struct HTTPServerResponse: Sendable {
    public enum Body: Sendable {
        case bytes([UInt8])
        /// Runs until the stream is over; the server closes the connection afterwards.
        case stream(@Sendable (ChunkWriter) async throws -> Void)
    }

    public var status: HTTPResponseStatus
    public var headers: [(String, String)]
    public var body: Body

    public init(status: HTTPResponseStatus, headers: [(String, String)], body: Body) {
        self.status = status
        self.headers = headers
        self.body = body
    }


    /// A whole-body response.
    public static func bytes(_ bytes: [UInt8], status: HTTPResponseStatus = .ok, contentType: String) -> HTTPServerResponse {
        HTTPServerResponse(status: status, headers: [("Content-Type", contentType)], body: .bytes(bytes))
    }
}
