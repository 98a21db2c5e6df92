import Foundation
import JSONCore

/// A lease on a dynamic secret, as Vault's expiration manager keeps it.
struct Lease: Sendable {
    /// `<mount>/creds/<role>/<random>`, as Vault forms it from the request path.
    var id: String
    var namespace: String
    var mountKey: String
    /// The mount's accessor when the lease was made: a mount disabled (or disabled and
    /// enabled again) takes its leases with it.
    var mountAccessor: String
    var issued: Date
    var expires: Date
    var lastRenewal: Date?
    var renewable: Bool
    /// The TTL a renewal without an increment asks for (the role's `default_ttl`).
    var defaultTTL: Int
    /// The longest the lease may live, from `issued` (the role's `max_ttl` within the mount's).
    var maxTTL: Int
    /// The token that created the lease: revoking it (or its expiry) revokes the lease.
    var tokenID: String
    var tokenAccessor: String
    var secret: LeaseSecret
    /// Revocations the engine refused; after ``VaultCore/maxRevocationAttempts`` the lease
    /// is irrevocable and left alone, as in Vault.
    var failedRevocations = 0
}

/// What the secret engine needs to renew or revoke a lease.
enum LeaseSecret: Sendable {
    case database(DatabaseLease)
}

/// Leases: the table, expiry, token-parent revocation, and `sys/leases/*`.
extension VaultCore {
    /// Vault's expiration manager gives up on a revocation after six attempts.
    static let maxRevocationAttempts = 6

