import Foundation
import RotorOperator
import Testing

/// A simulated Vault, Secret and workloads for ``LeasePlanner``: what the wiring would do,
/// with everything the invariants need to look at.
struct LeaseWorld {
    struct VaultLease {
        var expires: Date
        var maxExpiry: Date
        var defaultTTL: TimeInterval
        var renewable: Bool
        var revoked = false
    }

    /// Renewal and issue failures (5xx); without them the credentials in use must never expire.
    var faults: Bool
    var leases: [String: VaultLease] = [:]
    var issuesPerID: [String: Int] = [:]
    /// The durable record of each issue's answer, by issue ID (sometimes lost, as a crash
    /// between Vault's answer and the record would).
    var kept: [String: LeaseGrant] = [:]
    var secret: LeaseSecretContents?
    var restartedFor: String?
    var rolloutDoneAt: Date?
    var revokeRequests: [String: Int] = [:]
    /// Revocations that may be sent again: their outcome was lost or was a failure.
    var revokeResends: [String: Int] = [:]
    /// Revocations whose success was folded into the state.
    var revokedRecorded: Set<String> = []
    /// Leases that became the state's current one.
    var installed: Set<String> = []
    var leaseCounter = 0

    init(faults: Bool) { self.faults = faults }

    mutating func perform(_ action: LeaseAction, now: Date, random r: inout FuzzRandom) -> LeaseOutcome? {
        switch action {
        case .renew(let id):
            guard var lease = leases[id], !lease.revoked, lease.expires > now else { return .renewalRefused }
            if faults, r.oneIn(6) { return .renewalFailed }
            if r.oneIn(40) { return .renewalRefused }
            let remaining = lease.maxExpiry.timeIntervalSince(now).rounded(.down)
            guard remaining > 0 else { return .renewalRefused }
            var ttl = lease.defaultTTL
            var warnings: [String] = []
            if ttl > remaining {
                warnings.append("TTL of \"\(Int(ttl))s\" exceeded the effective max_ttl of \"\(Int(remaining))s\"; TTL value is capped accordingly")
                ttl = remaining
            }
            lease.expires = now.addingTimeInterval(ttl)
            leases[id] = lease
            return LeasePlanner.renewed(duration: ttl, warnings: warnings)
        case .issueNew(let issueID, _):
            issuesPerID[issueID, default: 0] += 1
            if faults, r.oneIn(6) { return .issueFailed }
            leaseCounter += 1
            let id = "db/creds/app/\(leaseCounter)"
            let ttl = TimeInterval(r.int(30...3600))
            let maxTTL = ttl * TimeInterval(r.pick([1, 1, 2, 4, 10, 100]))
            let renewable = !r.oneIn(8)
            leases[id] = VaultLease(expires: now.addingTimeInterval(ttl), maxExpiry: now.addingTimeInterval(maxTTL), defaultTTL: ttl, renewable: renewable)
            let grant = LeaseGrant(id: id, issuedAt: now, duration: ttl, renewable: renewable, maxTTL: r.bool() ? maxTTL : nil)
            if !r.oneIn(4) { kept[issueID] = grant }
            return .issued(grant)
        case .recoverIssue(let issueID):
            return kept[issueID].map(LeaseOutcome.issued) ?? .issueNotRecovered
        case .writeSecret(let contents):
            secret = contents
            return .secretWritten
        case .restartTargets(let rotation):
            if restartedFor != rotation {
                restartedFor = rotation
                rolloutDoneAt = now.addingTimeInterval(TimeInterval(r.int(0...900)))
            }
            return .targetsRestarted
        case .revoke(let id, _):
            revokeRequests[id, default: 0] += 1
            if r.oneIn(4) {
                revokeResends[id, default: 0] += 1
                return .revocationFailed
            }
            leases[id]?.revoked = true
            return .revoked
        case .none:
            return nil
        }
    }

