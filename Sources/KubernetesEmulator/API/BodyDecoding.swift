import JSONCore
import KubeAPI

/// How kube-apiserver's decoder refuses a request body, worded as it is: a body that is
/// not a JSON object (`the object provided is unrecognized …`, quoting Go's JSON error and
/// the start of the body), and a built-in kind or version that is not the endpoint's
/// (`Secret in version "v1" cannot be handled as a ConfigMap: …`).
enum BodyDecoding {
    /// Go's `struct` that the serializer reads `apiVersion` and `kind` into, as Go prints its type.
    static let typeMetaStruct = "struct { APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string \"json:\\\"kind,omitempty\\\"\" }"

    /// The body as a JSON object, or the 400 kube-apiserver answers for it when `kind`
    /// is what the endpoint decodes into.
    static func object(_ body: [UInt8], kind: String) throws -> JSONObject {
        var duplicates: [String] = []
        return try object(body, kind: kind, duplicates: &duplicates)
    }

    /// As above; a member name repeated in an object keeps its last value (as Go's decoder
    /// does) and its path is added to `duplicates`.
    static func object(_ body: [UInt8], kind: String, duplicates: inout [String]) throws -> JSONObject {
        let value: JSONValue
        do {
            value = try JSONValue(parsingKeepingLast: body, duplicates: &duplicates)
        } catch let error as JSONParseError {
            // What Go's scanner says (it accepts a few texts this parser does not, such as
            // repeated member names: those keep the parser's own wording).
            let reason = GoJSONSyntax.firstError(body) ?? error.description
            throw unrecognized(kind: kind, "couldn't get version/kind; json parse error: " + reason, body: body)
        }
        switch value {
        case .object(let object): return object
        case .null: return [:]
        default:
            throw unrecognized(
                kind: kind, "couldn't get version/kind; json parse error: json: cannot unmarshal \(goTypeName(value)) into Go value of type \(typeMetaStruct)",
                body: body)
        }
    }

    /// An `application/yaml` body (the subset ``YAMLSubset`` reads) as a JSON object.
    static func yamlObject(_ body: [UInt8], kind: String) throws -> JSONObject {
        let value: JSONValue
        do {
            value = try YAMLSubset.parse(body)
        } catch let failure as YAMLSubset.Failure {
            throw unrecognized(kind: kind, "error converting YAML to JSON: " + failure.message, body: body)
        }
        return try object(value.serializedBytes(), kind: kind)
    }

    /// `transformDecodeError` without a kind: the reason and the first 30 bytes of the body
    /// (as text when it starts with `{`, otherwise in hexadecimal).
    static func unrecognized(kind: String, _ reason: String, body: [UInt8]) -> APIError {
        APIError.badRequest("the object provided is unrecognized (must be of type \(kind)): \(reason) (\(summary(body)))")
    }

    static func summary(_ body: [UInt8], maximumLength: Int = 30) -> String {
        guard let first = body.first else { return "<empty>" }
        let head = body.prefix(maximumLength)
        let suffix = body.count > maximumLength ? " ..." : ""
        if first == UInt8(ascii: "{") { return String(decoding: head, as: UTF8.self) + suffix }
        return head.map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined() + suffix
    }

    /// The JSON type as Go's `UnmarshalTypeError` names it.
    static func goTypeName(_ value: JSONValue) -> String {
        switch value {
        case .array: return "array"
        case .string: return "string"
        case .bool: return "bool"
        case .object: return "object"
        case .null: return "null"
        default: return "number"
        }
    }

    /// `transformDecodeError` with the body's kind: `<Kind> in version "<v>" cannot be handled as a <Kind>: <why>`.
    static func cannotBeHandled(bodyKind: String, version: String, as kind: String, _ why: String) -> APIError {
        APIError.badRequest("\(bodyKind) in version \(GoSyntax.quoted(version)) cannot be handled as a \(kind): \(why)")
    }

    /// The Go package of kube-apiserver's internal types of a group (`core.ConfigMap`,
    /// `authentication.TokenRequest`); `events.k8s.io` Events are core Events inside.
    static func internalPackage(_ group: String) -> String {
        if group.isEmpty || group == "events.k8s.io" { return "core" }
        return String(group.split(separator: ".").first ?? Substring(group))
    }

    /// A built-in endpoint's check of the body's `kind` and `apiVersion` (either may be
    /// left out: the endpoint's is assumed). `known` tells whether the scheme has a pair
    /// (apiVersion, kind).
    static func checkKind(_ object: JSONObject, of kind: String, apiVersion: String, known: (String, String) -> Bool) throws {
        let bodyKind = object["kind"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? kind
        let bodyVersion = object["apiVersion"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? apiVersion
        guard bodyKind != kind || bodyVersion != apiVersion else { return }
        let version = GroupVersion(apiVersion: bodyVersion).version
        let why = known(bodyVersion, bodyKind)
            ? "converting (\(version).\(bodyKind)) to (\(internalPackage(GroupVersion(apiVersion: apiVersion).group)).\(kind)): unknown conversion"
            : "no kind \(GoSyntax.quoted(bodyKind)) is registered for version \(GoSyntax.quoted(bodyVersion)) in scheme \"pkg/runtime/scheme.go:110\""
        throw cannotBeHandled(bodyKind: bodyKind, version: version, as: kind, why)
    }
}
