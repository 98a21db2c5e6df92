import NIOCore
import NIOHTTP1
import RotorAPI

/// A request as the emulator's handlers see it: method, path split from the query,
/// headers and the whole body (API requests are small; watches have none).
struct APIRequest: Sendable {
    var method: HTTPMethod
    var path: String
    var query: [String: [String]]
    var headers: HTTPHeaders
    var body: [UInt8]

    init(method: HTTPMethod, uri: String, headers: HTTPHeaders, body: [UInt8]) {
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

    func parameter(_ name: String) -> String? { query[name]?.first }

    func flag(_ name: String) -> Bool {
        guard let v = parameter(name) else { return false }
        return v == "true" || v == "1" || v.isEmpty
    }

    var bearerToken: String? {
        guard let value = headers.first(name: "authorization"), value.lowercased().hasPrefix("bearer ") else { return nil }
        return String(value.dropFirst(7)).trimmingSpaces
    }

    /// Whether the client asked for a server-side Table (`kubectl get`).
    var wantsTable: Bool {
        headers[canonicalForm: "accept"].contains { $0.contains("as=Table") }
    }

    static func percentDecode(_ s: String, plusAsSpace: Bool = false) -> String {
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
typealias ChunkWriter = @Sendable ([UInt8]) async throws -> Void

/// A response: status, headers and either a whole body or a stream (watches).
struct APIResponse: Sendable {
    enum Body: Sendable {
        case bytes([UInt8])
        /// Runs until the stream is over; the server closes the connection afterwards.
        case stream(@Sendable (ChunkWriter) async throws -> Void)
    }

    var status: HTTPResponseStatus
    var headers: [(String, String)]
    var body: Body

    static func json(_ value: JSONValue, status: HTTPResponseStatus = .ok, headers: [(String, String)] = []) -> APIResponse {
        APIResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: .bytes(value.serializedBytes()))
    }

    static func rawJSON(_ bytes: [UInt8], status: HTTPResponseStatus = .ok, headers: [(String, String)] = []) -> APIResponse {
        APIResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: .bytes(bytes))
    }

    static func error(_ error: APIError) -> APIResponse {
        let value = (try? JSONValue(encoding: error.status)) ?? .object([:])
        return .json(value, status: HTTPResponseStatus(statusCode: error.httpCode), headers: error.headers)
    }
}