    /// A lease's random suffix: 24 characters of base62, as Vault's.
    static func leaseSuffix() -> String {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        var generator = SystemRandomNumberGenerator()
        return String((0..<24).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }

    /// Records a new lease for the request's token and returns it.
    func registerLease(
        path: String, context: RequestContext, mountKey: String, ttl: Int, defaultTTL: Int, maxTTL: Int, secret: LeaseSecret
    ) -> Lease {
        let time = now()
        let mount = namespaces[context.request.namespace]?.mounts[mountKey]
        let lease = Lease(
            id: path + "/" + Self.leaseSuffix(), namespace: context.request.namespace, mountKey: mountKey,
            mountAccessor: mount?.accessor ?? "", issued: time, expires: time.addingTimeInterval(TimeInterval(ttl)), lastRenewal: nil,
            renewable: true, defaultTTL: defaultTTL, maxTTL: maxTTL, tokenID: context.token.id, tokenAccessor: context.token.accessor,
            secret: secret)
        leases[lease.id] = lease
        return lease
    }

    /// Revokes every lease past its expiry, whose token is gone or expired (Vault revokes a
    /// token's leases with it), or whose mount was disabled. Expired tokens holding leases
    /// are removed on the way.
    func expireLeases() async {
        guard !leases.isEmpty else { return }
        let time = now()
        var due: [String] = []
        for lease in leases.values where lease.failedRevocations < Self.maxRevocationAttempts {
            if lease.expires <= time || !tokenAlive(lease.tokenID, at: time)
                || namespaces[lease.namespace]?.mounts[lease.mountKey]?.accessor != lease.mountAccessor
            {
                due.append(lease.id)
            }
        }
        for id in due { _ = await revokeLease(id) }
    }

    private func tokenAlive(_ id: String, at time: Date) -> Bool {
        guard let token = tokens[id] else { return false }
        if let expires = token.expires, time >= expires {
            tokens[id] = nil
            return false
        }
        return true
    }

    /// Runs the engine's revocation and drops the lease. False when the engine failed: the
    /// lease stays, to be tried again at the next sweep.
    func revokeLease(_ id: String) async -> Bool {
        // Out of the table before the engine is awaited: a concurrent sweep cannot revoke twice.
        guard let lease = leases.removeValue(forKey: id) else { return true }
        do {
            switch lease.secret {
            case .database(let db): try await revokeDatabaseLease(db, lease: lease)
            }
            return true
        } catch {
            var failed = lease
            failed.failedRevocations += 1
            if leases[id] == nil { leases[id] = failed }
            return false
        }
    }

    /// Go's `time.Duration` text for whole seconds (`1h0m0s`, `2m30s`, `45s`), as Vault's warnings print durations.
    static func goDuration(_ seconds: Int) -> String {
        let s = max(0, seconds)
        if s >= 3600 { return "\(s / 3600)h\(s % 3600 / 60)m\(s % 60)s" }
        if s >= 60 { return "\(s / 60)m\(s % 60)s" }
        return "\(s)s"
    }

    /// A response carrying a lease: `lease_id`, `renewable` and `lease_duration` at the top level.
    static func leaseEnvelope(
        id: String, renewable: Bool, duration: Int, data: JSONValue?, warnings: [String]? = nil, mountType: String = ""
    ) -> VaultResponse {
        guard case .object(var body) = VaultResponse.envelope(data: data, warnings: warnings, leaseDuration: duration) else {
            return .ok(data: data)
        }
        body["mount_type"] = .string(mountType)
        body["lease_id"] = .string(id)
        body["renewable"] = .bool(renewable)
        return VaultResponse(status: 200, body: .object(body))
    }

    // MARK: sys/leases

    /// `sys/leases/lookup`, `renew`, `revoke` (the lease id in the body or after the
    /// operation), `revoke-prefix/<prefix>`, and the legacy `sys/renew` and `sys/revoke`.
    /// All need `update` on the path; `revoke-prefix` also `sudo`, as in Vault.
    func leasesEndpoint(_ context: inout RequestContext) async -> VaultResponse {
        var parts = context.path.split(separator: "/", omittingEmptySubsequences: false).map(String.init).dropFirst()
        if parts.first == "leases" { parts = parts.dropFirst() }
        guard let op = parts.first, ["lookup", "renew", "revoke", "revoke-prefix", "revoke-force"].contains(op) else {
            return .unsupportedPath(context.path)
        }
        guard context.method == "PUT" || context.method == "POST" else { return .unsupportedOperation }
        guard context.allows(.update) else { return .permissionDenied }
        let suffix = parts.dropFirst().joined(separator: "/")
        let body = context.body
        let id = suffix.isEmpty ? (body["lease_id"]?.stringValue ?? "") : suffix
        let ns = context.request.namespace
        switch op {
        case "lookup":
            guard !id.isEmpty else { return .badRequest("lease_id must be specified") }
            guard let lease = leases[id], lease.namespace == ns else { return .badRequest("invalid lease") }
            let time = now()
            return .ok(data: [
                "id": .string(lease.id), "issue_time": .string(VaultTime.format(lease.issued)),
                "expire_time": .string(VaultTime.format(lease.expires)),
                "last_renewal": lease.lastRenewal.map { .string(VaultTime.format($0)) } ?? .null,
                "renewable": .bool(lease.renewable && lease.expires > time),
                "ttl": .int(Int64(max(0, Int(lease.expires.timeIntervalSince(time).rounded(.down))))),
            ])
        case "renew":
            guard !id.isEmpty else { return .badRequest("lease_id must be specified") }
            var increment = 0
            if let raw = body["increment"] {
                guard let seconds = VaultDuration.seconds(raw), seconds >= 0 else {
                    return .badRequest("error converting input for field \"increment\": invalid duration")
                }
                increment = seconds
            }
            return await renewLease(id, increment: increment, namespace: ns)
        case "revoke", "revoke-force":
            guard !id.isEmpty else { return .badRequest("lease_id must be specified") }
            if op == "revoke-force" { guard context.allows(.sudo) else { return .permissionDenied } }
            guard let lease = leases[id], lease.namespace == ns else { return .noContent }
            if await revokeLease(id) || op == "revoke-force" {
                leases[id] = nil
                return .noContent
            }
            return .internalError("failed to revoke entry: the secret engine's revocation failed")
        default:  // revoke-prefix
            guard context.allows(.sudo) else { return .permissionDenied }
            guard !suffix.isEmpty else { return .badRequest("prefix is required") }
            let matching = leases.values.filter { $0.namespace == ns && $0.id.hasPrefix(suffix) }.map(\.id)
            var failed = false
            for id in matching {
                if !(await revokeLease(id)) { failed = true }
            }
            return failed ? .internalError("failed to revoke prefix: the secret engine's revocation failed") : .noContent
        }
    }

    /// Extends a lease by `increment` seconds (0: the role's default TTL), capped so it
    /// ends no later than its issue time plus its maximum TTL, with Vault's warning.
    private func renewLease(_ id: String, increment: Int, namespace ns: String) async -> VaultResponse {
        let time = now()
        let notRenewable = VaultResponse.badRequest("lease not found or lease is not renewable")
        guard let lease = leases[id], lease.namespace == ns, lease.expires > time else { return notRenewable }
        guard lease.renewable else { return .badRequest("lease is not renewable") }
        var ttl = increment > 0 ? increment : (lease.defaultTTL > 0 ? lease.defaultTTL : Self.systemMaxTTL)
        let remaining = Int(lease.issued.addingTimeInterval(TimeInterval(lease.maxTTL)).timeIntervalSince(time).rounded(.down))
        guard remaining > 0 else { return .badRequest("past the max TTL, cannot renew") }
        var warnings: [String]?
        if ttl > remaining {
            warnings = ["TTL of \"\(Self.goDuration(ttl))\" exceeded the effective max_ttl of \"\(Self.goDuration(remaining))\"; TTL value is capped accordingly"]
            ttl = remaining
        }
        let expires = time.addingTimeInterval(TimeInterval(ttl))
        do {
            switch lease.secret {
            case .database(let db): try await renewDatabaseLease(db, lease: lease, expiration: expires)
            }
        } catch {
            return .internalError("failed to renew entry: the secret engine's renewal failed")
        }
        // Revoked while the engine was renewing: gone for good.
        guard var current = leases[id] else { return notRenewable }
        current.expires = expires
        current.lastRenewal = time
        leases[id] = current
        return Self.leaseEnvelope(id: id, renewable: true, duration: ttl, data: nil, warnings: warnings)
    }
}
