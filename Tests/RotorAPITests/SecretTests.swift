import Foundation
import JSONCore
import KubeAPI
import RotorAPI
import Testing

@Suite("Secret")
struct SecretTests {
    @Test("data is base64 on the wire and bytes in memory")
    func dataIsBase64() throws {
        let secret = Secret(
            metadata: ObjectMeta(name: "db", namespace: "shop"), type: SecretType.opaque,
            data: ["password": Data("s3cr3t".utf8), "binary": Data([0x00, 0xFF, 0x80])])
        let json = try JSONValue(encoding: secret)
        #expect(json["apiVersion"] == "v1")
        #expect(json["kind"] == "Secret")
        #expect(json["type"] == "Opaque")
        #expect(json["data"] == ["password": "czNjcjN0", "binary": "AP+A"])

        let decoded = try json.decode(as: Secret.self)
        #expect(decoded.data?["password"] == Data("s3cr3t".utf8))
        #expect(decoded.data?["binary"] == Data([0x00, 0xFF, 0x80]))
        #expect(decoded == secret)
    }

    @Test("decodes a Secret as the API server returns it")
    func decodesServerSecret() throws {
        let json = """
            {"apiVersion":"v1","kind":"Secret","type":"kubernetes.io/tls","immutable":true,
             "metadata":{"name":"web-tls","namespace":"shop","uid":"0b1c","resourceVersion":"912",
                         "creationTimestamp":"2026-11-29T10:00:00Z",
                         "ownerReferences":[{"apiVersion":"rotor.dev/v1","kind":"ExternalSecret","name":"web-tls",
                                             "uid":"77aa","controller":true,"blockOwnerDeletion":true}]},
             "data":{"tls.crt":"Y2VydA==","tls.key":"a2V5"}}
            """
        let trip = try roundTrip(Secret.self, json)
        #expect(trip.value.type == SecretType.tls)
        #expect(trip.value.immutable == true)
        #expect(trip.value.data?["tls.key"] == Data("key".utf8))
        #expect(trip.value.metadata.ownerReferences?.first?.controller == true)
        #expect(trip.reencoded == trip.original)
    }

    @Test("accepts write-only stringData and writes it back as plain text")
    func acceptsStringData() throws {
        let trip = try roundTrip(
            Secret.self, #"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db"},"stringData":{"user":"admin"}}"#)
        #expect(trip.value.stringData == ["user": "admin"])
        #expect(trip.value.data == nil)
        #expect(trip.reencoded["stringData"] == ["user": "admin"])
    }

    @Test("rejects data that is not base64")
    func rejectsBadBase64() {
        #expect(throws: DecodingError.self) {
            try KubeJSON.decoder.decode(Secret.self, from: Data(#"{"data":{"k":"not base64!"}}"#.utf8))
        }
    }

    @Test("never shows secret values when printed, debug-printed or dumped")
    func redactsValues() {
        let secret = Secret(
            metadata: ObjectMeta(name: "db", namespace: "shop"),
            data: ["password": Data("hunter2".utf8)], stringData: ["token": "tok-123"])
        var dumped = ""
        dump(secret, to: &dumped)
        for text in [String(describing: secret), String(reflecting: secret), dumped, "\(secret)"] {
            #expect(!text.contains("hunter2"))
            #expect(!text.contains("aHVudGVyMg"))  // base64 of the value
            #expect(!text.contains("104, 117"))  // its bytes
            #expect(!text.contains("tok-123"))
            #expect(text.contains("password"))
        }
    }

    @Test("a Secret without metadata or data still decodes, as Go would")
    func decodesSparseSecret() throws {
        let secret = try KubeJSON.decoder.decode(Secret.self, from: Data("{}".utf8))
        #expect(secret.metadata == ObjectMeta())
        #expect(secret.data == nil)
    }
}

@Suite("ConfigMap")
struct ConfigMapTests {
    @Test("keeps text data as text and binary data as base64")
    func textAndBinaryData() throws {
        let trip = try roundTrip(
            ConfigMap.self,
            #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg"},"data":{"app.yaml":"a: 1\n"},"binaryData":{"blob":"AAEC"},"immutable":false}"#
        )
        #expect(trip.value.data?["app.yaml"] == "a: 1\n")
        #expect(trip.value.binaryData?["blob"] == Data([0, 1, 2]))
        #expect(trip.value.immutable == false)
        #expect(trip.reencoded == trip.original)
    }
}