    /// The rotation whose rollouts have completed by `now`.
    func rolledOut(at now: Date) -> String? {
        guard let rotation = restartedFor, let done = rolloutDoneAt, now >= done else { return nil }
        return rotation
    }
}

/// Generated runs of the lease lifecycle: time steps to (or before) each wake, Vault
/// answers (capped, refused, failing), lost answers (crashes: the state falls back to the
/// last recorded one) and slow rollouts. Seeded: `ROTOR_FUZZ_SEED=<n>` replays a run, the
/// failure message names each case's seed.
@Suite("Lease lifecycle properties")
struct LeaseLifecyclePropertyTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    @Test("over generated runs: one current and one previous lease at most, no early or second revocation, one issue per ID, credentials in use never expired")
    func generatedRunsKeepTheInvariants() throws {
        let seed = FuzzRandom.runSeed(default: 0x1EA5E_17)
        let cases = FuzzRandom.caseCount(300)
        var failures: [String] = []
        var seen: [String: Int] = [:]
        let paths = [
            "renew(", "recoverIssue(", "restartTargets(", "revoke(", "attempt: 2", "previousLeaseID: Optional",
        ] + LeaseIssueReason.allCases.filter { $0 != .expired }.map { ".\($0)" }
        for index in 0..<cases {
            let caseSeed = FuzzRandom.caseSeed(run: seed, index: index)
            do {
                let trail = try Self.run(seed: caseSeed, steps: 400)
                for path in paths { seen[path, default: 0] += trail.filter { $0.contains(path) }.count }
            } catch {
                failures.append("case \(index) (seed \(caseSeed)): \(error)")
                if failures.count >= 5 { break }
            }
        }
        #expect(failures.isEmpty, "run seed \(seed):\n\(failures.joined(separator: "\n"))")
        // The generator reaches every decision (a property that never meets a revocation proves nothing about it).
        for path in paths { #expect(seen[path, default: 0] > 0, "no generated run reached \(path)") }
    }

    @Test("one generated run replays exactly from its seed")
    func runsReplayFromTheirSeed() throws {
        #expect(try Self.run(seed: 42, steps: 200) == Self.run(seed: 42, steps: 200))
    }

    /// Runs one case; returns the trail of actions (to compare replays).
    @discardableResult
    static func run(seed: UInt64, steps: Int) throws -> [String] {
        var r = FuzzRandom(seed: seed)
        let settings = LeaseSettings(
            renewalPercent: r.pick([50, 67, 80]), rotateBefore: TimeInterval(r.int(10...900)), gracePeriod: TimeInterval(r.int(0...1800)),
            jitterFraction: r.pick([0, 0.1, 0.25]), hasRestartTargets: r.bool(), rolloutPollInterval: 30,
            retryBase: TimeInterval(r.int(1...30)), retryMax: 600)
        var world = LeaseWorld(faults: r.oneIn(3))
        var state = LeaseState()
        var now = t0
        var trail: [String] = []
        var actionsAtThisTime = 0
        /// The grace-until each lease first got as the previous one: it may never move earlier.
        var firstGrace: [String: Date] = [:]

        func fail(_ text: String) -> Failure {
            Failure(description: "\(text) at +\(Int(now.timeIntervalSince(t0)))s; settings \(settings); state \(state); last actions \(trail.suffix(8))")
        }

        for _ in 0..<steps {
            // What the wiring observes before planning.
            if let rotation = world.rolledOut(at: now) { state = LeasePlanner.observingRolloutsComplete(for: rotation, in: state) }
            try checkInvariants(state, world, now: now, firstGrace: &firstGrace, fail: fail)

            let draw = Double.random(in: 0...1, using: &r)
            let action = LeasePlanner.plan(state, settings: settings, now: now, random: { draw })
            trail.append("\(Int(now.timeIntervalSince(t0))):\(action)")
            if case .none(let wake) = action {
                actionsAtThisTime = 0
                let target = wake ?? now.addingTimeInterval(60)
                guard target > now else { throw fail("woken for the past: \(action)") }
                // Usually on time; sometimes early (another event woke the reconcile).
                now = r.oneIn(4) ? now.addingTimeInterval(Double.random(in: 0...target.timeIntervalSince(now), using: &r)) : target
                continue
            }
            actionsAtThisTime += 1
            guard actionsAtThisTime < 40 else { throw fail("no progress: 40 actions without time passing") }
            try checkAction(action, state, world, settings: settings, now: now, fail: fail)

            state = LeasePlanner.recordingIntent(of: action, in: state, now: now)
            guard let outcome = world.perform(action, now: now, random: &r) else { continue }
            if r.oneIn(5) {
                // The crash: the outcome is lost; the next plan starts from the recorded intent.
                if case .revoke(let id, _) = action { world.revokeResends[id, default: 0] += 1 }
                continue
            }
            if case .revoke(let id, _) = action, outcome == .revoked { world.revokedRecorded.insert(id) }
            state = LeasePlanner.apply(outcome, of: action, to: state, settings: settings, now: now)
            if let current = state.current { world.installed.insert(current.id) }
        }
        return trail
    }

    static func checkInvariants(
        _ state: LeaseState, _ world: LeaseWorld, now: Date, firstGrace: inout [String: Date], fail: (String) -> Failure
    ) throws {
        if let previous = state.previous {
            guard previous.lease.id != state.current?.id else { throw fail("the previous lease is the current one") }
            if let first = firstGrace[previous.lease.id] {
                guard previous.graceUntil >= first else { throw fail("grace-until moved earlier") }
            } else {
                firstGrace[previous.lease.id] = previous.graceUntil
            }
        }
        for (id, count) in world.issuesPerID where count > 1 { throw fail("issue \(id) sent \(count) times") }
        if let secret = world.secret {
            for id in [secret.currentLeaseID, secret.previousLeaseID].compactMap({ $0 }) where world.leases[id]?.revoked == true {
                throw fail("the Secret holds revoked lease \(id)")
            }
            guard secret.previousLeaseID != secret.currentLeaseID else { throw fail("the Secret holds one lease twice") }
            if !world.faults, let lease = world.leases[secret.currentLeaseID], lease.expires <= now {
                throw fail("the credentials in use (\(secret.currentLeaseID)) expired")
            }
        }
    }

    static func checkAction(
        _ action: LeaseAction, _ state: LeaseState, _ world: LeaseWorld, settings: LeaseSettings, now: Date, fail: (String) -> Failure
    ) throws {
        switch action {
        case .renew(let id):
            guard id == state.current?.id else { throw fail("renewing \(id), which is not the current lease") }
        case .issueNew(let issueID, _):
            guard world.issuesPerID[issueID] == nil else { throw fail("issue ID \(issueID) reused") }
            for (earlier, grant) in world.kept where !world.installed.contains(grant.id) {
                throw fail("issuing again while issue \(earlier)'s answer (\(grant.id)) is kept but was never taken into use")
            }
        case .revoke(let id, _):
            guard let previous = state.previous, previous.lease.id == id else { throw fail("revoking \(id), which is not the previous lease") }
            guard !world.revokedRecorded.contains(id) else { throw fail("second revocation of \(id) after its success was recorded") }
            guard world.revokeRequests[id, default: 0] <= world.revokeResends[id, default: 0] else {
                throw fail("revocation of \(id) sent again though its earlier one succeeded and was recorded")
            }
            guard now >= previous.graceUntil else { throw fail("revoking \(id) before grace-until") }
            if settings.hasRestartTargets {
                guard let current = state.current, world.rolledOut(at: now) == current.id else {
                    throw fail("revoking \(id) before the restart targets rolled onto the new credentials")
                }
            }
            if let secret = world.secret, secret.previousLeaseID == id || secret.currentLeaseID == id {
                throw fail("revoking \(id) while the Secret holds it")
            }
        default:
            break
        }
    }
}
