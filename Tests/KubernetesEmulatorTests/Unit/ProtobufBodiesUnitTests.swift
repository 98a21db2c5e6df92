@testable import KubernetesEmulator
import JSONCore
import KubeAPI
import Testing

/// A tiny protobuf writer: varints and length-delimited fields, as the Kubernetes messages use.
private struct ProtoWriter {
    var bytes: [UInt8] = []

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func field(_ number: Int, varint value: UInt64) {
        varint(UInt64(number << 3))
        varint(value)
    }

    mutating func field(_ number: Int, bytes value: [UInt8]) {
        varint(UInt64(number << 3 | 2))
        varint(UInt64(value.count))
        bytes += value
    }

    mutating func field(_ number: Int, _ string: String) { field(number, bytes: Array(string.utf8)) }

    mutating func field(_ number: Int, message build: (inout ProtoWriter) -> Void) {
        var inner = ProtoWriter()
        build(&inner)
        field(number, bytes: inner.bytes)
    }

    mutating func mapEntry(_ number: Int, key: String, value: [UInt8]) {
        field(number) { entry in
            entry.field(1, key)
            entry.field(2, bytes: value)
        }
    }
}

/// `k8s\0` + runtime.Unknown{typeMeta{apiVersion, kind}, raw}.
private func envelope(apiVersion: String, kind: String, raw: [UInt8]) -> [UInt8] {
    var unknown = ProtoWriter()
    unknown.field(1) { typeMeta in
        typeMeta.field(1, apiVersion)
        typeMeta.field(2, kind)
    }
    unknown.field(2, bytes: raw)
    unknown.field(4, "application/vnd.kubernetes.protobuf")
    return [0x6B, 0x38, 0x73, 0x00] + unknown.bytes
}

@Suite("Unit: protobuf request bodies")
struct ProtobufBodiesUnitTests {
    @Test("a protobuf Secret from kubectl decodes to its JSON object")
    func secret() throws {
        var secret = ProtoWriter()
        secret.field(1) { meta in
            meta.field(1, "db")
            meta.field(3, "shop")
            meta.mapEntry(11, key: "app", value: Array("web".utf8))
            meta.mapEntry(11, key: "tier", value: Array("back".utf8))
        }
        secret.mapEntry(2, key: "password", value: Array("s3cr3t".utf8))
        secret.mapEntry(2, key: "bin", value: [0x00, 0xFF, 0x10])
        secret.field(3, "Opaque")
        secret.field(5, varint: 1)
        let object = try ProtobufBodies.decode(envelope(apiVersion: "v1", kind: "Secret", raw: secret.bytes))
        let expected: JSONObject = [
            "apiVersion": "v1", "kind": "Secret",
            "metadata": ["name": "db", "namespace": "shop", "labels": ["app": "web", "tier": "back"]],
            "data": ["password": "czNjcjN0", "bin": "AP8Q"],
            "type": "Opaque", "immutable": true,
        ]
        #expect(object == expected)
    }

    @Test("a protobuf Secret with stringData and immutable false decodes them")
    func secretStringData() throws {
        var secret = ProtoWriter()
        secret.field(1) { $0.field(1, "tok") }
        secret.mapEntry(4, key: "token", value: Array("abc".utf8))
        secret.field(5, varint: 0)
        let object = try ProtobufBodies.decode(envelope(apiVersion: "v1", kind: "Secret", raw: secret.bytes))
        #expect(object["stringData"] == ["token": "abc"])
        #expect(object["immutable"] == false)
        #expect(object["data"] == nil)
    }

    @Test("a protobuf Namespace decodes with its name, labels and spec finalizers")
    func namespace() throws {
        var namespace = ProtoWriter()
        namespace.field(1) { meta in
            meta.field(1, "shop")
            meta.mapEntry(11, key: "team", value: Array("payments".utf8))
            meta.field(12) { entry in  // an annotation
                entry.field(1, "note")
                entry.field(2, "hi")
            }
        }
        namespace.field(2) { spec in spec.field(1, "kubernetes") }
        let object = try ProtobufBodies.decode(envelope(apiVersion: "v1", kind: "Namespace", raw: namespace.bytes))
        let expected: JSONObject = [
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": ["name": "shop", "labels": ["team": "payments"], "annotations": ["note": "hi"]],
            "spec": ["finalizers": ["kubernetes"]],
        ]
        #expect(object == expected)
    }

    @Test("a protobuf body without the k8s prefix is refused with 400")
    func missingPrefix() {
        var secret = ProtoWriter()
        secret.field(1) { $0.field(1, "db") }
        let body = Array(envelope(apiVersion: "v1", kind: "Secret", raw: secret.bytes).dropFirst(4))
        let error = unitAPIError { _ = try ProtobufBodies.decode(body) }
        #expect(error?.httpCode == 400)
        #expect(error?.status.message?.contains("k8s\\0") == true)
    }

    @Test("a protobuf body of a kind the emulator cannot decode is refused with 415")
    func unsupportedKind() {
        #expect(unitAPIErrorCode { _ = try ProtobufBodies.decode(envelope(apiVersion: "apps/v1", kind: "Deployment", raw: [])) } == 415)
        #expect(unitAPIErrorCode { _ = try ProtobufBodies.decode(envelope(apiVersion: "v1", kind: "Pod", raw: [])) } == 415)
    }

    @Test("a truncated protobuf body is refused with 400")
    func truncated() {
        var secret = ProtoWriter()
        secret.field(1) { $0.field(1, "db") }
        let body = envelope(apiVersion: "v1", kind: "Secret", raw: secret.bytes)
        #expect(unitAPIErrorCode { _ = try ProtobufBodies.decode(Array(body.dropLast(3))) } == 400)
    }
}
