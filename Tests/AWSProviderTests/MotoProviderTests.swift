import Foundation
import JSONCore
import MotoTestSupport
import SecretProviders
import Testing

@testable import AWSProvider

/// The provider against `moto_server` (each test starts its own on a free port). One test
/// at a time: a dozen Python servers starting at once would starve the other suites.
@Suite(.serialized)
struct MotoProviderTests {
    static let readPolicy = MotoAdmin.policy(allow: ["secretsmanager:*", "sts:*"])

    /// Signature checking on: an IAM user, its keys in a (test) Secret.
    @Test("with moto's signature checking on, static keys from a Secret are accepted and a wrong secret key is refused")
    func signatureChecking() async throws {
        try await withMoto { moto in
            var admin = MotoAdmin(server: moto)
            admin.credentials = try await admin.createUser("admin", policy: MotoAdmin.policy(allow: ["*"]))
            let reader = try await admin.createUser("reader", policy: Self.readPolicy)
            try await admin.createSecret("shop/db", string: #"{"user":"shop","password":"s3cr3t-db"}"#)
            try await moto.enableAuthentication()

            let good = try makeProvider(endpoint: moto.endpoint, auth: secretRefAuth, secrets: keySecrets(reader))
            try await good.validate()
            let value = try await good.read(RemoteSecretID(key: "shop/db")).value(for: RemoteRef(key: "shop/db", property: "password"))
            #expect(value == SecretValue(utf8: "s3cr3t-db"))

            var wrong = reader
            wrong.secretAccessKey = SecretValue(utf8: "not-the-secret-key-of-this-user")
            let bad = try makeProvider(endpoint: moto.endpoint, auth: secretRefAuth, secrets: keySecrets(wrong))
            let outcome = try await bad.read([RemoteSecretID(key: "shop/db")])[RemoteSecretID(key: "shop/db")]
            var refused: ProviderError?
            if case .failure(let error) = outcome { refused = error }
            #expect(refused?.class == .permissionDenied)
            #expect(refused?.detail?.contains("SignatureDoesNotMatch") == true)
            let message = refused.map { "\($0)" } ?? ""
            #expect(!message.contains("not-the-secret-key") && !message.contains("s3cr3t"))
            await #expect(throws: ProviderError.self) { try await bad.validate() }

            let unknown = try makeProvider(
                endpoint: moto.endpoint, auth: secretRefAuth,
                secrets: keySecrets(AWSCredentials(accessKeyID: "AKIAUNKNOWNUNKNOWN00", secretAccessKey: "whatever")))
            let unknownOutcome = try await unknown.read([RemoteSecretID(key: "shop/db")])[RemoteSecretID(key: "shop/db")]
            var unknownError: ProviderError?
            if case .failure(let error) = unknownOutcome { unknownError = error }
            #expect(unknownError?.class == .permissionDenied)
        }
    }

    @Test("static keys plus role: STS AssumeRole once, then reads with the role's temporary credentials (signature checking on)")
    func assumeRoleChain() async throws {
        try await withMoto { moto in
            var admin = MotoAdmin(server: moto)
            admin.credentials = try await admin.createUser("admin", policy: MotoAdmin.policy(allow: ["*"]))
            let base = try await admin.createUser("base", policy: MotoAdmin.policy(allow: ["sts:AssumeRole"], deny: ["secretsmanager:*"]))
            let role = try await admin.createRole("rotor-reader", policy: MotoAdmin.policy(allow: ["secretsmanager:*"]))
            for index in 0..<3 { try await admin.createSecret("chain/\(index)", string: "value-\(index)") }
            try await moto.enableAuthentication()

            // The base user alone may not read.
            let direct = try makeProvider(endpoint: moto.endpoint, auth: secretRefAuth, secrets: keySecrets(base))
            let directOutcome = try await direct.read([RemoteSecretID(key: "chain/0")])[RemoteSecretID(key: "chain/0")]
            var directError: ProviderError?
            if case .failure(let error) = directOutcome { directError = error }
            #expect(directError?.class == .permissionDenied)

            let counter = RequestCounter()
            let chained = try makeProvider(endpoint: moto.endpoint, auth: secretRefAuth, role: role, secrets: keySecrets(base), counter: counter)
            let ids = (0..<3).map { RemoteSecretID(key: "chain/\($0)") }
            let first = try await chained.read(ids)
            let second = try await chained.read([ids[0]])
            for (index, id) in ids.enumerated() {
                let value = try first[id]?.get().value
                #expect(value == SecretValue(utf8: "value-\(index)"))
            }
            #expect((try? second[ids[0]]?.get()) != nil)
            #expect(counter["AssumeRole"] == 1)
        }
    }

    @Test("BatchGetSecretValue denied: reads fall back to GetSecretValue and succeed")
    func batchDeniedFallsBack() async throws {
        try await withMoto { moto in
            var admin = MotoAdmin(server: moto)
            admin.credentials = try await admin.createUser("admin", policy: MotoAdmin.policy(allow: ["*"]))
            let reader = try await admin.createUser(
                "narrow", policy: MotoAdmin.policy(allow: ["secretsmanager:GetSecretValue", "secretsmanager:ListSecrets"], deny: ["secretsmanager:BatchGetSecretValue"]))
            for index in 0..<5 { try await admin.createSecret("narrow/\(index)", string: "v\(index)") }
            try await moto.enableAuthentication()

            let counter = RequestCounter()
            let provider = try makeProvider(endpoint: moto.endpoint, auth: secretRefAuth, secrets: keySecrets(reader), counter: counter)
            let ids = (0..<5).map { RemoteSecretID(key: "narrow/\($0)") }
            let results = try await provider.read(ids)
            let succeeded = ids.filter { (try? results[$0]?.get()) != nil }.count
            #expect(succeeded == 5)
            #expect(provider.isBatchingDisabled)
            #expect(counter["BatchGetSecretValue"] == 1)
            // Later reads go straight to GetSecretValue.
            _ = try await provider.read(ids)
            #expect(counter["BatchGetSecretValue"] == 1)
        }
    }

    @Test("jwt auth: a service-account token for sts.amazonaws.com is exchanged once with AssumeRoleWithWebIdentity")
    func webIdentity() async throws {
        try await withMoto { moto in
            let admin = MotoAdmin(server: moto)
            let role = try await admin.createRole("web", policy: Self.readPolicy)
            try await admin.createSecret("web/one", string: "first")
            try await admin.createSecret("web/two", string: "second")
            let tokens = TestTokenIssuer()
            let counter = RequestCounter()
            let auth: JSONValue = .object(["jwt": .object(["serviceAccountRef": .object(["name": .string("app")])])])
            let provider = try makeProvider(endpoint: moto.endpoint, auth: auth, role: role, tokens: tokens, counter: counter)
            try await provider.validate()
            let one = try await provider.read(RemoteSecretID(key: "web/one")).value
            let two = try await provider.read(RemoteSecretID(key: "web/two")).value
            #expect(one == SecretValue(utf8: "first"))
            #expect(two == SecretValue(utf8: "second"))
            #expect(counter["AssumeRoleWithWebIdentity"] == 1)
            let recorded = tokens.recorded
            #expect(recorded.count == 1)
            #expect(recorded.first?.account == "app")
            #expect(recorded.first?.audiences == ["sts.amazonaws.com"])
        }
    }

    @Test("no auth: the environment's AWS_ROLE_ARN and web identity token file, re-read when the file changes")
    func environmentWebIdentityFile() async throws {
        try await withMoto { moto in
            let admin = MotoAdmin(server: moto)
            let role = try await admin.createRole("irsa", policy: Self.readPolicy)
            try await admin.createSecret("irsa/value", string: "from-irsa")
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rotor-irsa-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let file = directory.appendingPathComponent("token")
            try Data("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJvbmUifQ.c2ln".utf8).write(to: file)
            let counter = RequestCounter()
            let provider = try makeProvider(
                endpoint: moto.endpoint, environment: ["AWS_ROLE_ARN": role, "AWS_WEB_IDENTITY_TOKEN_FILE": file.path], counter: counter)
            let first = try await provider.read(RemoteSecretID(key: "irsa/value")).value
            _ = try await provider.read(RemoteSecretID(key: "irsa/value"))
            #expect(first == SecretValue(utf8: "from-irsa"))
            #expect(counter["AssumeRoleWithWebIdentity"] == 1)
            // The kubelet rotates the projected token: a new file, new credentials.
            try Data("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0d28tcm90YXRlZCJ9.c2lnbmF0dXJl".utf8).write(to: file)
            _ = try await provider.read(RemoteSecretID(key: "irsa/value"))
            #expect(counter["AssumeRoleWithWebIdentity"] == 2)
        }
    }

    @Test("no auth: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY of the environment")
    func environmentKeys() async throws {
        try await withMoto { moto in
            try await MotoAdmin(server: moto).createSecret("env/value", string: "from-env")
            let provider = try makeProvider(
                endpoint: moto.endpoint, environment: ["AWS_ACCESS_KEY_ID": "AKIAENVIRONMENT00000", "AWS_SECRET_ACCESS_KEY": "env-secret"])
            let value = try await provider.read(RemoteSecretID(key: "env/value")).value
            #expect(value == SecretValue(utf8: "from-env"))
        }
    }

    @Test("PutSecretValue moves AWSCURRENT to the new version and AWSPREVIOUS to the old; a version id reads that version")
    func versionStagesAfterPut() async throws {
        try await withMoto { moto in
            let admin = MotoAdmin(server: moto)
            try await admin.createSecret("rotate/db", string: #"{"password":"old-password","user":"shop"}"#)
            let provider = try makeProvider(endpoint: moto.endpoint, environment: ["AWS_ACCESS_KEY_ID": "AKIATEST", "AWS_SECRET_ACCESS_KEY": "x"])
            let before = try await provider.read(RemoteSecretID(key: "rotate/db"))
            let version = try await provider.write(
                key: "rotate/db", document: SecretValue(utf8: #"{"password":"new-password","user":"shop"}"#),
                idempotencyToken: "rotation-0001", expectedVersion: before.version)
            let current = try await provider.read(RemoteSecretID(key: "rotate/db", version: "AWSCURRENT"))
            let previous = try await provider.read(RemoteSecretID(key: "rotate/db", version: "AWSPREVIOUS"))
            let byID = try await provider.read(RemoteSecretID(key: "rotate/db", version: "uuid/\(version)"))
            let password = RemoteRef(key: "rotate/db", property: "password")
            #expect(try current.value(for: password) == SecretValue(utf8: "new-password"))
            #expect(try previous.value(for: password) == SecretValue(utf8: "old-password"))
            #expect(try byID.value(for: password) == SecretValue(utf8: "new-password"))
            #expect(current.version == version)
            #expect(previous.version == before.version)
            // A write expecting a version that is no longer current is a conflict.
            await #expect(throws: ProviderError.self) {
                try await provider.write(
                    key: "rotate/db", document: SecretValue(utf8: #"{"password":"x"}"#), idempotencyToken: "rotation-0002", expectedVersion: before.version)
            }
        }
    }

    @Test("PutSecretValue with the same ClientRequestToken twice creates one version; other content with it is a conflict")
    func idempotentClientRequestToken() async throws {
        try await withMoto { moto in
            let admin = MotoAdmin(server: moto)
            try await admin.createSecret("idem/key", string: #"{"password":"one"}"#)
            let provider = try makeProvider(endpoint: moto.endpoint, environment: ["AWS_ACCESS_KEY_ID": "AKIATEST", "AWS_SECRET_ACCESS_KEY": "x"])
            let document = SecretValue(utf8: #"{"password":"two"}"#)
            let first = try await provider.write(key: "idem/key", document: document, idempotencyToken: "pending-7f3a", expectedVersion: nil)
            let second = try await provider.write(key: "idem/key", document: document, idempotencyToken: "pending-7f3a", expectedVersion: nil)
            #expect(first == second)
            let versions = try await admin.versionIDs("idem/key")
            #expect(versions.count == 2)
            var conflict: ProviderError?
            do {
                _ = try await provider.write(key: "idem/key", document: SecretValue(utf8: #"{"password":"three"}"#), idempotencyToken: "pending-7f3a", expectedVersion: nil)
            } catch let error as ProviderError {
                conflict = error
            }
            #expect(conflict?.class == .conflict)
            let message = conflict.map { "\($0)" } ?? ""
            #expect(!message.contains("three"))
        }
    }

    @Test("property of a JSON SecretString (top level and dotted), extract of all properties, SecretBinary bytes")
    func propertyExtractBinary() async throws {
        try await withMoto { moto in
            let admin = MotoAdmin(server: moto)
            try await admin.createSecret("app/config", string: #"{"user":"api","password":"p@ss","db":{"port":5432,"host":"db.local"}}"#)
            let binary: [UInt8] = [0x00, 0xFF, 0x10, 0x80, 0x7F, 0x0A]
            try await admin.createSecret("app/keystore", binary: binary)
            let provider = try makeProvider(endpoint: moto.endpoint, environment: ["AWS_ACCESS_KEY_ID": "AKIATEST", "AWS_SECRET_ACCESS_KEY": "x"])
            let refs = [
                RemoteRef(key: "app/config", property: "password"), RemoteRef(key: "app/config", property: "db.port"),
                RemoteRef(key: "app/config", property: "missing"), RemoteRef(key: "app/keystore"),
            ]
            let values = try await provider.values(for: refs)
            #expect(try values[refs[0]]?.get() == SecretValue(utf8: "p@ss"))
            #expect(try values[refs[1]]?.get() == SecretValue(utf8: "5432"))
            var missing: ProviderError?
            if case .failure(let error) = values[refs[2]] { missing = error }
            #expect(missing?.code == "provider.propertyNotFound")
            #expect(try values[refs[3]]?.get() == SecretValue(bytes: binary))
            let config = try await provider.read(RemoteSecretID(key: "app/config"))
            let extracted = try config.extract(for: RemoteSecretID(key: "app/config"))
            #expect(extracted.keys.sorted() == ["db", "password", "user"])
            #expect(extracted["user"] == SecretValue(utf8: "api"))
            let absent = try await provider.read([RemoteSecretID(key: "app/absent")])[RemoteSecretID(key: "app/absent")]
            var notFound: ProviderError?
            if case .failure(let error) = absent { notFound = error }
            #expect(notFound?.isSecretMissing == true)
        }
    }

    @Test("find by name prefix, regexp and tags over several ListSecrets pages")
    func findOverPages() async throws {
        try await withMoto { moto in
            let admin = MotoAdmin(server: moto)
            for index in 0..<23 {
                try await admin.createSecret(
                    "team-a/api-\(String(format: "%02d", index))", string: "v", tags: ["team": index % 2 == 0 ? "a" : "b", "env": "prod"])
            }
            try await admin.createSecret("team-a/db", string: "v", tags: ["team": "a"])
            try await admin.createSecret("team-b/api-00", string: "v", tags: ["team": "a"])
            let counter = RequestCounter()
            let provider = try makeProvider(
                endpoint: moto.endpoint, environment: ["AWS_ACCESS_KEY_ID": "AKIATEST", "AWS_SECRET_ACCESS_KEY": "x"], counter: counter
            ) { $0.listPageSize = 5 }
            let tagged = try await provider.find(FindQuery(path: "team-a/", nameRegexp: "^team-a/api-", tags: ["team": "a"]))
            let expected = stride(from: 0, to: 23, by: 2).map { "team-a/api-\(String(format: "%02d", $0))" }
            #expect(tagged == expected)
            #expect(counter["ListSecrets"] >= 3)
            let byName = try await provider.find(FindQuery(path: "team-a/"))
            #expect(byName.count == 24)
            let everything = try await provider.find(FindQuery(tags: ["team": "a"]))
            #expect(everything.count == 12 + 2)
        }
    }

    @Test("reads of distinct keys due together are grouped into BatchGetSecretValue calls of at most 20")
    func batching() async throws {
        try await withMoto { moto in
            let admin = MotoAdmin(server: moto)
            for index in 0..<45 { try await admin.createSecret("batch/\(index)", string: "value-\(index)") }
            let counter = RequestCounter()
            let provider = try makeProvider(
                endpoint: moto.endpoint, environment: ["AWS_ACCESS_KEY_ID": "AKIATEST", "AWS_SECRET_ACCESS_KEY": "x"], counter: counter
            ) { $0.batchWindow = .milliseconds(250) }
            // As the operator calls it: through the coalescing reader, one ExternalSecret at a time.
            // The reader holds one of its permits per read() call while the provider gathers a
            // group, so its cap must exceed the batch size for groups of 20 to form.
            let reader = CoalescingReader(provider, configuration: .init(maxConcurrentCalls: 64))
            let ids = (0..<45).map { RemoteSecretID(key: "batch/\($0)") } + [RemoteSecretID(key: "batch/missing")]
            let outcomes = await withTaskGroup(of: (RemoteSecretID, Result<RemoteSecret, ProviderError>?).self) { group in
                for id in ids + ids { group.addTask { (id, try? await reader.read([id])[id]) } }
                var all: [RemoteSecretID: Result<RemoteSecret, ProviderError>] = [:]
                for await (id, outcome) in group { all[id] = outcome }
                return all
            }
            let good = (0..<45).filter { index in
                (try? outcomes[RemoteSecretID(key: "batch/\(index)")]?.get().value) == SecretValue(utf8: "value-\(index)")
            }.count
            #expect(good == 45)
            var missing: ProviderError?
            if case .failure(let error)? = outcomes[RemoteSecretID(key: "batch/missing")] { missing = error }
            #expect(missing?.class == .notFound)
            // 46 keys: 3 calls when they arrive within one window; a loaded machine may split a few groups.
            // A group of one left alone by a split goes out as GetSecretValue: still at most
            // 8 calls for 46 keys, where unbatched reads would make 46.
            #expect(counter["BatchGetSecretValue"] >= 2 && counter["BatchGetSecretValue"] + counter["GetSecretValue"] <= 8)
        }
    }

    @Test("a proxy throttling 40 % of requests with ThrottlingException: reads back off and all succeed")
    func throttlingConverges() async throws {
        try await withMoto { moto in
            let admin = MotoAdmin(server: moto)
            for index in 0..<30 { try await admin.createSecret("busy/\(index)", string: "value-\(index)") }
            let proxy = try await ThrottlingProxy(upstream: moto.endpoint, throttle: 2, period: 5)
            do {
                let provider = try makeProvider(
                    endpoint: proxy.endpoint, environment: ["AWS_ACCESS_KEY_ID": "AKIATEST", "AWS_SECRET_ACCESS_KEY": "x"]
                ) { $0.callPolicy = AWSCallPolicy(maxAttempts: 10, baseBackoff: .milliseconds(5), maxBackoff: .milliseconds(80)) }
                let reader = CoalescingReader(provider, configuration: .init(ttl: .zero, failureTTL: .zero))
                for round in 0..<3 {
                    let ids = (0..<30).map { RemoteSecretID(key: "busy/\($0)", version: round == 2 && $0 % 3 == 0 ? "AWSCURRENT" : nil) }
                    let outcomes = await withTaskGroup(of: Bool.self) { group in
                        for id in ids {
                            group.addTask { ((try? await reader.read([id])[id]?.get()) ?? nil) != nil }
                        }
                        var succeeded = 0
                        for await ok in group where ok { succeeded += 1 }
                        return succeeded
                    }
                    #expect(outcomes == 30, "round \(round)")
                }
                #expect(proxy.throttled > 0)
                await proxy.shutdown()
            } catch {
                await proxy.shutdown()
                throw error
            }
        }
    }
}
