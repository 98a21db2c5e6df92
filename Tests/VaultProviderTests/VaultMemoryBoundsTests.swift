import Foundation
import HTTPServing
import JSONCore
import Logging
import NIOPosix
import RotorAPI
import SecretProviders
import Synchronization
import Testing
import VaultEmulator
import VaultProvider

/// A TLS server on 127.0.0.1 answering every request with `bodyBytes` of chunked JSON-ish
/// filler (a hostile Vault), counting what it managed to write.
final class OversizeServer: Sendable {
    let server: HTTPServer
    let certificates: ServingCertificates
    private final class Counts: Sendable {
        let written = Mutex(0)
        let finished = Mutex(0)
    }
    private let counts = Counts()

    var url: String { "https://127.0.0.1:\(server.port)" }
    /// Bytes written into the connection (what the client read, plus socket buffers).
    var bytesWritten: Int { counts.written.withLock { $0 } }
    /// Answers sent to the end.
    var completedAnswers: Int { counts.finished.withLock { $0 } }

    init(bodyBytes: Int, chunk: Int = 64 << 10) async throws {
        let certificates = try ServingCertificates.generate(serverName: "vault")
        self.certificates = certificates
        let counts = self.counts
        server = try await HTTPServer(
            host: "127.0.0.1", port: 0, tls: try certificates.makeServerContext(), group: MultiThreadedEventLoopGroup.singleton,
            logger: Logger(label: "oversize", factory: { _ in SwiftLogNoOpLogHandler() })
        ) { _ in
            HTTPServerResponse(status: .ok, headers: [("Content-Type", "application/json")], body: .stream { write in
                let filler = [UInt8](repeating: UInt8(ascii: "a"), count: chunk)
                var sent = 0
                while sent < bodyBytes {
                    try await write(filler)
                    sent += filler.count
                    counts.written.withLock { $0 += filler.count }
                }
                counts.finished.withLock { $0 += 1 }
            })
        }
    }

    func stop() async { await server.shutdown() }
}

@Suite("Vault provider: bounded memory and token revocation")
struct VaultMemoryBoundsTests {
    static func tokenConfig(server: String, caPEM: String) throws -> JSONValue {
        let spec = VaultStoreConfig(
            server: server, path: "secret", version: .v2, caBundle: Data(caPEM.utf8).base64EncodedString(),
            auth: VaultAuth(tokenSecretRef: SecretKeySelector(name: "vault-token", key: "token")))
        return try JSONValue(encoding: spec)
    }

    static func provider(_ config: JSONValue, store: String = "SecretStore/shop/hostile") throws -> VaultProvider {
        let context = ProviderContext(
            storeName: store, config: config, secrets: StaticCredentials(values: ["vault-token/token": SecretValue(utf8: "hvs.tenant-token")]))
        return try VaultProvider(context: context)
    }

    @Test("a 20 MiB answer is refused unread: an invalidResponse naming the store and the key, not the value")
    func oversizeAnswerIsRefused() async throws {
        let server = try await OversizeServer(bodyBytes: 20 << 20)
        let provider = try Self.provider(try Self.tokenConfig(server: server.url, caPEM: server.certificates.caCertificatePEM))
        let outcome = try await provider.read([RemoteSecretID(key: "shop/db")])[RemoteSecretID(key: "shop/db")]
        let error = try #require(failure(outcome))
        await server.stop()
        #expect(error.class == .invalidResponse)
        #expect(error.store == "SecretStore/shop/hostile")
        #expect(error.key == "shop/db")
        #expect(error.isAnswerTooLarge)
        #expect(!error.description.contains("aaaa"), "no byte of the answer in the error")
        // What the server manages to write says little: after the client gives up, TLS's
        // shutdown reads and discards until the peer's close_notify. That reading past the
        // cap buffers nothing is checked byte by byte in MemoryBoundsTests.
    }

