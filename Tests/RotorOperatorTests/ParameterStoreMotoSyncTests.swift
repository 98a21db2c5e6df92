import EmulatorTestSupport
import Foundation
import JSONCore
import KubeAPI
import KubeClient
import MotoTestSupport
import RotorAPI
import RotorOperator
import SecretProviders
import Testing

@testable import AWSProvider

extension MotoServer {
    /// A signed Systems Manager (Parameter Store) call (any key works: moto's signature checks are off).
    @discardableResult
    func ssm(_ operation: String, _ body: [String: Any]) async throws -> [String: Any] {
        let client = AWSServiceClient(
            endpoint: try AWSEndpoint(url: endpoint), signer: SigV4Signer(region: "us-east-1", service: "ssm"),
            transport: AsyncHTTPClientTransport(), policy: AWSCallPolicy(maxAttempts: 1), rateLimiter: nil, limiter: nil)
        let response = try await client.post(
            operation: operation, headers: ParameterStoreWire.headers(operation), body: ProviderJSON.body(body),
            credentials: StaticCredentialSource(AWSCredentials(accessKeyID: "AKIAROTORTEST0000000", secretAccessKey: "moto")))
        return try ParameterStoreWire.decodeObject(response.body, operation: operation)
    }
}

/// An ExternalSecret synced through the operator from a `service: ParameterStore` store on
/// moto: `data` by name, version and label, `dataFrom.find` by path (names → Secret keys
/// with `/` → `_`), and a new parameter version at the next refresh.
@Suite("Parameter Store sync (moto)", .serialized)
struct ParameterStoreMotoSyncTests {
    static func createStore(_ h: RotationHarness, _ moto: MotoServer) async throws {
        var keys = Secret(metadata: ObjectMeta(name: "aws", namespace: "default"))
        keys.data = ["access-key-id": Data("AKIAROTORTEST0000000".utf8), "secret-access-key": Data("moto".utf8)]
        _ = try await h.client.create(keys)
        let store = #"{"apiVersion":"rotor.dev/v1alpha1","kind":"SecretStore","metadata":{"name":"ssm","namespace":"default"},"spec":{"provider":{"aws":{"service":"ParameterStore","region":"us-east-1","endpoint":"\#(moto.endpoint)","insecureAllowHTTP":true,"auth":{"secretRef":{"accessKeyIDSecretRef":{"name":"aws","key":"access-key-id"},"secretAccessKeySecretRef":{"name":"aws","key":"secret-access-key"}}}}}}}"#
        _ = try await h.client.create(SecretStore.resourceType, namespace: "default", body: try JSONValue(parsing: store))
    }

    static func data(_ h: RotationHarness, secret name: String) async -> [String: String]? {
        guard let secret = try? await h.client.get(Secret.self, namespace: "default", name: name) else { return nil }
        return secret.data?.mapValues { String(decoding: $0, as: UTF8.self) }
    }

    @Test("ParameterStore through the operator: data by name, version and label, dataFrom.find by path, a new version at the next refresh")
    func syncsThroughTheOperator() async throws {
        try await withMoto { moto in
            for value in ["v1", "v2"] {
                try await moto.ssm("PutParameter", ["Name": "/app/db/password", "Value": "pw-\(value)", "Type": "SecureString", "Overwrite": true])
            }
            try await moto.ssm("LabelParameterVersion", ["Name": "/app/db/password", "ParameterVersion": 1, "Labels": ["first"]])
            try await moto.ssm("PutParameter", ["Name": "/app/db/user", "Value": "shop", "Type": "String"])
            for index in 0..<12 {
                try await moto.ssm("PutParameter", ["Name": "/app/flags/f\(index)", "Value": "on-\(index)", "Type": "SecureString"])
            }
            try await RotationHarness.with(clusterCredentials: true) { h in
                try await Self.createStore(h, moto)
                let running = h.startOperator()
                let json = #"{"apiVersion":"rotor.dev/v1alpha1","kind":"ExternalSecret","metadata":{"name":"app","namespace":"default"},"spec":{"secretStoreRef":{"name":"ssm"},"refreshInterval":"3s","data":[{"secretKey":"password","remoteRef":{"key":"/app/db/password"}},{"secretKey":"user","remoteRef":{"key":"/app/db/user"}},{"secretKey":"first","remoteRef":{"key":"/app/db/password","version":"first"}},{"secretKey":"v1","remoteRef":{"key":"/app/db/password","version":"1"}}],"dataFrom":[{"find":{"path":"/app/flags/"}}]}}"#
                _ = try await h.client.create(ExternalSecret.resourceType, namespace: "default", body: try JSONValue(parsing: json))
                var expected = ["password": "pw-v2", "user": "shop", "first": "pw-v1", "v1": "pw-v1"]
                for index in 0..<12 { expected["_app_flags_f\(index)"] = "on-\(index)" }
                #expect(await EmulatedCluster.eventually(timeout: .seconds(30)) { await Self.data(h, secret: "app") == expected })
                #expect(await h.settled(running))

                try await moto.ssm("PutParameter", ["Name": "/app/db/password", "Value": "pw-v3", "Type": "SecureString", "Overwrite": true])
                h.advance(to: h.clock.now().addingTimeInterval(3.3))
                #expect(await EmulatedCluster.eventually(timeout: .seconds(30)) { await Self.data(h, secret: "app")?["password"] == "pw-v3" })
                #expect(await h.settled(running))
            }
        }
    }

