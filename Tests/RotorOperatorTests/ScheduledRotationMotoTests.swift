import EmulatorTestSupport
import Foundation
import KubeClient
import KubeRuntime
import JSONCore
import KubeAPI
import RotorAPI
import RotorOperator
import SecretProviders
import MotoTestSupport
import Testing

@testable import AWSProvider

/// What these tests need of moto, beside the shared server's own controls.
extension MotoServer {
    /// A signed Secrets Manager call (any key works: moto's signature checks are off).
    @discardableResult
    func secretsManager(_ operation: String, _ body: [String: Any]) async throws -> [String: Any] {
        let client = AWSServiceClient(
            endpoint: try AWSEndpoint(url: endpoint), signer: SigV4Signer(region: "us-east-1", service: "secretsmanager"),
            transport: AsyncHTTPClientTransport(), policy: AWSCallPolicy(maxAttempts: 1), rateLimiter: nil, limiter: nil)
        let response = try await client.post(
            operation: operation, headers: SecretsManagerWire.headers(operation), body: ProviderJSON.body(body),
            credentials: StaticCredentialSource(AWSCredentials(accessKeyID: "AKIAROTORTEST0000000", secretAccessKey: "moto")))
        return try SecretsManagerWire.decodeObject(response.body, operation: operation)
    }

    /// Every version id of a secret.
    func versionIDs(_ name: String) async throws -> [String] {
        let answer = try await secretsManager("ListSecretVersionIds", ["SecretId": name, "IncludeDeprecated": true])
        return (answer["Versions"] as? [[String: Any]] ?? []).compactMap { $0["VersionId"] as? String }
    }

    /// The current SecretString parsed as a JSON object of strings.
    func current(_ name: String) async throws -> [String: String] {
        let answer = try await secretsManager("GetSecretValue", ["SecretId": name])
        let text = answer["SecretString"] as? String ?? "{}"
        return (try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String]) ?? [:]
    }
}

/// Scheduled rotation against moto: `PutSecretValue` with
/// `ClientRequestToken = pendingID`; a crash before or after it ends with exactly one new
/// Secrets Manager version and new + previous in the Secret.
@Suite("Scheduled rotation with AWS (moto)", .serialized)
struct ScheduledMotoServerTests {
    static let spec = #"{"secretStoreRef":{"name":"aws"},"refreshInterval":"1h","data":[{"secretKey":"password","remoteRef":{"key":"db/creds","property":"password"}},{"secretKey":"user","remoteRef":{"key":"db/creds","property":"user"}}],"rotation":{"gracePeriod":"10m","generate":[{"property":"password","length":24}]}}"#

    /// The access keys Secret and the SecretStore `aws` pointing at `moto`.
    static func createStore(_ h: RotationHarness, _ moto: MotoServer) async throws {
        var keys = Secret(metadata: ObjectMeta(name: "aws", namespace: "default"))
        keys.data = ["access-key-id": Data("AKIAROTORTEST0000000".utf8), "secret-access-key": Data("moto".utf8)]
        _ = try await h.client.create(keys)
        let store = #"{"apiVersion":"rotor.dev/v1alpha1","kind":"SecretStore","metadata":{"name":"aws","namespace":"default"},"spec":{"provider":{"aws":{"service":"SecretsManager","region":"us-east-1","endpoint":"\#(moto.endpoint)","insecureAllowHTTP":true,"auth":{"secretRef":{"accessKeyIDSecretRef":{"name":"aws","key":"access-key-id"},"secretAccessKeySecretRef":{"name":"aws","key":"secret-access-key"}}}}}}}"#
        _ = try await h.client.create(SecretStore.resourceType, namespace: "default", body: try JSONValue(parsing: store))
    }

