import Foundation
import SecretProviders
import Synchronization
import Testing
import VaultEmulator
import VaultProvider

/// Figures for BENCHMARKS.md, not assertions about speed: `ROTOR_VAULT_BENCH=1 swift test
/// --filter VaultRefreshBenchmark`. 10,000 ExternalSecrets over 1,000 Vault keys, measured
/// at the provider: each "reconcile" reads its key through the store's `CoalescingReader`
/// (as `ExternalSecretReconciler` does) with a fixed number of concurrent workers.
@Suite("Vault refresh benchmark", .enabled(if: ProcessInfo.processInfo.environment["ROTOR_VAULT_BENCH"] == "1"))
struct VaultRefreshBenchmark {
    @Test("10,000 ExternalSecrets over 1,000 keys: Vault requests per sync and per full refresh")
    func refresh() async throws {
        let total = 10_000
        let keys = 1_000
        for workers in [4, 32] {
            try await VaultFixture.with { f in
                for i in 0..<keys { await f.vault.write(["password": "p\(i)"], to: "bench/key-\(i)") }
                let provider = try await f.appRoleProvider()
                let cacheClock = Mutex<Duration>(.zero)
                let reader = CoalescingReader(provider, now: { ContinuousClock.now + cacheClock.withLock { $0 } })
                f.vault.faults.resetCounters()

                func wave() async throws -> (Duration, Int, Int) {
                    let before = (f.vault.faults.requestCount(method: "GET", pathPrefix: "secret/data/"), f.vault.faults.loginCount)
                    let elapsed = try await ContinuousClock().measure {
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            for worker in 0..<workers {
                                group.addTask {
                                    var i = worker
                                    while i < total {
                                        let ref = RemoteRef(key: "bench/key-\(i % keys)", property: "password")
                                        _ = try await reader.values(for: [ref])
                                        i += workers
                                    }
                                }
                            }
                            try await group.waitForAll()
                        }
                    }
                    return (
                        elapsed, f.vault.faults.requestCount(method: "GET", pathPrefix: "secret/data/") - before.0,
                        f.vault.faults.loginCount - before.1
                    )
                }
                let first = try await wave()
                // The next refresh: the coalescing cache and the clocks have moved past the
                // cache TTL (30 s) but not the token's renewal point (2/3 of 1 h).
                cacheClock.withLock { $0 += .seconds(60) }
                f.clock.advance(.seconds(60))
                let refresh = try await wave()
                let renewals = f.vault.faults.requestCount(pathPrefix: "auth/token/renew-self")
                print("VAULT-BENCH workers=\(workers) first sync: \(first.1) reads, \(first.2) logins, \(first.0); full refresh: \(refresh.1) reads, \(refresh.2) logins, \(renewals) renewals, \(refresh.0)")
            }
        }
    }
}
