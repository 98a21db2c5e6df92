import Foundation
import JSONCore
import KubeAPI

/// Decodes the Kubernetes protobuf request bodies that kubectl's typed clients send
/// for built-in types (`kubectl create namespace|secret|configmap|serviceaccount|token`
/// use `application/vnd.kubernetes.protobuf` from kubectl 1.32 on). The envelope is
/// `k8s\0` + `runtime.Unknown{typeMeta, raw}`; `raw` is the object's message, whose
/// field numbers come from k8s.io/api's generated.proto. Responses stay JSON, which
/// those clients also accept.
enum ProtobufBodies {
    static let contentType = "application/vnd.kubernetes.protobuf"
    private static let magic: [UInt8] = [0x6B, 0x38, 0x73, 0x00]

    static func decode(_ body: [UInt8]) throws -> JSONObject {
        guard body.starts(with: magic) else { throw APIError.badRequest("provided protobuf data is missing the \"k8s\\0\" prefix") }
        var unknown = ProtoReader(Array(body.dropFirst(4)))
        var apiVersion = ""
        var kind = ""
        var raw: [UInt8] = []
        while let (field, value) = try unknown.next() {
            switch (field, value) {
            case (1, .bytes(let typeMeta)):
                var reader = ProtoReader(typeMeta)
                while let (f, v) = try reader.next() {
                    if f == 1 { apiVersion = v.string }
                    if f == 2 { kind = v.string }
                }
            case (2, .bytes(let bytes)): raw = bytes
            default: break
            }
        }
        var object: JSONObject = ["apiVersion": .string(apiVersion), "kind": .string(kind)]
        var reader = ProtoReader(raw)
        switch (apiVersion, kind) {
        case ("v1", "Namespace"):
            while let (f, v) = try reader.next() {
                switch f {
                case 1: object["metadata"] = .object(try objectMeta(v.bytes))
                case 2:
                    var spec = ProtoReader(v.bytes)
                    var finalizers: [JSONValue] = []
                    while let (sf, sv) = try spec.next() { if sf == 1 { finalizers.append(.string(sv.string)) } }
                    if !finalizers.isEmpty { object["spec"] = ["finalizers": .array(finalizers)] }
                default: break
                }
            }
        case ("v1", "Secret"):
            var data: JSONObject = [:]
            var stringData: JSONObject = [:]
            while let (f, v) = try reader.next() {
                switch f {
                case 1: object["metadata"] = .object(try objectMeta(v.bytes))
                case 2:
                    let (k, value) = try mapEntry(v.bytes)
                    data[k] = .string(Data(value).base64EncodedString())
                case 3: object["type"] = .string(v.string)
                case 4:
                    let (k, value) = try mapEntry(v.bytes)
                    stringData[k] = .string(String(decoding: value, as: UTF8.self))
                case 5: object["immutable"] = .bool(v.int != 0)
                default: break
                }
            }
            if !data.isEmpty { object["data"] = .object(data) }
            if !stringData.isEmpty { object["stringData"] = .object(stringData) }
        case ("v1", "ConfigMap"):
            var data: JSONObject = [:]
            var binary: JSONObject = [:]
            while let (f, v) = try reader.next() {
                switch f {
                case 1: object["metadata"] = .object(try objectMeta(v.bytes))
                case 2:
                    let (k, value) = try mapEntry(v.bytes)
                    data[k] = .string(String(decoding: value, as: UTF8.self))
                case 3:
                    let (k, value) = try mapEntry(v.bytes)
                    binary[k] = .string(Data(value).base64EncodedString())
                case 4: object["immutable"] = .bool(v.int != 0)
                default: break
                }
            }
            if !data.isEmpty { object["data"] = .object(data) }
            if !binary.isEmpty { object["binaryData"] = .object(binary) }
        case ("v1", "ServiceAccount"):
            var secrets: [JSONValue] = []
            var pullSecrets: [JSONValue] = []
            while let (f, v) = try reader.next() {
                switch f {
                case 1: object["metadata"] = .object(try objectMeta(v.bytes))
                case 2: secrets.append(.object(try strings(v.bytes, [1: "kind", 2: "namespace", 3: "name", 4: "uid", 5: "apiVersion", 6: "resourceVersion", 7: "fieldPath"])))
                case 3: pullSecrets.append(.object(try strings(v.bytes, [1: "name"])))
                case 4: object["automountServiceAccountToken"] = .bool(v.int != 0)
                default: break
                }
            }
            if !secrets.isEmpty { object["secrets"] = .array(secrets) }
            if !pullSecrets.isEmpty { object["imagePullSecrets"] = .array(pullSecrets) }
        case ("authentication.k8s.io/v1", "TokenRequest"):
            while let (f, v) = try reader.next() {
                switch f {
                case 1: object["metadata"] = .object(try objectMeta(v.bytes))
                case 2:
                    var spec: JSONObject = [:]
                    var audiences: [JSONValue] = []
                    var specReader = ProtoReader(v.bytes)
                    while let (sf, sv) = try specReader.next() {
                        switch sf {
                        case 1: audiences.append(.string(sv.string))
                        case 3: spec["boundObjectRef"] = .object(try strings(sv.bytes, [1: "kind", 2: "apiVersion", 3: "name", 4: "uid"]))
                        case 4: spec["expirationSeconds"] = .int(sv.int)
                        default: break
                        }
                    }
                    if !audiences.isEmpty { spec["audiences"] = .array(audiences) }
                    object["spec"] = .object(spec)
                default: break
                }
            }
        default:
            guard let decoded = try decodeAuthorizationTypes(apiVersion: apiVersion, kind: kind, raw) else {
                throw APIError.unsupportedMediaType("\(contentType) for \(kind).\(apiVersion)", accepted: APIError.bodyMediaTypes)
            }
            object.merge(decoded) { _, new in new }
        }
        return object
    }

