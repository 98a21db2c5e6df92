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

    init(decoding token: String) throws {
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let json = try? JSONValue(parsing: data),
            json["v"]?.stringValue == "meta.k8s.io/v1", let rv = json["rv"]?.intValue, let start = json["start"]?.stringValue
        else {
            throw APIError.badRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
        }
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
