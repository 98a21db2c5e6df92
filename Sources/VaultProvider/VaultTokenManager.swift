import SecretProviders

/// The one Vault client token of a store.
///
/// Every read of the store asks here. There is at most one login or renewal in
/// flight (single flight); the token is renewed (`renew-self`) once two thirds of its
/// lease have passed, and replaced by a new login when it cannot be renewed, when a
/// renewal comes back capped by the token's max TTL, or when Vault refused it
/// because it had expired or been revoked.
actor VaultTokenManager {
    /// What the manager needs done over the wire; ``VaultAuthenticator`` in production.
    struct Operations: Sendable {
        /// Logs in (or, for a token from a Secret, reads it and looks it up).
        var login: @Sendable () async throws(ProviderError) -> VaultResponses.AuthGrant
        /// `renew-self` with the token.
        var renew: @Sendable (SecretValue) async throws(ProviderError) -> VaultResponses.AuthGrant
        /// `lookup-self` with the token: whether Vault still accepts it.
        var isAccepted: @Sendable (SecretValue) async throws(ProviderError) -> Bool
        /// Whether a new login can replace a token (false for a token given in a Secret,
        /// where "login" only reads the same Secret again).
        var canLogIn: Bool
        /// `revoke-self` with the token: best effort, bounded; never called for a token the
        /// user supplied (`canLogIn` false).
        var revoke: @Sendable (SecretValue) async -> Void = { _ in }
    }

    struct Held: Sendable {
        var token: SecretValue
        var obtained: ContinuousClock.Instant
        /// `nil`: the token does not expire.
        var lease: Duration?
        /// The lease of the login, to notice renewals capped by the max TTL.
        var loginLease: Duration?
        var renewable: Bool
        var generation: UInt64

        var expires: ContinuousClock.Instant? { lease.map { obtained + $0 } }
        var renewAt: ContinuousClock.Instant? { lease.map { obtained + $0 * 2 / 3 } }
    }

    private let operations: Operations
    private let now: @Sendable () -> ContinuousClock.Instant
    private var held: Held?
    /// Set by ``retire()``: the store was deleted or its provider replaced; no token is
    /// handed out or obtained any more.
    private var retired = false
    private var refresh: Task<Held, any Error>?
    private var verification: (generation: UInt64, task: Task<Bool, Never>)?
    private var generation: UInt64 = 0
    /// Logins performed (any outcome), for tests and metrics.
    private(set) var logins = 0
    /// Renewals performed (any outcome).
    private(set) var renewals = 0

    init(operations: Operations, now: @escaping @Sendable () -> ContinuousClock.Instant) {
        self.operations = operations
        self.now = now
    }

    /// A token to send now: the held one, or one from a renewal or login (shared by
    /// every caller that arrives meanwhile).
    func token() async throws(ProviderError) -> SecretValue {
        if retired { throw Self.retiredError }
        if let held, !needsRefresh(held) { return held.token }
        return try await refreshed().token
    }

    /// The store is gone or its provider block changed: drops the token and, when it came
    /// from a login (kubernetes, AppRole), revokes it with `revoke-self` in a detached
    /// task — best effort, bounded by the revocation's own timeout, never awaited by the
    /// caller. A token the user supplied in `tokenSecretRef` is theirs and is never revoked.
    ///
    /// Revoking is safe because nothing else depends on these tokens: Rotor reads and writes
    /// KV secrets only and creates no leases (dynamic credentials would be revoked with the
    /// token that created them; when such leases exist, their token must outlive them).
    /// A login still in flight is revoked when it lands.
    func retire() {
        guard !retired else { return }
        retired = true
        let token = held?.token
        held = nil
        if let token { revokeDetached(token) }
    }

    private func revokeDetached(_ token: SecretValue) {
        guard operations.canLogIn else { return }
        let revoke = operations.revoke
        Task.detached { await revoke(token) }
    }

    private static let retiredError = ProviderError.transient(detail: "vault: the store's provider was replaced or removed")

    /// Vault answered 403 to `token`. Returns true when the token itself was the
    /// problem (expired or revoked): it has been dropped and a retry with a new token
    /// may succeed. False: the token is valid and the denial is a real one.
    func rejected(_ token: SecretValue) async -> Bool {
        guard let held, held.token == token else { return true }
        if let expires = held.expires, now() >= expires {
            self.held = nil
            return true
        }
        let task: Task<Bool, Never>
        if let verification, verification.generation == held.generation {
            task = verification.task
        } else {
            let operations = self.operations
            task = Task { (try? await operations.isAccepted(token)) ?? true }
            verification = (held.generation, task)
        }
        let accepted = await task.value
        if verification?.generation == held.generation { verification = nil }
        if accepted { return false }
        if self.held?.generation == held.generation { self.held = nil }
        return true
    }

    private func needsRefresh(_ held: Held) -> Bool {
        guard let renewAt = held.renewAt else { return false }
        return now() >= renewAt
    }

    private func refreshed() async throws(ProviderError) -> Held {
        let task: Task<Held, any Error>
        if let refresh {
            task = refresh
        } else {
            let current = held
            generation &+= 1
            let next = generation
            task = Task { try await self.performRefresh(current, generation: next) }
            refresh = task
        }
        let result = await task.result
        if refresh == task { refresh = nil }
        switch result {
        case .success(let fresh):
            if retired {
                // Retired while logging in: this token has no user left.
                if fresh.token != held?.token { revokeDetached(fresh.token) }
                throw Self.retiredError
            }
            if (held?.generation ?? 0) < fresh.generation || held == nil { held = fresh }
            return fresh
        case .failure(let error as ProviderError):
            throw error
        case .failure(let error):
            throw ProviderError.transient(detail: "vault login: \(type(of: error))")
        }
    }

    private func countLogin() { logins += 1 }
    private func countRenewal() { renewals += 1 }

    private nonisolated func performRefresh(_ current: Held?, generation: UInt64) async throws(ProviderError) -> Held {
        if let current, current.renewable, let expires = current.expires, now() < expires {
            await countRenewal()
            do {
                let grant = try await operations.renew(current.token)
                let lease = grant.leaseDuration > 0 ? Duration.seconds(grant.leaseDuration) : nil
                // A renewal capped by the max TTL gives ever shorter leases: log in afresh instead.
                let capped = lease.map { lease in current.loginLease.map { lease < $0 / 3 } ?? false } ?? false
                if !(capped && operations.canLogIn) {
                    return Held(
                        token: current.token, obtained: now(), lease: lease, loginLease: current.loginLease, renewable: grant.renewable,
                        generation: generation)
                }
            } catch {
                // Keep using a token that is still valid when Vault is briefly unavailable.
                if error.isRetryable && !operations.canLogIn {
                    return current
                }
                if error.class != .permissionDenied && error.class != .invalidRequest && !operations.canLogIn { throw error }
            }
        }
        await countLogin()
        let grant = try await operations.login()
        let lease = grant.leaseDuration > 0 ? Duration.seconds(grant.leaseDuration) : nil
        return Held(token: grant.token, obtained: now(), lease: lease, loginLease: lease, renewable: grant.renewable, generation: generation)
    }
}