    @Test("two stores naming the same Vault share one HTTP client; it goes when the last store goes")
    func sameServerSharesOneClient() async throws {
        try await VaultFixture.with { f in
            await f.vault.write(["v": "1"], to: "shop/db")
            try await f.putPolicy("shop", #"path "secret/data/shop/*" { capabilities = ["read"] }"#)
            let token = await f.vault.createToken(policies: ["shop"])
            let auth = VaultAuth(tokenSecretRef: SecretKeySelector(name: "vault-token", key: "token"))
            var first: VaultProvider? = try f.provider(try f.config(auth: auth), credentials: ["vault-token/token": SecretValue(utf8: token)])
            var second: VaultProvider? = try f.provider(try f.config(auth: auth), credentials: ["vault-token/token": SecretValue(utf8: token)])
            _ = try await first?.read(RemoteSecretID(key: "shop/db"))
            _ = try await second?.read(RemoteSecretID(key: "shop/db"))
            #expect(await VaultClientPool.shared.clientCount(server: f.vault.url) == 1)
            first = nil
            #expect(await eventually { await VaultClientPool.shared.users(server: f.vault.url) == 1 })
            #expect(await VaultClientPool.shared.clientCount(server: f.vault.url) == 1, "still used by the second store")
            second = nil
            #expect(await eventually { await VaultClientPool.shared.clientCount(server: f.vault.url) == 0 })
        }
    }

    @Test("retiring a store revokes the token its AppRole login obtained (revoke-self); later reads fail as transient")
    func retireRevokesLoginToken() async throws {
        try await VaultFixture.with { f in
            let provider = try await f.loggedInProvider()
            let before = f.vault.faults.requestCount(method: "POST", pathPrefix: "auth/token/revoke-self")
            #expect(before == 0)
            await provider.retire()
            #expect(await eventually { f.vault.faults.requestCount(method: "POST", pathPrefix: "auth/token/revoke-self") == 1 })
            let error = await providerError { try await provider.read(RemoteSecretID(key: "shop/db")) }
            #expect(error?.class == .transient)
            #expect(f.vault.faults.loginCount == 1, "a retired provider does not log in again")
        }
    }

    @Test("a token the user supplied in tokenSecretRef is never revoked")
    func userTokenIsNeverRevoked() async throws {
        try await VaultFixture.with { f in
            await f.vault.write(["v": "1"], to: "shop/db")
            try await f.putPolicy("shop", #"path "secret/data/shop/*" { capabilities = ["read"] }"#)
            let token = await f.vault.createToken(policies: ["shop"])
            let auth = VaultAuth(tokenSecretRef: SecretKeySelector(name: "vault-token", key: "token"))
            let provider = try f.provider(try f.config(auth: auth), credentials: ["vault-token/token": SecretValue(utf8: token)])
            _ = try await provider.read(RemoteSecretID(key: "shop/db"))
            await provider.retire()
            // A fence instead of a pause: a store that logged in is retired after it, and its
            // revocation is the only one Vault receives.
            let fence = try await f.loggedInProvider()
            await fence.retire()
            #expect(await eventually { f.vault.faults.requestCount(method: "POST", pathPrefix: "auth/token/revoke-self") >= 1 })
            #expect(f.vault.faults.requestCount(method: "POST", pathPrefix: "auth/token/revoke-self") == 1, "only the fence's login token")
            let status = try await f.call("GET", "auth/token/lookup-self", token: token).status
            #expect(status == 200, "the user's token still works")
        }
    }

    @Test("the Vault emulator answers revoke-self with 204 and refuses the token afterwards")
    func emulatorRevokeSelf() async throws {
        try await VaultFixture.with { f in
            let token = await f.vault.createToken(policies: ["default"])
            let before = try await f.call("GET", "auth/token/lookup-self", token: token).status
            let revoked = try await f.call("POST", "auth/token/revoke-self", token: token).status
            let after = try await f.call("GET", "auth/token/lookup-self", token: token).status
            #expect(before == 200)
            #expect(revoked == 204)
            #expect(after == 403)
        }
    }
}

/// Polls `condition` for up to 5 s.
func eventually(_ condition: () async -> Bool) async -> Bool {
    for _ in 0..<500 {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return await condition()
}