    static func objectMeta(_ bytes: [UInt8]) throws -> JSONObject {
        var meta: JSONObject = [:]
        var labels: JSONObject = [:]
        var annotations: JSONObject = [:]
        var finalizers: [JSONValue] = []
        var owners: [JSONValue] = []
        var reader = ProtoReader(bytes)
        let stringFields = [1: "name", 2: "generateName", 3: "namespace", 5: "uid", 6: "resourceVersion"]
        while let (f, v) = try reader.next() {
            if let name = stringFields[f] {
                if !v.string.isEmpty { meta[name] = .string(v.string) }
                continue
            }
            switch f {
            case 7: meta["generation"] = .int(v.int)
            case 11:
                let (k, value) = try mapEntry(v.bytes)
                labels[k] = .string(String(decoding: value, as: UTF8.self))
            case 12:
                let (k, value) = try mapEntry(v.bytes)
                annotations[k] = .string(String(decoding: value, as: UTF8.self))
            case 13:
                var owner = try strings(v.bytes, [1: "kind", 3: "name", 4: "uid", 5: "apiVersion"])
                var r = ProtoReader(v.bytes)
                while let (of, ov) = try r.next() {
                    if of == 6 { owner["controller"] = .bool(ov.int != 0) }
                    if of == 7 { owner["blockOwnerDeletion"] = .bool(ov.int != 0) }
                }
                owners.append(.object(owner))
            case 14: finalizers.append(.string(v.string))
            default: break
            }
        }
        if !labels.isEmpty { meta["labels"] = .object(labels) }
        if !annotations.isEmpty { meta["annotations"] = .object(annotations) }
        if !finalizers.isEmpty { meta["finalizers"] = .array(finalizers) }
        if !owners.isEmpty { meta["ownerReferences"] = .array(owners) }
        return meta
    }

    static func strings(_ bytes: [UInt8], _ names: [Int: String]) throws -> JSONObject {
        var object: JSONObject = [:]
        var reader = ProtoReader(bytes)
        while let (f, v) = try reader.next() {
            if let name = names[f], case .bytes = v { object[name] = .string(v.string) }
        }
        return object
    }

    static func mapEntry(_ bytes: [UInt8]) throws -> (String, [UInt8]) {
        var reader = ProtoReader(bytes)
        var key = ""
        var value: [UInt8] = []
        while let (f, v) = try reader.next() {
            if f == 1 { key = v.string }
            if f == 2 { value = v.bytes }
        }
        return (key, value)
    }
}

/// A protobuf wire-format reader: varints and length-delimited fields are all the
/// Kubernetes messages above use (fixed-width fields are skipped).
struct ProtoReader {
    enum Value {
        case varint(UInt64)
        case bytes([UInt8])
        case other

        var bytes: [UInt8] { if case .bytes(let b) = self { return b } else { return [] } }
        var string: String { String(decoding: bytes, as: UTF8.self) }
        var int: Int64 { if case .varint(let v) = self { return Int64(bitPattern: v) } else { return 0 } }
    }

    private let data: [UInt8]
    private var index = 0

    init(_ data: [UInt8]) { self.data = data }

    private mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while index < data.count {
            let byte = data[index]
            index += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { break }
        }
        throw APIError.badRequest("malformed protobuf body")
    }

    mutating func next() throws -> (Int, Value)? {
        guard index < data.count else { return nil }
        let key = try varint()
        let field = Int(key >> 3)
        switch key & 7 {
        case 0: return (field, .varint(try varint()))
        case 2:
            let length = Int(try varint())
            guard length >= 0, index + length <= data.count else { throw APIError.badRequest("malformed protobuf body") }
            defer { index += length }
            return (field, .bytes(Array(data[index..<(index + length)])))
        case 1:
            index += 8
            return (field, .other)
        case 5:
            index += 4
            return (field, .other)
        default:
            throw APIError.badRequest("malformed protobuf body")
        }
    }
}
