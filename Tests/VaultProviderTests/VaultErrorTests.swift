import Foundation
import RotorAPI
import SecretProviders
import Testing
import VaultEmulator
import VaultProvider

@Suite("Vault provider: failures")
struct VaultErrorTests {
    @Test("403 is permission denied without a new login; 404 is not found")
    func forbiddenAndNotFound() async throws {
        try await VaultFixture.with { f in
            await f.vault.write(["password": "hidden-value"], to: "team/secret")
            let provider = try await f.appRoleProvider(paths: ["secret/data/shop/*"])
            let outcomes = try await provider.read([RemoteSecretID(key: "team/secret"), RemoteSecretID(key: "shop/missing")])
            let denied = failure(outcomes[RemoteSecretID(key: "team/secret")])
            let missing = failure(outcomes[RemoteSecretID(key: "shop/missing")])
            #expect(denied?.class == .permissionDenied)
            #expect(denied?.detail?.contains("permission denied") == true)
            #expect(missing?.class == .notFound)
            #expect(f.vault.faults.loginCount == 1)
        }
    }

    @Test("429 is throttled with Retry-After; sealed and standby are transient; then reads recover")
    func throttledAndSealed() async throws {
        try await VaultFixture.with { f in
            let provider = try await f.loggedInProvider()

            f.vault.faults.inject(.throttle(retryAfterSeconds: 3), pathPrefix: "secret/")
            let throttled = await providerError { try await provider.read(RemoteSecretID(key: "shop/db")) }
            f.vault.faults.setSealed(true)
            let sealed = await providerError { try await provider.read(RemoteSecretID(key: "shop/db")) }
            let health = try await f.call("GET", "sys/health")
            f.vault.faults.setSealed(false)
            f.vault.faults.setStandby(true)
            let standby = await providerError { try await provider.read(RemoteSecretID(key: "shop/db")) }
            f.vault.faults.setStandby(false)
            let recovered = try await provider.read(RemoteSecretID(key: "shop/db"))

            #expect(throttled?.class == .throttled)
            #expect(throttled?.retryAfter == .seconds(3))
            #expect(sealed?.class == .transient)
            #expect(sealed?.detail?.contains("sealed") == true)
            #expect(health.status == 503)
            #expect(health.json?["sealed"]?.boolValue == true)
            #expect(standby?.class == .transient)
            #expect(recovered.version == "1")
            #expect(f.vault.faults.loginCount == 1)
        }
    }

    @Test("a malformed body is an invalid response")
    func malformedBody() async throws {
        try await VaultFixture.with { f in
            let provider = try await f.loggedInProvider()
            f.vault.faults.inject(.malformedBody, pathPrefix: "secret/")
            let malformed = await providerError { try await provider.read(RemoteSecretID(key: "shop/db")) }
            #expect(malformed?.class == .invalidResponse)
        }
    }

    @Test("a failed login fails the whole read and names no credential")
    func failedLoginFailsTheCall() async throws {
        try await VaultFixture.with { f in
            let auth = VaultAuth(tokenSecretRef: SecretKeySelector(name: "vault-token", key: "token"))
            let provider = try f.provider(try f.config(auth: auth), credentials: ["vault-token/token": SecretValue(utf8: "hvs.not-a-real-token")])
            let error = await providerError { try await provider.read([RemoteSecretID(key: "shop/db")]) }
            let text = error.map { String(describing: $0) } ?? ""
            #expect(error?.class == .permissionDenied)
            #expect(!text.contains("hvs.not-a-real-token"))
        }
    }

    @Test("values never appear in error descriptions")
    func valuesStayOutOfErrors() async throws {
        try await VaultFixture.with { f in
            try await f.call("POST", "secret/data/shop/blob", ["data": ["password": "canary-8f2e"]])
            let provider = try await f.appRoleProvider()
            let secret = try await provider.read(RemoteSecretID(key: "shop/blob"))
            var text = ""
            do {
                _ = try secret.value(for: RemoteRef(key: "shop/blob", property: "password.inner"))
            } catch {
                text = String(describing: error)
            }
            let shown = "\(secret.value) \(secret)"
            #expect(!text.isEmpty)
            #expect(!text.contains("canary-8f2e"))
            #expect(!shown.contains("canary-8f2e"))
        }
    }
}
