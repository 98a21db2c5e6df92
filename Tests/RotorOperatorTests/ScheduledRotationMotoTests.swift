import EmulatorTestSupport
import Foundation
import KubeClient
import KubeRuntime
import RotorAPI
import RotorOperator
import SecretProviders
import Testing

@testable import AWSProvider

/// A `moto_server` on a free loopback port for one test (a small python launcher prints the
/// port and serves until its stdin closes), with just what these tests need of it.
final class RotationMoto: Sendable {
    let port: Int
    private let process: Process
    private let stdin: FileHandle

    var endpoint: String { "http://127.0.0.1:\(port)" }

    static let launcher = """
        import os, sys
        from moto.server import ThreadedMotoServer
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        print(server.get_host_and_port()[1], flush=True)
        sys.stdin.read()
        os._exit(0)
        """

    /// Whether moto can be imported here (`hack/test` installs it; set ROTOR_REQUIRE_MOTO=1 to fail instead of skip).
    static let isAvailable: Bool = {
        if ProcessInfo.processInfo.environment["ROTOR_REQUIRE_MOTO"] == "1" { return true }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import moto.server, botocore"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    private init(port: Int, process: Process, stdin: FileHandle) {
        self.port = port
        self.process = process
        self.stdin = stdin
    }

    struct StartFailure: Error {}

    /// Starts one (blocking reads happen on a thread of their own, not the cooperative pool).
    static func start() async throws -> RotationMoto {
        let moto = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<RotationMoto, any Error>) in
            Thread.detachNewThread {
                do {
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                    process.arguments = ["python3", "-c", launcher]
                    let stdin = Pipe()
                    let stdout = Pipe()
                    process.standardInput = stdin
                    process.standardOutput = stdout
                    process.standardError = FileHandle.nullDevice
                    try process.run()
                    var line = Data()
                    while true {
                        let byte = stdout.fileHandleForReading.readData(ofLength: 1)
                        if byte.isEmpty || byte.first == UInt8(ascii: "\n") { break }
                        line.append(byte)
                    }
                    guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespaces)) else {
                        try? stdin.fileHandleForWriting.close()
                        throw StartFailure()
                    }
                    continuation.resume(returning: RotationMoto(port: port, process: process, stdin: stdin.fileHandleForWriting))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
        for _ in 0..<100 {
            if (try? await moto.secretsManager("ListSecrets", [:])) != nil { return moto }
            try await Task.sleep(for: .milliseconds(50))
        }
        await moto.stop()
        throw StartFailure()
    }

    func stop() async {
        try? stdin.close()
        let process = self.process
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                process.waitUntilExit()
                continuation.resume()
            }
        }
    }

    /// A signed Secrets Manager call (any key works: moto's signature checks are off).
    @discardableResult
    func secretsManager(_ operation: String, _ body: [String: Any]) async throws -> [String: Any] {
        let client = AWSServiceClient(
            endpoint: try AWSEndpoint(url: endpoint), signer: SigV4Signer(region: "us-east-1", service: "secretsmanager"),
            transport: AsyncHTTPClientTransport(), policy: AWSCallPolicy(maxAttempts: 1), rateLimiter: nil, limiter: nil)
        let response = try await client.post(
            operation: operation, headers: SecretsManagerWire.headers(operation), body: SecretsManagerWire.encode(body),
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

/// Scheduled rotation against moto (issue 7, Done-when #2): `PutSecretValue` with
/// `ClientRequestToken = pendingID`; a crash before or after it ends with exactly one new
/// Secrets Manager version and new + previous in the Secret.
@Suite("Scheduled rotation with AWS (moto)", .serialized, .enabled(if: RotationMoto.isAvailable, "moto (pip install 'moto[server]') is needed"))
struct ScheduledRotationMotoTests {
    static let spec = #"{"secretStoreRef":{"name":"aws"},"refreshInterval":"1h","data":[{"secretKey":"password","remoteRef":{"key":"db/creds","property":"password"}},{"secretKey":"user","remoteRef":{"key":"db/creds","property":"user"}}],"rotation":{"gracePeriod":"10m","generate":[{"property":"password","length":24}]}}"#

    static func run(crashAfter step: RotationStep) async throws {
        let moto = try await RotationMoto.start()
        do {
            try await moto.secretsManager("CreateSecret", ["Name": "db/creds", "SecretString": #"{"password":"old-pass","user":"app"}"#])
            let original = try await moto.versionIDs("db/creds")
            #expect(original.count == 1)
            try await RotationHarness.with(clusterCredentials: true) { h in
                var keys = Secret(metadata: ObjectMeta(name: "aws", namespace: "default"))
                keys.data = ["access-key-id": Data("AKIAROTORTEST0000000".utf8), "secret-access-key": Data("moto".utf8)]
                _ = try await h.client.create(keys)
                let store = #"{"apiVersion":"rotor.dev/v1alpha1","kind":"SecretStore","metadata":{"name":"aws","namespace":"default"},"spec":{"provider":{"aws":{"service":"SecretsManager","region":"us-east-1","endpoint":"\#(moto.endpoint)","auth":{"secretRef":{"accessKeyIDSecretRef":{"name":"aws","key":"access-key-id"},"secretAccessKeySecretRef":{"name":"aws","key":"secret-access-key"}}}}}}}"#
                _ = try await h.client.create(SecretStore.resourceType, namespace: "default", body: try JSONValue(parsing: store))

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
}
