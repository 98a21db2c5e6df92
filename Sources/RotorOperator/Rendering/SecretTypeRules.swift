import Foundation
import JSONCore

/// The keys a Secret `type` requires, as kube-apiserver's `ValidateSecret` checks them,
/// checked on the data Rotor is about to write so that a typed template missing a key is
/// a clear `Ready=False` naming `spec.target.template.type` and the key, and the existing
/// Secret stays as it is, rather than a write the API server refuses:
///
/// - `kubernetes.io/dockerconfigjson`: `.dockerconfigjson`, a JSON object;
/// - `kubernetes.io/dockercfg`: `.dockercfg`, a JSON object;
/// - `kubernetes.io/tls`: `tls.crt` and `tls.key` (contents not parsed, as the API server);
/// - `kubernetes.io/basic-auth`: `username` or `password` (either may be empty);
/// - `kubernetes.io/ssh-auth`: `ssh-privatekey`, not empty;
/// - `kubernetes.io/service-account-token`: never written by Rotor (the token controller
///   owns such Secrets);
/// - `Opaque` and any other type: nothing.
///
/// Problems name the type and the key, never a value.
public enum SecretTypeRules {
    /// The Secret types with required keys.
    public static let dockerConfigJSON = "kubernetes.io/dockerconfigjson"
    public static let dockerConfig = "kubernetes.io/dockercfg"
    public static let tls = "kubernetes.io/tls"
    public static let basicAuth = "kubernetes.io/basic-auth"
    public static let sshAuth = "kubernetes.io/ssh-auth"
    public static let serviceAccountToken = "kubernetes.io/service-account-token"

    /// A key a type requires that the data lacks or holds in the wrong form.
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        /// The Secret key concerned (for basic-auth: `username`, standing for either).
        public var key: String
        /// What is wrong, in the API server's words where it has some: `data[tls.key]: Required value`.
        public var detail: String
        /// The key is missing (rather than present with an unusable value).
        public var isMissing: Bool

        public var description: String { detail }
    }

    /// The first problem of `data` for a Secret of `type`, or nil when the API server accepts it.
    public static func problem(type: String, data: [String: Data]) -> Problem? {
        func missing(_ key: String, _ detail: String? = nil) -> Problem {
            Problem(key: key, detail: detail ?? "data[\(key)]: Required value", isMissing: true)
        }
        switch type {
        case dockerConfigJSON, dockerConfig:
            let key = type == dockerConfigJSON ? ".dockerconfigjson" : ".dockercfg"
            guard let bytes = data[key] else { return missing(key) }
            guard isJSONObject(bytes) else {
                return Problem(key: key, detail: "data[\(key)]: Invalid value: not a JSON object", isMissing: false)
            }
        case tls:
            for key in ["tls.crt", "tls.key"] where data[key] == nil { return missing(key) }
        case basicAuth:
            if data["username"] == nil, data["password"] == nil {
                return missing("username", "data[username], data[password]: Required value (at least one of them)")
            }
        case sshAuth:
            if data["ssh-privatekey"]?.isEmpty ?? true { return missing("ssh-privatekey") }
        case serviceAccountToken:
            return Problem(
                key: "token", detail: "type \(serviceAccountToken) is managed by the Kubernetes token controller, not by Rotor",
                isMissing: false)
        default:
            break
        }
        return nil
    }

    /// Whether `bytes` are a JSON object (or `null`), as Go's `json.Unmarshal` into a map
    /// accepts; the parser bounds nesting, so hostile bytes cost linear time.
    static func isJSONObject(_ bytes: Data) -> Bool {
        guard let value = try? JSONValue(parsing: bytes) else { return false }
        switch value {
        case .object, .null: return true
        default: return false
        }
    }
}