    static func run(crashAfter step: RotationStep) async throws {
        let moto = try await MotoServer.start()
        do {
            try await moto.secretsManager("CreateSecret", ["Name": "db/creds", "SecretString": #"{"password":"old-pass","user":"app"}"#])
            let original = try await moto.versionIDs("db/creds")
            #expect(original.count == 1)
            try await RotationHarness.with(clusterCredentials: true) { h in
                try await Self.createStore(h, moto)

                let crashes = CrashRecorder()
                let first = h.startOperator(hooks: crashes.crashing(after: step))
                try await h.createExternalSecret(spec: Self.spec)
                #expect(await EmulatedCluster.eventually(timeout: .seconds(30)) { await h.data()["password"] == "old-pass" })
                #expect(await h.settled(first))
                _ = try await h.client.patch(
                    ExternalSecret.self, namespace: "default", name: "db", patch: .merge(["metadata": ["annotations": ["rotor.dev/rotate": "1"]]]))
                #expect(await EmulatedCluster.eventually(timeout: .seconds(30)) { await crashes.reached == [step] })
                await first.stop()
                #expect(try await moto.versionIDs("db/creds").count == (step == .pendingRecorded ? 1 : 2))
                #expect(await h.data()["password"] == "old-pass")

                let second = h.startOperator()
                #expect(await EmulatedCluster.eventually(timeout: .seconds(30)) { await h.data()["password_previous"] == "old-pass" })
                #expect(await EmulatedCluster.eventually { await h.rotationStatus()?.pendingID == nil })
                #expect(try await moto.versionIDs("db/creds").count == 2, "exactly one new Secrets Manager version")
                let remote = try await moto.current("db/creds")
                #expect(remote["password"] != "old-pass" && remote["password"]?.count == 24)
                #expect(remote["user"] == "app", "the other properties are kept")
                #expect(await h.data()["password"] == remote["password"])
                await second.stop()
            }
        } catch {
            await moto.stop()
            throw error
        }
        await moto.stop()
    }

    @Test("moto: a crash between recording pendingID and PutSecretValue ends with one new version and new + previous in the Secret")
    func crashBeforeWrite() async throws {
        try await Self.run(crashAfter: .pendingRecorded)
    }

    @Test("moto: a crash between PutSecretValue and the sync ends with one new version and new + previous in the Secret")
    func crashAfterWrite() async throws {
        try await Self.run(crashAfter: .providerWritten)
    }

    @Test("moto: a rotation keeps every other property of the SecretString exactly, with its JSON type")
    func keepsJSONTypes() async throws {
        let typed = #"{"user":"app","port":5432,"ratio":1.5,"thousand":1e3,"big":123456789012345678901234567890,"#
            + #""tls":true,"proxy":null,"pool":{"min": 1, "max": [2, 3.0]},"hosts":["db-1",{"port":6432}],"#
            + #""note":"caf\u00e9","password":"old-pass"}"#
        let moto = try await MotoServer.start()
        do {
            try await moto.secretsManager("CreateSecret", ["Name": "db/creds", "SecretString": typed])
            try await RotationHarness.with(clusterCredentials: true) { h in
                try await Self.createStore(h, moto)
                let running = h.startOperator()
                try await h.createExternalSecret(spec: Self.spec)
                #expect(await EmulatedCluster.eventually(timeout: .seconds(30)) { await h.data()["password"] == "old-pass" })
                #expect(await h.settled(running))
                _ = try await h.client.patch(
                    ExternalSecret.self, namespace: "default", name: "db", patch: .merge(["metadata": ["annotations": ["rotor.dev/rotate": "1"]]]))
                #expect(await EmulatedCluster.eventually(timeout: .seconds(30)) { await h.data()["password_previous"] == "old-pass" })
                #expect(await EmulatedCluster.eventually { await h.rotationStatus()?.pendingID == nil })
                #expect(try await moto.versionIDs("db/creds").count == 2, "exactly one new Secrets Manager version")

                let answer = try await moto.secretsManager("GetSecretValue", ["SecretId": "db/creds"])
                let text = try #require(answer["SecretString"] as? String)
                for kept in [
                    #""port":5432"#, #""ratio":1.5"#, #""thousand":1e3"#, #""big":123456789012345678901234567890"#, #""tls":true"#,
                    #""proxy":null"#, #""pool":{"min": 1, "max": [2, 3.0]}"#, #""hosts":["db-1",{"port":6432}]"#, #""note":"café""#,
                    #""user":"app""#,
                ] {
                    #expect(text.contains(kept), "\(kept) is written back as it was")
                }
                let written = try SecretValue(utf8: text).extractProperties(key: "db/creds")
                let password = try #require(written["password"]?.revealedString())
                #expect(password != "old-pass" && password.count == 24)
                #expect(await h.data()["password"] == password)
                await running.stop()
            }
        } catch {
            await moto.stop()
            throw error
        }
        await moto.stop()
    }
}
