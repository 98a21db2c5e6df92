import Foundation
import SecretProviders

/// Reading Vault's answers: the JSON envelope, KV payloads, auth blocks, and failures
/// in terms of ``ProviderError``. Pure functions; no I/O.
enum VaultResponses {
    /// The top-level JSON object of a body, or `nil` when it is not one.
    static func object(_ body: [UInt8]) -> [String: Any]? {
        guard !body.isEmpty else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(body), options: [])) as? [String: Any]
    }

    /// Vault's `errors` and `warnings`, flattened to one line each, for error details.
    /// (For reads they name paths and reasons; an answer to a request that carried secret
    /// data may quote it back — e.g. a field conversion error — see ``error(_:store:key:version:operation:requestCarriedSecrets:)``.)
    static func messages(_ body: [UInt8]) -> String? {
        guard let envelope = object(body) else { return nil }
        var lines: [String] = []
        for name in ["errors", "warnings"] {
            for item in (envelope[name] as? [Any]) ?? [] {
                guard let text = item as? String else { continue }
                let flat = text.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\t", with: " ")
                    .split(separator: " ").joined(separator: " ")
                if !flat.isEmpty { lines.append(String(flat.prefix(300))) }
            }
        }
        return lines.isEmpty ? nil : lines.joined(separator: "; ")
    }

    /// The error a non-success answer stands for.
    ///
    /// - Parameter requestCarriedSecrets: the request held secret data (a login's secret ID
    ///   or JWT, a write's values): Vault's own words are then left out of the detail, since
    ///   an error may quote the input back; only the status and the operation are named.
    static func error(
        _ response: VaultHTTPResponse, store: String, key: String? = nil, version: String? = nil, operation: String,
        requestCarriedSecrets: Bool = false
    ) -> ProviderError {
        let said = messages(response.body)
        let quoted = requestCarriedSecrets ? nil : said
        let detail = "vault \(operation): HTTP \(response.status)" + (quoted.map { ": \($0)" } ?? "")
        switch response.status {
        case 400:
            if let said, said.contains("check-and-set parameter did not match") {
                return key.map { .conflict(store: store, key: $0, version: version, detail: detail) }
                    ?? .invalidRequest(store: store, detail: detail)
            }
            return .invalidRequest(store: store, key: key, version: version, detail: detail)
        case 401, 403:
            return .permissionDenied(store: store, key: key, version: version, detail: detail)
        case 404:
            if let key { return .notFound(store: store, key: key, version: version, detail: detail) }
            return .invalidRequest(store: store, detail: detail)
        case 412:
            if let key { return .conflict(store: store, key: key, version: version, detail: detail) }
            return .transient(store: store, detail: detail)
        case 429:
            return .throttled(retryAfter: retryAfter(response.retryAfter), store: store, key: key, detail: detail)
        case 500...599:
            return .transient(store: store, key: key, version: version, detail: detail)
        default:
            return .invalidRequest(store: store, key: key, version: version, detail: detail)
        }
    }

    /// `Retry-After` as a delay, at most ``RetryAfter/maximum``.
    static func retryAfter(_ header: String?) -> Duration? {
        RetryAfter.parse(header)
    }

    // MARK: Auth

    /// What a login or `renew-self` returned.
    struct AuthGrant: Sendable {
        var token: SecretValue
        /// Seconds; 0 means no expiry.
        var leaseDuration: Int
        var renewable: Bool
    }

    /// The `auth` block of a login or renewal. `token` fills in for a renewal, which
    /// repeats the token.
    static func authGrant(_ body: [UInt8], store: String, operation: String) throws(ProviderError) -> AuthGrant {
        guard let envelope = object(body), let auth = envelope["auth"] as? [String: Any],
            let token = auth["client_token"] as? String, !token.isEmpty
        else {
            throw ProviderError.invalidResponse(store: store, detail: "vault \(operation): the answer has no auth.client_token")
        }
        return AuthGrant(
            token: SecretValue(utf8: token), leaseDuration: leaseSeconds(auth["lease_duration"]),
            renewable: (auth["renewable"] as? Bool) ?? false)
    }

    /// `ttl` and `renewable` of a `lookup-self` answer.
    static func lookup(_ body: [UInt8]) -> (ttl: Int, renewable: Bool)? {
        guard let data = object(body)?["data"] as? [String: Any] else { return nil }
        return (leaseSeconds(data["ttl"]), (data["renewable"] as? Bool) ?? false)
    }

    /// An integer field of an answer; nil when absent or not an integer that fits (a
    /// `1e300`, `NaN` or fractional number from the server is not one, and never traps).
    static func int(_ value: Any?) -> Int? {
        if let value = value as? Int { return value }
        if let value = value as? Double { return Int(exactly: value) }
        if let value = value as? NSNumber { return Int(exactly: value.doubleValue) }
        if let value = value as? String { return Int(value) }
        return nil
    }

    /// Longest lease or TTL taken from an answer: 10 years. Vault's own ceiling
    /// (`max_lease_ttl`) is 32 days by default; a longer claim is treated as this long, so
    /// that renewal arithmetic on clock instants stays far from overflow.
    static let maximumLeaseSeconds = 10 * 365 * 24 * 3600

    /// A `lease_duration` or `ttl` in seconds, clamped to `0...maximumLeaseSeconds`; 0
    /// (no expiry) when absent or unreadable.
    static func leaseSeconds(_ value: Any?) -> Int {
        if let whole = int(value) { return min(max(whole, 0), maximumLeaseSeconds) }
        let number = (value as? Double) ?? (value as? NSNumber)?.doubleValue ?? (value as? String).flatMap(Double.init)
        guard let number, !number.isNaN else { return 0 }
        return number >= Double(maximumLeaseSeconds) ? maximumLeaseSeconds : max(Int(max(number, 0)), 0)
    }

    // MARK: KV

    /// A KV read: `data.data` + `data.metadata.version` (v2) or `data` (v1).
    static func secret(_ body: [UInt8], kvVersion: Int, store: String, id: RemoteSecretID) throws(ProviderError) -> RemoteSecret {
        guard let envelope = object(body) else {
            throw ProviderError.invalidResponse(store: store, key: id.key, version: id.version, detail: "vault read: the answer is not a JSON object")
        }
        let map: [String: Any]
        var version: String?
        if kvVersion == 2 {
            guard let data = envelope["data"] as? [String: Any] else {
                throw ProviderError.invalidResponse(store: store, key: id.key, version: id.version, detail: "vault read: no data in the answer")
            }
            let metadata = data["metadata"] as? [String: Any]
            guard let inner = data["data"] as? [String: Any] else {
                if metadata?["destroyed"] as? Bool == true {
                    throw ProviderError.notFound(store: store, key: id.key, version: id.version, detail: "vault: the version was destroyed")
                }
                if let deletion = metadata?["deletion_time"] as? String, !deletion.isEmpty {
                    throw ProviderError.notFound(store: store, key: id.key, version: id.version, detail: "vault: the version was deleted")
                }
                throw ProviderError.invalidResponse(store: store, key: id.key, version: id.version, detail: "vault read: data.data is not an object")
            }
            map = inner
            version = int(metadata?["version"]).map(String.init)
        } else {
            guard let data = envelope["data"] as? [String: Any] else {
                throw ProviderError.invalidResponse(store: store, key: id.key, detail: "vault read: data is not an object")
            }
            map = data
        }
        var properties: [String: SecretValue] = [:]
        for (name, value) in map {
            if let text = value as? String {
                properties[name] = SecretValue(utf8: text)
            } else if let json = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys, .withoutEscapingSlashes]) {
                properties[name] = SecretValue(bytes: json)
            }
        }
        guard let whole = try? JSONSerialization.data(withJSONObject: map, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            throw ProviderError.invalidResponse(store: store, key: id.key, version: id.version, detail: "vault read: data could not be re-encoded")
        }
        return RemoteSecret(value: SecretValue(bytes: whole), version: version, properties: properties)
    }

    /// `data.keys` of a LIST answer.
    static func keys(_ body: [UInt8], store: String) throws(ProviderError) -> [String] {
        guard let data = object(body)?["data"] as? [String: Any], let keys = data["keys"] as? [Any] else {
            throw ProviderError.invalidResponse(store: store, detail: "vault list: no data.keys in the answer")
        }
        return keys.compactMap { $0 as? String }
    }

    /// `data.version` of a KV v2 write.
    static func writtenVersion(_ body: [UInt8], store: String, key: String) throws(ProviderError) -> String {
        guard let data = object(body)?["data"] as? [String: Any], let version = int(data["version"]) else {
            throw ProviderError.invalidResponse(store: store, key: key, detail: "vault write: no data.version in the answer")
        }
        return String(version)
    }

    /// The capabilities a `sys/capabilities-self` answer gives for `path`.
    static func capabilities(_ body: [UInt8], path: String) -> [String]? {
        guard let envelope = object(body) else { return nil }
        let data = (envelope["data"] as? [String: Any]) ?? envelope
        let list = (data[path] as? [Any]) ?? (data["capabilities"] as? [Any])
        return list?.compactMap { $0 as? String }
    }

    /// A token's merged policy rules (`sys/internal/ui/resultant-acl`).
    struct ResultantACL: Sendable, Equatable {
        var root: Bool
        /// Path → capabilities; globs keyed without their trailing `*`.
        var exact: [String: [String]]
        var globs: [String: [String]]

        /// Whether some rule grants `read` or `list` (and no `deny`) on a path under `root`
        /// (a prefix ending in `/`), or on a glob that covers it. `+` matches any segment.
        func grantsRead(under root: String) -> Bool {
            func grants(_ caps: [String]) -> Bool { !caps.contains("deny") && (caps.contains("read") || caps.contains("list")) }
            let rootSegments = root.split(separator: "/", omittingEmptySubsequences: false)
            func overlaps(_ path: String, exactRule: Bool) -> Bool {
                let segments = path.split(separator: "/", omittingEmptySubsequences: false)
                if exactRule && segments.count < rootSegments.count { return false }
                let n = min(segments.count, rootSegments.count)
                for i in 0..<n {
                    let rule = segments[i], wanted = rootSegments[i]
                    if rule == "+" { continue }
                    if i == n - 1 {
                        if !(rule.hasPrefix(wanted) || wanted.hasPrefix(rule)) { return false }
                    } else if rule != wanted {
                        return false
                    }
                }
                return true
            }
            return exact.contains { grants($0.value) && overlaps($0.key, exactRule: true) }
                || globs.contains { grants($0.value) && overlaps($0.key, exactRule: false) }
        }
    }

    static func resultantACL(_ body: [UInt8]) -> ResultantACL? {
        guard let data = object(body)?["data"] as? [String: Any] else { return nil }
        func rules(_ value: Any?) -> [String: [String]] {
            var out: [String: [String]] = [:]
            for (path, rule) in (value as? [String: Any]) ?? [:] {
                out[path] = ((rule as? [String: Any])?["capabilities"] as? [Any])?.compactMap { $0 as? String } ?? []
            }
            return out
        }
        return ResultantACL(root: (data["root"] as? Bool) ?? false, exact: rules(data["exact_paths"]), globs: rules(data["glob_paths"]))
    }

    /// The body of a KV v2 write: `{"data": <document>, "options": {"cas": N}}`, the
    /// document's bytes as they are (a JSON object; see ``SecretValue/checkJSONObjectDocument(key:store:)``).
    static func kvV2WriteBody(_ document: SecretValue, cas: Int?) -> [UInt8] {
        var body = Array(#"{"data":"#.utf8)
        body += document.revealedBytes()
        if let cas { body += Array(#","options":{"cas":\#(cas)}"#.utf8) }
        body.append(UInt8(ascii: "}"))
        return body
    }

    /// Whether a KV secret as read (``RemoteSecret/value``: its data re-encoded with sorted
    /// keys) holds the same JSON content as `document`: both are decoded and encoded alike,
    /// then compared in constant time.
    static func sameContent(_ read: SecretValue, _ document: SecretValue) -> Bool {
        guard let object = self.object(document.revealedBytes()),
            let normalized = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return false }
        return constantTimeEquals(read.revealedBytes(), Array(normalized))
    }

}
