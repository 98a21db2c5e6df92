import Foundation
import JSONCore
import MotoTestSupport
import SecretProviders
import Testing

@testable import AWSProvider

/// The `service: ParameterStore` provider against `moto_server` (each test starts its own
/// on a free port), one test at a time.
@Suite(.serialized)
struct ParameterStoreMotoTests {
    static let environment = ["AWS_ACCESS_KEY_ID": "AKIATEST", "AWS_SECRET_ACCESS_KEY": "x"]

    static func failure(_ outcome: Result<RemoteSecret, ProviderError>?) -> ProviderError? {
        if case .failure(let error)? = outcome { return error }
        return nil
    }

    @Test("ParameterStore: a SecureString reads decrypted, with its version; String and StringList as they are")
    func secureStringDecrypted() async throws {
        try await withMoto { moto in
            let admin = MotoAdmin(server: moto)
            try await admin.putParameter("/shop/db/password", "s3cr3t-db")
            try await admin.putParameter("/shop/db/user", "shop", type: "String")
            try await admin.putParameter("/shop/hosts", "a,b,c", type: "StringList")
            try await admin.putParameter("/shop/json", #"{"user":"api","password":"p@ss"}"#)
            let provider = try makeParameterStoreProvider(endpoint: moto.endpoint, environment: Self.environment)
            try await provider.validate()
            let secret = try await provider.read(RemoteSecretID(key: "/shop/db/password"))
            #expect(secret.value == SecretValue(utf8: "s3cr3t-db"))
            #expect(secret.version == "1")
            #expect(try await provider.read(RemoteSecretID(key: "/shop/db/user")).value == SecretValue(utf8: "shop"))
            #expect(try await provider.read(RemoteSecretID(key: "/shop/hosts")).value == SecretValue(utf8: "a,b,c"))
            let password = RemoteRef(key: "/shop/json", property: "password")
            #expect(try await provider.values(for: [password])[password]?.get() == SecretValue(utf8: "p@ss"))
        }
    }

    @Test("ParameterStore: remoteRef.version selects a version number (name:N) or a label (name:LABEL); unknown ones are not found")
    func versionsAndLabels() async throws {
        try await withMoto { moto in
            let admin = MotoAdmin(server: moto)
            for value in ["one", "two", "three"] { try await admin.putParameter("/app/token", "token-\(value)") }
            try await admin.ssm("LabelParameterVersion", ["Name": "/app/token", "ParameterVersion": 2, "Labels": ["prod"]])
            let provider = try makeParameterStoreProvider(endpoint: moto.endpoint, environment: Self.environment)
            let ids = [
                RemoteSecretID(key: "/app/token"), RemoteSecretID(key: "/app/token", version: "1"),
                RemoteSecretID(key: "/app/token", version: "prod"), RemoteSecretID(key: "/app/token", version: "9"),
                RemoteSecretID(key: "/app/token", version: "staging"),
            ]
            let results = try await provider.read(ids)
            #expect(try results[ids[0]]?.get().value == SecretValue(utf8: "token-three"))
            #expect(try results[ids[0]]?.get().version == "3")
            #expect(try results[ids[1]]?.get().value == SecretValue(utf8: "token-one"))
            #expect(try results[ids[2]]?.get().value == SecretValue(utf8: "token-two"))
            #expect(try results[ids[2]]?.get().version == "2")
            for id in ids[3...] {
                let error = Self.failure(results[id])
                #expect(error?.class == .notFound, "\(id)")
                #expect(error.map { "\($0)" }?.contains("token-") == false)
            }
        }
    }

    @Test("ParameterStore: current reads due together go out as GetParameters of at most 10 names; InvalidParameters are not found")
    func getParametersBatching() async throws {
        try await withMoto { moto in
            let admin = MotoAdmin(server: moto)
            for index in 0..<25 { try await admin.putParameter("/batch/\(index)", "value-\(index)") }
            let counter = RequestCounter()
            let provider = try makeParameterStoreProvider(endpoint: moto.endpoint, environment: Self.environment, counter: counter) {
                $0.batchWindow = .milliseconds(250)
            }
            let reader = CoalescingReader(provider, configuration: .init(maxConcurrentCalls: 64))
            let ids = (0..<25).map { RemoteSecretID(key: "/batch/\($0)") } + [RemoteSecretID(key: "/batch/missing")]
            let outcomes = await withTaskGroup(of: (RemoteSecretID, Result<RemoteSecret, ProviderError>?).self) { group in
                for id in ids { group.addTask { (id, try? await reader.read([id])[id]) } }
                var all: [RemoteSecretID: Result<RemoteSecret, ProviderError>] = [:]
                for await (id, outcome) in group { all[id] = outcome }
                return all
            }
            let good = (0..<25).filter { index in
                (try? outcomes[RemoteSecretID(key: "/batch/\(index)")]?.get().value) == SecretValue(utf8: "value-\(index)")
            }.count
            #expect(good == 25)
            #expect(Self.failure(outcomes[RemoteSecretID(key: "/batch/missing")])?.class == .notFound)
            // 26 names: 3 calls when they arrive within one window; a loaded machine may split a few groups.
            // A group of one left alone by a split goes out as GetParameter: still at most
            // 8 calls for 26 names, where unbatched reads would make 26.
            #expect(counter["GetParameters"] >= 2 && counter["GetParameters"] + counter["GetParameter"] <= 8)
        }
    }

    @Test("ParameterStore: find pages through GetParametersByPath (recursive, decrypted) and its values answer the reads that follow")
    func findOverPages() async throws {
        try await withMoto { moto in
            let admin = MotoAdmin(server: moto)
            for index in 0..<23 { try await admin.putParameter("/team-a/api-\(String(format: "%02d", index))", "v\(index)") }
            try await admin.putParameter("/team-a/nested/db", "nested")
            try await admin.putParameter("/team-b/api-00", "other")
            let counter = RequestCounter()
            let provider = try makeParameterStoreProvider(endpoint: moto.endpoint, environment: Self.environment, counter: counter)
            let names = try await provider.find(FindQuery(path: "/team-a/api-"))
            #expect(names == (0..<23).map { "/team-a/api-\(String(format: "%02d", $0))" })
            #expect(counter["GetParametersByPath"] == 3)
            let all = try await provider.find(FindQuery(path: "/team-a/"))
            #expect(all.count == 24 && all.contains("/team-a/nested/db"))
            let odd = try await provider.find(FindQuery(path: "/team-a", nameRegexp: "api-[0-9][13579]$"))
            #expect(odd.count == 11)
            // The found values answer the reads: no GetParameter(s) call.
            let read = try await provider.read(names.map { RemoteSecretID(key: $0) })
            #expect(try read[RemoteSecretID(key: "/team-a/api-07")]?.get().value == SecretValue(utf8: "v7"))
            #expect(counter["GetParameters"] + counter["GetParameter"] == 0)
            await #expect(throws: ProviderError.self) { try await provider.find(FindQuery(path: "/team-a/", tags: ["team": "a"])) }
        }
    }

    @Test("ParameterStore: PutParameter writes a SecureString version; a retry with the same content creates none; a stale expected version conflicts")
    func writes() async throws {
        try await withMoto { moto in
            let admin = MotoAdmin(server: moto)
            try await admin.putParameter("/rotate/db", #"{"password":"old-password"}"#)
            let provider = try makeParameterStoreProvider(endpoint: moto.endpoint, environment: Self.environment)
            #expect(provider.capabilities.access == .readWrite)
            let document = SecretValue(utf8: #"{"password":"new-password"}"#)
            let version = try await provider.write(key: "/rotate/db", document: document, idempotencyToken: "pending-1", expectedVersion: "1")
            #expect(version == "2")
            let again = try await provider.write(key: "/rotate/db", document: document, idempotencyToken: "pending-1", expectedVersion: "1")
            #expect(again == "2")
            let current = try await provider.read(RemoteSecretID(key: "/rotate/db", version: "2"))
            #expect(current.value == document)
            let stored = try await admin.ssm("GetParameter", ["Name": "/rotate/db"])
            #expect((stored["Parameter"] as? [String: Any])?["Type"] as? String == "SecureString")
            var conflict: ProviderError?
            do {
                _ = try await provider.write(
                    key: "/rotate/db", document: SecretValue(utf8: #"{"password":"third-value"}"#), idempotencyToken: "pending-2", expectedVersion: "1")
            } catch let error as ProviderError { conflict = error }
            #expect(conflict?.class == .conflict)
            #expect(conflict.map { "\($0)" }?.contains("third-value") == false)
            // "0": must not exist yet.
            let created = try await provider.write(key: "/rotate/new", document: document, idempotencyToken: "pending-3", expectedVersion: "0")
            #expect(created == "1")
        }
    }

    @Test("ParameterStore: with moto's signature checking on, a reader's keys sign for service ssm; a wrong key is refused without values")
    func signatureChecking() async throws {
        try await withMoto { moto in
            var admin = MotoAdmin(server: moto)
            admin.credentials = try await admin.createUser("admin", policy: MotoAdmin.policy(allow: ["*"]))
            let reader = try await admin.createUser("reader", policy: MotoAdmin.policy(allow: ["ssm:*"]))
            try await admin.putParameter("/signed/value", "signed-s3cr3t")
            try await admin.putParameter("/signed/other", "other-s3cr3t")
            try await moto.enableAuthentication()
            let good = try makeParameterStoreProvider(endpoint: moto.endpoint, auth: secretRefAuth, secrets: keySecrets(reader))
            try await good.validate()
            let ids = [RemoteSecretID(key: "/signed/value"), RemoteSecretID(key: "/signed/other")]
            let read = try await good.read(ids)
            #expect(try read[ids[0]]?.get().value == SecretValue(utf8: "signed-s3cr3t"))
            var wrong = reader
            wrong.secretAccessKey = SecretValue(utf8: "not-the-secret-key-of-this-user")
            let bad = try makeParameterStoreProvider(endpoint: moto.endpoint, auth: secretRefAuth, secrets: keySecrets(wrong))
            let refused = Self.failure(try await bad.read([ids[0]])[ids[0]])
            #expect(refused?.class == .permissionDenied)
            let message = refused.map { "\($0)" } ?? ""
            #expect(!message.contains("s3cr3t") && !message.contains("not-the-secret-key"))
        }
    }
}
