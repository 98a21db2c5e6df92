import Foundation
import KubeAPI
import RotorAPI
import RotorOperator
import SecretProviders
import Testing

/// The pure overlap rules, without a cluster.
@Suite("RotationPlanner")
struct RotationPlannerTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    static let hour: TimeInterval = 3600
    static let rotation = ExternalSecretRotation(gracePeriod: "1h")

    static func secret(_ data: [String: String], annotations: [String: String]? = nil) -> Secret {
        var secret = Secret(metadata: ObjectMeta(name: "db", namespace: "shop", annotations: annotations))
        secret.data = data.mapValues { Data($0.utf8) }
        return secret
    }

    static func values(_ pairs: [String: String]) -> [String: SecretValue] { pairs.mapValues { SecretValue(utf8: $0) } }

    static func text(_ additions: ManagedSecretAdditions) -> [String: String] {
        additions.data.mapValues { $0.revealedString() ?? "" }
    }

    static func plan(
        _ existing: Secret?, _ rendered: [String: String], rotation: ExternalSecretRotation? = rotation,
        policy: CreationPolicy = .owner, at now: Date = t0, hold: Bool = false
    ) -> RotationPlan? {
        try? RotationPlanner.plan(
            existing: existing, rendered: values(rendered), rotation: rotation, creationPolicy: policy, now: now, holdPrevious: hold
        ).get()
    }

    static func failure(_ existing: Secret?, _ rendered: [String: String], rotation: ExternalSecretRotation, policy: CreationPolicy = .owner) -> SyncFailure? {
        if case .failure(let failure) = RotationPlanner.plan(
            existing: existing, rendered: values(rendered), rotation: rotation, creationPolicy: policy, now: t0)
        {
            return failure
        }
        return nil
    }

    /// The Secret after applying `plan` over `secret` (Owner semantics: rendered + additions).
    static func applied(_ plan: RotationPlan, rendered: [String: String]) -> Secret {
        var data = rendered
        for (key, value) in text(plan.additions) where data[key] == nil { data[key] = value }
        return secret(data, annotations: plan.additions.annotations.isEmpty ? nil : plan.additions.annotations)
    }

    // MARK: First sync and no change

    @Test("the first sync of a new Secret has no previous values and no window")
    func firstSync() {
        let plan = Self.plan(nil, ["password": "new"])
        #expect(plan == RotationPlan())
        #expect(plan?.phase == .stable)
        #expect(plan?.nextWake == nil)
    }

    @Test("an unchanged value adds nothing")
    func unchanged() {
        let plan = Self.plan(Self.secret(["password": "same"]), ["password": "same"])
        #expect(plan == RotationPlan())
    }

    @Test("a new key has no previous value")
    func newKey() {
        let plan = Self.plan(Self.secret(["password": "p"]), ["password": "p", "user": "u"])
        #expect(plan?.rotated == false)
        #expect(plan?.additions.data.isEmpty == true)
    }

    // MARK: A change

    @Test("a changed value keeps the old one as KEY_previous with rotated-at, grace-until and previous-keys")
    func changeOpensWindow() throws {
        let plan = try #require(Self.plan(Self.secret(["password": "old", "user": "u"]), ["password": "new", "user": "u"]))
        #expect(Self.text(plan.additions) == ["password_previous": "old"])
        let annotations = plan.additions.annotations
        #expect(annotations["rotor.dev/rotated-at"] == "2027-01-15T08:00:00Z")
        #expect(annotations["rotor.dev/grace-until"] == "2027-01-15T09:00:00Z")
        #expect(annotations["rotor.dev/previous-keys"] == "password")
        #expect(plan.rotatedKeys == ["password"])
        #expect(plan.phase == .overlap)
        #expect(plan.nextWake == Self.t0.addingTimeInterval(Self.hour), "the next wake is exactly grace-until")
    }

    @Test("a custom previousSuffix names the previous key")
    func customSuffix() {
        let rotation = ExternalSecretRotation(gracePeriod: "10m", previousSuffix: ".old")
        let plan = Self.plan(Self.secret(["password": "old"]), ["password": "new"], rotation: rotation)
        #expect(Self.text(plan?.additions ?? .none) == ["password.old": "old"])
        #expect(plan?.window?.graceUntil == Self.t0.addingTimeInterval(600))
    }

    @Test("grace-until is rounded up to the second, so a window never ends early")
    func graceRoundedUp() {
        let now = Self.t0.addingTimeInterval(0.4)
        let plan = Self.plan(Self.secret(["password": "old"]), ["password": "new"], at: now)
        #expect(plan?.window?.graceUntil == Self.t0.addingTimeInterval(Self.hour + 1))
        #expect(plan?.window?.rotatedAt == Self.t0)
    }

    @Test("several keys changing together share one window")
    func severalKeys() {
        let plan = Self.plan(Self.secret(["a": "1", "b": "2", "c": "3"]), ["a": "1x", "b": "2x", "c": "3"])
        #expect(Self.text(plan?.additions ?? .none) == ["a_previous": "1", "b_previous": "2"])
        #expect(plan?.additions.annotations["rotor.dev/previous-keys"] == "a,b")
    }

    // MARK: During the window

    @Test("during the window nothing changes: the same additions, so no write")
    func windowReproduced() throws {
        let first = try #require(Self.plan(Self.secret(["password": "old"]), ["password": "new"]))
        let written = Self.applied(first, rendered: ["password": "new"])
        let later = try #require(Self.plan(written, ["password": "new"], at: Self.t0.addingTimeInterval(1800)))
        #expect(later.additions == first.additions)
        #expect(later.rotated == false && later.expired == false)
        #expect(later.nextWake == first.nextWake)
    }

    @Test("a second change mid-window keeps only the latest previous value and restarts the window")
    func secondChangeReplaces() throws {
        let first = try #require(Self.plan(Self.secret(["password": "v1"]), ["password": "v2"]))
        let written = Self.applied(first, rendered: ["password": "v2"])
        let mid = Self.t0.addingTimeInterval(1200)
        let second = try #require(Self.plan(written, ["password": "v3"], at: mid))
        #expect(Self.text(second.additions) == ["password_previous": "v2"])
        #expect(second.window?.rotatedAt == mid)
        #expect(second.window?.graceUntil == mid.addingTimeInterval(Self.hour))
        #expect(second.rotatedKeys == ["password"])
    }

    @Test("another key's previous value rides along into a restarted window")
    func otherKeyCarried() throws {
        let first = try #require(Self.plan(Self.secret(["a": "a1", "b": "b1"]), ["a": "a2", "b": "b1"]))
        let written = Self.applied(first, rendered: ["a": "a2", "b": "b1"])
        let second = try #require(Self.plan(written, ["a": "a2", "b": "b2"], at: Self.t0.addingTimeInterval(600)))
        #expect(Self.text(second.additions) == ["a_previous": "a1", "b_previous": "b1"])
        #expect(second.additions.annotations["rotor.dev/previous-keys"] == "a,b")
        #expect(second.rotatedKeys == ["b"])
    }

    // MARK: End of the window

    @Test("one second before grace-until the previous value stays")
    func beforeGraceUntil() throws {
        let first = try #require(Self.plan(Self.secret(["password": "old"]), ["password": "new"]))
        let written = Self.applied(first, rendered: ["password": "new"])
        let plan = try #require(Self.plan(written, ["password": "new"], at: Self.t0.addingTimeInterval(Self.hour - 1)))
        #expect(Self.text(plan.additions) == ["password_previous": "old"])
    }

    @Test("at grace-until the previous keys and annotations go")
    func atGraceUntil() throws {
        let first = try #require(Self.plan(Self.secret(["password": "old"]), ["password": "new"]))
        let written = Self.applied(first, rendered: ["password": "new"])
        let plan = try #require(Self.plan(written, ["password": "new"], at: Self.t0.addingTimeInterval(Self.hour)))
        #expect(plan.additions.data.isEmpty)
        #expect(plan.additions.annotations.isEmpty)
        #expect(plan.additions.removedDataKeys == ["password_previous"], "named for Merge targets")
        #expect(plan.expiredKeys == ["password"])
        #expect(plan.phase == .stable)
        #expect(plan.nextWake == nil)
    }

    @Test("after grace-until, held for unfinished rollouts, the previous value stays and no wake is planned")
    func heldAfterGrace() throws {
        let first = try #require(Self.plan(Self.secret(["password": "old"]), ["password": "new"]))
        let written = Self.applied(first, rendered: ["password": "new"])
        let plan = try #require(Self.plan(written, ["password": "new"], at: Self.t0.addingTimeInterval(2 * Self.hour), hold: true))
        #expect(Self.text(plan.additions) == ["password_previous": "old"])
        #expect(plan.additions.annotations == first.additions.annotations, "the window is reproduced exactly")
        #expect(plan.heldAfterGrace)
        #expect(plan.phase == .overlap)
        #expect(plan.nextWake == nil)
    }

    @Test("a change after an ended window starts a fresh one without the expired previous values")
    func changeAfterExpiry() throws {
        let first = try #require(Self.plan(Self.secret(["a": "a1", "b": "b1"]), ["a": "a2", "b": "b1"]))
        let written = Self.applied(first, rendered: ["a": "a2", "b": "b1"])
        let later = Self.t0.addingTimeInterval(2 * Self.hour)
        let plan = try #require(Self.plan(written, ["a": "a2", "b": "b2"], at: later))
        #expect(Self.text(plan.additions) == ["b_previous": "b1"])
        #expect(plan.expiredKeys == ["a"])
        #expect(plan.additions.removedDataKeys == ["a_previous"])
    }

    // MARK: Restart of the operator

    @Test("the window is read back from the annotations alone")
    func resumesFromAnnotations() throws {
        let annotations = [
            "rotor.dev/rotated-at": "2027-01-15T08:00:00Z", "rotor.dev/grace-until": "2027-01-15T09:00:00Z",
            "rotor.dev/previous-keys": "password", "rotor.dev/fingerprint": "hmac-sha256:x",
        ]
        let existing = Self.secret(["password": "new", "password_previous": "old"], annotations: annotations)
        #expect(RotationPlanner.nextWake(existing: existing) == Self.t0.addingTimeInterval(Self.hour))
        #expect(!RotationPlanner.housekeepingDue(existing: existing, rotation: Self.rotation, now: Self.t0.addingTimeInterval(Self.hour - 1)))
        #expect(RotationPlanner.housekeepingDue(existing: existing, rotation: Self.rotation, now: Self.t0.addingTimeInterval(Self.hour)))
        let plan = try #require(Self.plan(existing, ["password": "new"], at: Self.t0.addingTimeInterval(100)))
        #expect(Self.text(plan.additions) == ["password_previous": "old"])
        #expect(plan.additions.annotations["rotor.dev/grace-until"] == "2027-01-15T09:00:00Z")
    }

    @Test("a listed previous key whose value was deleted by hand is forgotten")
    func listedButMissing() throws {
        let annotations = ["rotor.dev/rotated-at": "2027-01-15T08:00:00Z", "rotor.dev/grace-until": "2027-01-15T09:00:00Z", "rotor.dev/previous-keys": "password"]
        let plan = try #require(Self.plan(Self.secret(["password": "new"], annotations: annotations), ["password": "new"]))
        #expect(plan.additions.annotations.isEmpty)
        #expect(plan.phase == .stable)
    }

    // MARK: Removed keys

    @Test("a key removed upstream keeps its old value as KEY_previous for a full window")
    func removedKeyKept() throws {
        let plan = try #require(Self.plan(Self.secret(["password": "p", "token": "t"]), ["password": "p"]))
        #expect(Self.text(plan.additions) == ["token_previous": "t"])
        #expect(plan.rotatedKeys == ["token"])
        let written = Self.applied(plan, rendered: ["password": "p"])
        #expect(written.data?["token"] == nil)
        let again = try #require(Self.plan(written, ["password": "p"], at: Self.t0.addingTimeInterval(60)))
        #expect(again.rotated == false, "the removed key is not removed twice")
        let expired = try #require(Self.plan(written, ["password": "p"], at: Self.t0.addingTimeInterval(Self.hour)))
        #expect(expired.expiredKeys == ["token"])
    }

    @Test("with Merge, keys Rotor does not render are not treated as removed")
    func mergeKeepsForeignKeys() {
        let plan = Self.plan(Self.secret(["password": "p", "theirs": "x"]), ["password": "p"], policy: .merge)
        #expect(plan == RotationPlan())
    }

    // MARK: Rotation switched off

    @Test("removing the rotation block drops the previous values at once")
    func rotationRemoved() throws {
        let first = try #require(Self.plan(Self.secret(["password": "old"]), ["password": "new"]))
        let written = Self.applied(first, rendered: ["password": "new"])
        let plan = try #require(Self.plan(written, ["password": "new"], rotation: nil, at: Self.t0.addingTimeInterval(60)))
        #expect(plan.additions.data.isEmpty && plan.additions.annotations.isEmpty)
        #expect(plan.expiredKeys == ["password"])
        #expect(RotationPlanner.housekeepingDue(existing: written, rotation: nil, now: Self.t0))
    }

    @Test("without rotation a change has no previous value")
    func noRotation() {
        let plan = Self.plan(Self.secret(["password": "old"]), ["password": "new"], rotation: nil)
        #expect(plan == RotationPlan())
    }

    // MARK: Invalid specs

    @Test("a previousSuffix that turns a synced key into another synced key is InvalidSpec")
    func suffixCollision() {
        let failure = Self.failure(Self.secret([:]), ["password": "a", "password_previous": "b"], rotation: Self.rotation)
        #expect(failure?.reason == "InvalidSpec")
        #expect(failure?.message.contains("password_previous") == true)
        #expect(failure?.message.contains("spec.rotation.previousSuffix") == true)
        #expect(failure?.isTerminal == true)
    }

    @Test("with Merge, a previous key colliding with a key Rotor does not own is InvalidSpec")
    func mergeCollision() {
        let failure = Self.failure(Self.secret(["password": "a", "password_previous": "theirs"]), ["password": "a"], rotation: Self.rotation, policy: .merge)
        #expect(failure?.reason == "InvalidSpec")
    }

    @Test("a gracePeriod that is not a positive duration is InvalidSpec")
    func badGrace() {
        for grace in ["", "0", "1d", "-1h"] {
            let failure = Self.failure(nil, ["password": "a"], rotation: ExternalSecretRotation(gracePeriod: grace))
            #expect(failure?.message.hasPrefix("spec.rotation.gracePeriod") == true, "grace \(grace)")
        }
    }

    @Test("a previousSuffix a Secret key cannot hold is InvalidSpec")
    func badSuffix() {
        let failure = Self.failure(nil, ["password": "a"], rotation: ExternalSecretRotation(gracePeriod: "1h", previousSuffix: "/old"))
        #expect(failure?.message.hasPrefix("spec.rotation.previousSuffix") == true)
    }

    // MARK: Redaction

    @Test("a plan prints keys and times, never values")
    func redacted() throws {
        let plan = try #require(Self.plan(Self.secret(["password": PlanningFixtures.canary]), ["password": "new-\(PlanningFixtures.canary)"]))
        var dumped = ""
        dump(plan, to: &dumped)
        let printed = "\(plan) \(String(reflecting: plan)) \(dumped)"
        #expect(!printed.contains(PlanningFixtures.canary))
        #expect(printed.contains("password"))
    }
}
