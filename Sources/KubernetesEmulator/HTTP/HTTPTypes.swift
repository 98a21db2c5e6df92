import HTTPServing
import NIOCore
import NIOHTTP1
import JSONCore

/// The emulator's handlers speak the shared server's request and response types.
typealias APIRequest = HTTPServerRequest
typealias APIResponse = HTTPServerResponse

extension HTTPServerRequest {
    /// Whether the client asked for a server-side Table (`kubectl get`).
    var wantsTable: Bool {
        headers[canonicalForm: "accept"].contains { $0.contains("as=Table") }
    }

    /// Whether the client asked for objects' metadata only (`as=PartialObjectMetadata` or
    /// `…List` of `meta.k8s.io`), as client-go's metadata client does.
    var wantsPartialObjectMetadata: Bool {
        headers[canonicalForm: "accept"].contains { $0.contains("as=PartialObjectMetadata") && $0.contains("g=meta.k8s.io") }
    }

}

extension HTTPServerResponse {
    static func json(_ value: JSONValue, status: HTTPResponseStatus = .ok, headers: [(String, String)] = []) -> APIResponse {
        APIResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: .bytes(value.serializedBytes()))
    }

    static func rawJSON(_ bytes: [UInt8], status: HTTPResponseStatus = .ok, headers: [(String, String)] = []) -> APIResponse {
        APIResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: .bytes(bytes))
    }

    static func error(_ error: APIError) -> APIResponse {
        if let text = error.textBody {
            return APIResponse(
                status: HTTPResponseStatus(statusCode: error.httpCode), headers: [("Content-Type", "text/plain; charset=utf-8")] + error.headers,
                body: .bytes(Array((text.isEmpty ? "" : text + "\n").utf8)))
        }
        let value = (try? JSONValue(encoding: error.status)) ?? .object([:])
        return .json(value, status: HTTPResponseStatus(statusCode: error.httpCode), headers: error.headers)
    }
}