    /// Versions of a parameter (GetParameterHistory, first page: these tests write few).
    static func versions(_ moto: MotoServer, _ name: String) async throws -> Int {
        let answer = try await moto.ssm("GetParameterHistory", ["Name": name])
        return (answer["Parameters"] as? [[String: Any]] ?? []).count
    }

    static let rotationSpec = #"{"secretStoreRef":{"name":"ssm"},"refreshInterval":"1h","data":[{"secretKey":"password","remoteRef":{"key":"/db/creds","property":"password"}},{"secretKey":"user","remoteRef":{"key":"/db/creds","property":"user"}}],"rotation":{"gracePeriod":"10m","generate":[{"property":"password","length":24}]}}"#

    @Test("ParameterStore rotation: a crash between PutParameter and the sync ends with exactly one new SecureString version and new + previous in the Secret")
    func rotationCrashAfterWrite() async throws {
        try await withMoto { moto in
            try await moto.ssm("PutParameter", ["Name": "/db/creds", "Value": #"{"password":"old-pass","user":"app"}"#, "Type": "SecureString"])
            try await RotationHarness.with(clusterCredentials: true) { h in
                try await Self.createStore(h, moto)
                let crashes = CrashRecorder()
                let first = h.startOperator(hooks: crashes.crashing(after: .providerWritten))
                try await h.createExternalSecret(spec: Self.rotationSpec)
                #expect(await EmulatedCluster.eventually(timeout: .seconds(30)) { await h.data()["password"] == "old-pass" })
                #expect(await h.settled(first))
                _ = try await h.client.patch(
                    ExternalSecret.self, namespace: "default", name: "db", patch: .merge(["metadata": ["annotations": ["rotor.dev/rotate": "1"]]]))
                #expect(await EmulatedCluster.eventually(timeout: .seconds(30)) { await crashes.reached == [.providerWritten] })
                await first.stop()
                #expect(try await Self.versions(moto, "/db/creds") == 2)

                let second = h.startOperator()
                #expect(await EmulatedCluster.eventually(timeout: .seconds(30)) { await h.data()["password_previous"] == "old-pass" })
                #expect(await EmulatedCluster.eventually { await h.rotationStatus()?.pendingID == nil })
                #expect(try await Self.versions(moto, "/db/creds") == 2, "exactly one new parameter version")
                let answer = try await moto.ssm("GetParameter", ["Name": "/db/creds", "WithDecryption": true])
                let parameter = answer["Parameter"] as? [String: Any] ?? [:]
                #expect(parameter["Type"] as? String == "SecureString")
                let written = try SecretValue(utf8: parameter["Value"] as? String ?? "").extractProperties(key: "/db/creds")
                let password = written["password"]?.revealedString()
                #expect(password != "old-pass" && password?.count == 24)
                #expect(written["user"]?.revealedString() == "app")
                #expect(await h.data()["password"] == password)
                await second.stop()
            }
        }
    }
}
