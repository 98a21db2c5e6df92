import Foundation
import JSONCore
import KubeAPI

/// The keys each built-in Secret `type` requires, checked as kube-apiserver's
/// `ValidateSecret` checks them, with its field paths and messages:
///
/// - `kubernetes.io/dockercfg`: `data[.dockercfg]` present and a JSON object;
/// - `kubernetes.io/dockerconfigjson`: `data[.dockerconfigjson]` present and a JSON object;
/// - `kubernetes.io/basic-auth`: `data[username]` or `data[password]` present (either may be empty);
/// - `kubernetes.io/ssh-auth`: `data[ssh-privatekey]` present and not empty;
/// - `kubernetes.io/tls`: `data[tls.crt]` and `data[tls.key]` present (contents not parsed);
/// - `kubernetes.io/service-account-token`: the annotation `kubernetes.io/service-account.name`;
/// - `Opaque`, the empty type and any other type: nothing.
///
/// A value is never quoted: an unparsable JSON value is reported as
/// `"<secret contents redacted>"`, as kube-apiserver does.
enum SecretTypeValidation {
    static func causes(type: String, data: JSONObject, annotations: JSONObject) -> [StatusCause] {
        switch type {
        case "kubernetes.io/service-account-token":
            if (annotations["kubernetes.io/service-account.name"]?.stringValue ?? "").isEmpty {
                return [required("metadata.annotations[kubernetes.io/service-account.name]")]
            }
        case "kubernetes.io/dockercfg":
            return jsonObjectCauses(key: ".dockercfg", data: data)
        case "kubernetes.io/dockerconfigjson":
            return jsonObjectCauses(key: ".dockerconfigjson", data: data)
        case "kubernetes.io/basic-auth":
            if data["username"] == nil, data["password"] == nil {
                return [required("data[username]"), required("data[password]")]
            }
        case "kubernetes.io/ssh-auth":
            if decoded(data["ssh-privatekey"])?.isEmpty ?? true {
                return [required("data[ssh-privatekey]")]
            }
        case "kubernetes.io/tls":
            return ["tls.crt", "tls.key"].filter { data[$0] == nil }.map { required("data[\($0)]") }
        default:
            break
        }
        return []
    }

    private static func required(_ field: String) -> StatusCause {
        StatusCause(reason: "FieldValueRequired", message: "Required value", field: field)
    }

    private static func decoded(_ value: JSONValue?) -> Data? {
        value?.stringValue.flatMap { Data(base64Encoded: $0) }
    }

    /// `Required value` when `key` is missing; `Invalid value` with the reason Go's
    /// `json.Unmarshal` into a map gives when its bytes are not a JSON object (or `null`).
    private static func jsonObjectCauses(key: String, data: JSONObject) -> [StatusCause] {
        guard data[key] != nil else { return [required("data[\(key)]")] }
        guard let problem = jsonObjectProblem(decoded(data[key]) ?? Data()) else { return [] }
        return [StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \"<secret contents redacted>\": \(problem)", field: "data[\(key)]")]
    }

    /// A byte as Go's JSON errors quote it: `'x'`, or `'\x01'` for a control byte.
    private static func shown(_ byte: UInt8) -> String {
        byte >= 0x20 && byte < 0x7F ? "'\(String(UnicodeScalar(byte)))'" : "'\\x\(String(byte, radix: 16))'"
    }

    /// Why `bytes` do not unmarshal into a Go `map[string]interface{}`, worded as Go's
    /// `encoding/json` words it where the cause is simple (empty input, a bad first
    /// character, a value of another JSON type); nil when they do.
    static func jsonObjectProblem(_ bytes: Data) -> String? {
        let first = bytes.first { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }
        guard let first else { return "unexpected end of JSON input" }
        let value: JSONValue
        do {
            value = try JSONValue(parsing: bytes)
        } catch {
            let starts = Array("{[\"-0123456789tfn".utf8)
            if !starts.contains(first) { return "invalid character \(shown(first)) looking for beginning of value" }
            let offset = (error as? JSONParseError)?.offset ?? bytes.count
            guard offset < bytes.count else { return "unexpected end of JSON input" }
            return "invalid character \(shown(bytes[bytes.startIndex + offset])) in JSON value"
        }
        switch value {
        case .object, .null: return nil
        case .array: return "json: cannot unmarshal array into Go value of type map[string]interface {}"
        case .string: return "json: cannot unmarshal string into Go value of type map[string]interface {}"
        case .bool: return "json: cannot unmarshal bool into Go value of type map[string]interface {}"
        default: return "json: cannot unmarshal number into Go value of type map[string]interface {}"
        }
    }
}
