import EmulatorTestSupport
import Foundation
import JSONCore
import KubeAPI
import KubeClient
import KubernetesEmulator
import Testing

/// Typed Secrets are refused as kube-apiserver refuses them (`ValidateSecret`): the keys
/// each type requires, JSON for the docker types, and an immutable `type`.
@Suite("Secret types")
struct SecretTypeValidationTests {
    static func typed(_ name: String, type: String, data: [String: String], annotations: [String: String] = [:]) -> JSONValue {
        var metadata: JSONObject = ["name": .string(name)]
        if !annotations.isEmpty { metadata["annotations"] = .object(annotations.mapValues(JSONValue.string)) }
        return [
            "apiVersion": "v1", "kind": "Secret", "metadata": .object(metadata), "type": .string(type),
            "data": .object(data.mapValues { .string(Data($0.utf8).base64EncodedString()) }),
        ]
    }

    @Test(
        "a typed Secret without a key its type requires is refused with kube-apiserver's message",
        arguments: [
            ("kubernetes.io/tls", ["tls.crt": "c"], #"Secret "s" is invalid: data[tls.key]: Required value"#, ["data[tls.key]"]),
            (
                "kubernetes.io/tls", [:], #"Secret "s" is invalid: [data[tls.crt]: Required value, data[tls.key]: Required value]"#,
                ["data[tls.crt]", "data[tls.key]"]
            ),
            ("kubernetes.io/dockerconfigjson", ["x": "{}"], #"Secret "s" is invalid: data[.dockerconfigjson]: Required value"#, ["data[.dockerconfigjson]"]),
            ("kubernetes.io/dockercfg", ["x": "{}"], #"Secret "s" is invalid: data[.dockercfg]: Required value"#, ["data[.dockercfg]"]),
            (
                "kubernetes.io/basic-auth", ["x": "y"],
                #"Secret "s" is invalid: [data[username]: Required value, data[password]: Required value]"#, ["data[username]", "data[password]"]
            ),
            ("kubernetes.io/ssh-auth", ["ssh-privatekey": ""], #"Secret "s" is invalid: data[ssh-privatekey]: Required value"#, ["data[ssh-privatekey]"]),
            (
                "kubernetes.io/service-account-token", [:],
                #"Secret "s" is invalid: metadata.annotations[kubernetes.io/service-account.name]: Required value"#,
                ["metadata.annotations[kubernetes.io/service-account.name]"]
            ),
        ] as [(String, [String: String], String, [String])])
    func missingKeys(_ type: String, _ data: [String: String], _ message: String, _ fields: [String]) async throws {
        try await EmulatedCluster.with { cluster in
            let error = await apiError { try await cluster.client.create(.testSecrets, namespace: "default", body: Self.typed("s", type: type, data: data)) }
            #expect(error?.kind == .invalid)
            #expect(error?.message == message)
            #expect(error?.causes.map(\.field) == fields)
            #expect(error?.causes.allSatisfy { $0.reason == "FieldValueRequired" } == true)
        }
    }

    @Test("a docker config that is not a JSON object is refused without quoting it")
    func dockerConfigMustBeJSON() async throws {
        try await EmulatedCluster.with { cluster in
            let notJSON = await apiError {
                try await cluster.client.create(.testSecrets, namespace: "default", body: Self.typed("s", type: "kubernetes.io/dockerconfigjson", data: [".dockerconfigjson": "x-secret"]))
            }
            #expect(notJSON?.message == #"Secret "s" is invalid: data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": invalid character 'x' looking for beginning of value"#)
            let array = await apiError {
                try await cluster.client.create(.testSecrets, namespace: "default", body: Self.typed("s", type: "kubernetes.io/dockercfg", data: [".dockercfg": "[]"]))
            }
            #expect(array?.message.hasSuffix("json: cannot unmarshal array into Go value of type map[string]interface {}") == true)
            #expect(array?.causes.first?.reason == "FieldValueInvalid")
        }
    }

    @Test("well-formed typed Secrets are accepted, basic-auth with only one of its keys, even empty")
    func wellFormedAreAccepted() async throws {
        try await EmulatedCluster.with { cluster in
            let secrets: [JSONValue] = [
                Self.typed("a", type: "kubernetes.io/dockerconfigjson", data: [".dockerconfigjson": #"{"auths":{}}"#]),
                Self.typed("b", type: "kubernetes.io/tls", data: ["tls.crt": "c", "tls.key": "k"]),
                Self.typed("c", type: "kubernetes.io/basic-auth", data: ["password": ""]),
                Self.typed("d", type: "kubernetes.io/ssh-auth", data: ["ssh-privatekey": "k"]),
                Self.typed("e", type: "kubernetes.io/service-account-token", data: [:], annotations: ["kubernetes.io/service-account.name": "default"]),
                Self.typed("f", type: "example.com/anything", data: [:]),
            ]
            for secret in secrets {
                let created = try await cluster.client.create(.testSecrets, namespace: "default", body: secret)
                #expect(created["type"] == secret["type"])
            }
        }
    }

    @Test("a Secret's type cannot change: field is immutable")
    func typeIsImmutable() async throws {
        try await EmulatedCluster.with { cluster in
            var secret = try await cluster.client.create(.testSecrets, namespace: "default", body: Self.typed("s", type: "Opaque", data: ["tls.crt": "c", "tls.key": "k"]))
            secret["type"] = "kubernetes.io/tls"
            let error = await apiError { try await cluster.client.update(.testSecrets, namespace: "default", name: "s", body: secret) }
            #expect(error?.message == #"Secret "s" is invalid: type: Invalid value: "kubernetes.io/tls": field is immutable"#)
        }
    }
}
