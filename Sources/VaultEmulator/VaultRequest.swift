import Foundation
import JSONCore

/// A request as the emulator's core sees it: namespace resolved, `/v1/` and any
/// namespace prefix removed, `LIST` as its own method.
struct VaultRequest: Sendable {
    var method: String
    /// E.g. `secret/data/shop/db`.
    var path: String
    /// `""` for the root namespace, else e.g. `team-a` or `team-a/dev`.
    var namespace: String
    var token: String?
    var body: JSONObject
    var query: [String: String]
    /// The DER certificate the client presented in the TLS handshake (cert auth), unverified.
    var clientCertificateDER: [UInt8]? = nil
}

/// A status and an optional JSON body.
struct VaultResponse: Sendable {
    var status: Int
    var body: JSONValue?
    var headers: [(String, String)] = []
    /// A body that is not JSON (`pki/ca/pem`, `pki/ca`): bytes and their content type.
    var raw: (bytes: [UInt8], contentType: String)? = nil

    static func ok(data: JSONValue?, warnings: [String]? = nil, leaseDuration: Int = 0, auth: JSONValue? = nil) -> VaultResponse {
        VaultResponse(status: 200, body: envelope(data: data, warnings: warnings, leaseDuration: leaseDuration, auth: auth))
    }

    static let noContent = VaultResponse(status: 204, body: nil)

    static func envelope(data: JSONValue?, warnings: [String]? = nil, leaseDuration: Int = 0, auth: JSONValue? = nil) -> JSONValue {
        [
            "request_id": .string(UUID().uuidString.lowercased()), "lease_id": "", "renewable": false,
            "lease_duration": .int(Int64(leaseDuration)), "data": data ?? .null, "wrap_info": nil,
            "warnings": warnings.map { .array($0.map(JSONValue.string)) } ?? .null, "auth": auth ?? .null, "mount_type": "",
        ]
    }

    static func error(_ status: Int, _ messages: [String], warnings: [String]? = nil) -> VaultResponse {
        var body: JSONObject = ["errors": .array(messages.map(JSONValue.string))]
        if let warnings { body["warnings"] = .array(warnings.map(JSONValue.string)) }
        return VaultResponse(status: status, body: .object(body))
    }

    /// Vault's wording for a refused token or capability.
    static let permissionDenied = error(403, ["1 error occurred:\n\t* permission denied\n\n"])
    /// A login an auth method refused (`logical.ErrPermissionDenied` from the plugin): Vault
    /// answers with the bare error, not the ACL check's multi-error wording.
    static let loginDenied = error(403, ["permission denied"])
    static let notFound = error(404, [])
    static func badRequest(_ message: String) -> VaultResponse { error(400, [message]) }
    static func unsupportedPath(_ path: String) -> VaultResponse {
        error(404, ["no handler for route \"\(path)\". route entry not found."])
    }
    /// An internal error (HTTP 500) in Vault's multi-error wording.
    static func internalError(_ message: String) -> VaultResponse {
        error(500, ["1 error occurred:\n\t* \(message)\n\n"])
    }
    static let unsupportedOperation = error(405, ["1 error occurred:\n\t* unsupported operation\n\n"])
}
