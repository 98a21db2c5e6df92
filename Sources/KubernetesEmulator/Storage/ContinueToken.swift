import Foundation
import JSONCore

/// The `continue` token of a paginated list, in kube-apiserver's format:
/// base64url of `{"v":"meta.k8s.io/v1","rv":N,"start":"KEY\u0000"}`.
struct ContinueToken: Sendable {
    var resourceVersion: Int64
    var startAfter: ObjectKey

    init(resourceVersion: Int64, startAfter: ObjectKey) {
        self.resourceVersion = resourceVersion
        self.startAfter = startAfter
    }

    /// Decodes a token as kube-apiserver's `DecodeContinue` does, refusing it with its
    /// wording (`invalid continue token: continue key is not valid: …`).
    init(decoding token: String) throws {
        func invalid(_ why: String) -> APIError { APIError.badRequest("invalid continue token: continue key is not valid" + why) }
        let bytes: [UInt8]
        switch GoBase64.decode(token, .rawURL) {
        case .failure(let error): throw invalid(": " + error.message)
        case .success(let decoded): bytes = decoded
        }
        let json: JSONValue
        do {
            json = try JSONValue(parsing: bytes)
        } catch {
            throw invalid(": " + (GoJSONSyntax.firstError(bytes) ?? "unexpected end of JSON input"))
        }
        guard case .object(let fields) = json else {
            throw invalid(": json: cannot unmarshal \(BodyDecoding.goTypeName(json)) into Go value of type storage.continueToken")
        }
        let version = fields["v"]?.stringValue ?? ""
        guard version == "meta.k8s.io/v1" else { throw invalid(": server does not recognize this encoded version \(version)") }
        guard let rv = fields["rv"]?.intValue, rv != 0 else { throw invalid(": incorrect encoded start resourceVersion (version meta.k8s.io/v1)") }
        guard let start = fields["start"]?.stringValue, !start.isEmpty else { throw invalid(": encoded start key empty (version meta.k8s.io/v1)") }
        let key = start.hasSuffix("\u{0}") ? String(start.dropLast()) : start
        let parts = key.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        startAfter = parts.count == 2 ? ObjectKey(namespace: String(parts[0]), name: String(parts[1])) : ObjectKey(namespace: "", name: key)
        resourceVersion = rv
    }

    var encoded: String {
        let key = startAfter.namespace.isEmpty ? startAfter.name : "\(startAfter.namespace)/\(startAfter.name)"
        let json: JSONValue = ["v": "meta.k8s.io/v1", "rv": .int(resourceVersion), "start": .string(key + "\u{0}")]
        return Data(json.serializedBytes()).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
