import Foundation
import JSONCore
import KubeAPI
import RotorAPI
import RotorOperator
import SecretProviders
import Testing

@Suite("Planning: ExternalSecret status")
struct PlanningStatusTests {
    typealias F = PlanningFixtures
    typealias Reason = ExternalSecretConditions.Reason
    typealias Planner = ExternalSecretStatusPlanner

    static let store = StoreIdentity.secretStore(namespace: "shop", name: "vault")
    static var version: SyncedVersion { SyncedVersion(externalSecret: F.externalSecret(), store: F.vaultStore) }
    static var synced: SyncOutcome {
        .synced(SyncedSecret(secretName: "db-credentials", store: store, syncedVersion: version, fingerprint: "hmac-sha256:abc"))
    }
    static let providerDown = SyncOutcome.failed(.provider(.transient(key: "shop/db", detail: "HTTP 503"), store: store))

    func readyCondition(_ status: ExternalSecretStatus) -> Condition? {
        status.conditions?.first(ofType: ExternalSecretConditions.ready)
    }

    @Test("a real sync sets Ready=True Synced, refreshTime, syncedResourceVersion, fingerprint and observedGeneration")
    func successStatus() throws {
        let status = Planner.desiredStatus(current: nil, generation: 3, outcome: Self.synced, now: F.now)
        let ready = try #require(readyCondition(status))
        #expect(ready.status == .true)
        #expect(ready.reason == Reason.synced)
        #expect(ready.message == #"Secret "db-credentials" is in sync with SecretStore "vault" in namespace "shop""#)
        #expect(ready.observedGeneration == 3)
        #expect(ready.lastTransitionTime == KubeTime(F.now))
        #expect(status.observedGeneration == 3)
        #expect(status.refreshTime == KubeTime(F.now))
        #expect(status.syncedResourceVersion == Self.version.description)
        #expect(status.fingerprint == "hmac-sha256:abc")
    }

    @Test("a failure sets Ready=False with the reason and leaves refreshTime, fingerprint and syncedResourceVersion alone")
    func failureStatus() throws {
        let before = Planner.desiredStatus(current: nil, generation: 1, outcome: Self.synced, now: F.now)
        let later = F.now.addingTimeInterval(600)
        let status = Planner.desiredStatus(current: before, generation: 2, outcome: Self.providerDown, now: later)
        let ready = try #require(readyCondition(status))
        #expect(ready.status == .false)
        #expect(ready.reason == Reason.providerError)
        #expect(ready.message?.contains(#"key "shop/db""#) == true)
        #expect(ready.message?.contains("SecretStore/shop/vault") == true)
        #expect(ready.lastTransitionTime == KubeTime(later))
        #expect(status.observedGeneration == 2)
        #expect(ready.observedGeneration == 2)
        #expect(status.refreshTime == before.refreshTime)
        #expect(status.fingerprint == before.fingerprint)
        #expect(status.syncedResourceVersion == before.syncedResourceVersion)
    }

    @Test("lastTransitionTime stays when the Ready status does not flip, even as the reason changes")
    func transitionTimeKeptWithoutFlip() throws {
        let t0 = F.now
        let failed = Planner.desiredStatus(current: nil, generation: 1, outcome: Self.providerDown, now: t0)
        let throttled = SyncOutcome.failed(.provider(.throttled(retryAfter: .seconds(5), key: "shop/db")))
        let stillFailed = Planner.desiredStatus(current: failed, generation: 1, outcome: throttled, now: t0 + 60)
        #expect(readyCondition(stillFailed)?.reason == Reason.throttled)
        #expect(readyCondition(stillFailed)?.lastTransitionTime == KubeTime(t0))

        let recovered = Planner.desiredStatus(current: stillFailed, generation: 1, outcome: Self.synced, now: t0 + 120)
        #expect(readyCondition(recovered)?.lastTransitionTime == KubeTime(t0 + 120))

        let resynced = Planner.desiredStatus(current: recovered, generation: 1, outcome: Self.synced, now: t0 + 3600)
        #expect(readyCondition(resynced)?.lastTransitionTime == KubeTime(t0 + 120))
        #expect(resynced.refreshTime == KubeTime(t0 + 3600))
    }

    @Test("the same failure again gives an identical status: no status write")
    func repeatedFailureIsNoOp() {
        let first = Planner.desiredStatus(current: nil, generation: 1, outcome: Self.providerDown, now: F.now)
        let second = Planner.desiredStatus(current: first, generation: 1, outcome: Self.providerDown, now: F.now + 300)
        #expect(second == first)
        #expect(!Planner.statusChanged(first, second))
    }

    @Test("repeated throttling with different retry-after hints gives an identical status")
    func throttlingHintNotInStatus() {
        let a = SyncOutcome.failed(.provider(.throttled(retryAfter: .seconds(5), key: "shop/db")))
        let b = SyncOutcome.failed(.provider(.throttled(retryAfter: .seconds(30), key: "shop/db")))
        let first = Planner.desiredStatus(current: nil, generation: 1, outcome: a, now: F.now)
        let second = Planner.desiredStatus(current: first, generation: 1, outcome: b, now: F.now + 10)
        #expect(!Planner.statusChanged(first, second))
    }

    @Test("a not-due reconcile after a sync gives an identical status: refreshTime does not move")
    func notDueIsNoOp() {
        let synced = Planner.desiredStatus(current: nil, generation: 1, outcome: Self.synced, now: F.now)
        let notDue = Planner.desiredStatus(
            current: synced, generation: 1, outcome: .notDue(secretName: "db-credentials", store: Self.store), now: F.now + 60)
        #expect(notDue == synced)
        #expect(!Planner.statusChanged(synced, notDue))
    }

    @Test("a not-due reconcile after a store outage restores Ready=True without touching refreshTime")
    func notDueRecovers() {
        let synced = Planner.desiredStatus(current: nil, generation: 1, outcome: Self.synced, now: F.now)
        let outage = Planner.desiredStatus(
            current: synced, generation: 1, outcome: .failed(.storeNotReady("SecretStore \"vault\" …")), now: F.now + 10)
        let back = Planner.desiredStatus(
            current: outage, generation: 1, outcome: .notDue(secretName: "db-credentials", store: Self.store), now: F.now + 20)
        #expect(readyCondition(back)?.status == .true)
        #expect(readyCondition(back)?.lastTransitionTime == KubeTime(F.now + 20))
        #expect(back.refreshTime == KubeTime(F.now))
        #expect(Planner.statusChanged(outage, back))
    }

    @Test("a real sync moves refreshTime, so it is a status change; a new generation too")
    func realSyncAndGenerationChangeAreChanges() {
        let first = Planner.desiredStatus(current: nil, generation: 1, outcome: Self.synced, now: F.now)
        let again = Planner.desiredStatus(current: first, generation: 1, outcome: Self.synced, now: F.now + 3600)
        #expect(Planner.statusChanged(first, again))
        let sameSecond = Planner.desiredStatus(current: first, generation: 1, outcome: Self.synced, now: F.now + 0.5)
        #expect(!Planner.statusChanged(first, sameSecond))
        let newGeneration = Planner.desiredStatus(
            current: first, generation: 2, outcome: .notDue(secretName: "db-credentials", store: Self.store), now: F.now)
        #expect(Planner.statusChanged(first, newGeneration))
        #expect(Planner.statusChanged(nil, first))
    }

    @Test("other conditions, rotation state and unknown fields of the Ready condition are kept")
    func keepsWhatItDoesNotOwn() throws {
        let ready = try JSONDecoder().decode(
            Condition.self, from: Data(#"{"type":"Ready","status":"True","reason":"Synced","extra":"x"}"#.utf8))
        #expect(ready.unknownFields != UnknownFields())
        let other = Condition(type: "RotationReady", status: .true, reason: "Stable")
        let current = ExternalSecretStatus(
            conditions: [other, ready], rotation: ExternalSecretRotationStatus(phase: .overlap))
        let status = Planner.desiredStatus(current: current, generation: 1, outcome: Self.providerDown, now: F.now)
        #expect(status.conditions?.count == 2)
        #expect(status.conditions?.first == other)
        #expect(status.conditions?.last?.unknownFields == ready.unknownFields)
        #expect(status.rotation?.phase == .overlap)
    }

    @Test("provider error classes map to condition reasons", arguments: [
        (ProviderError.notFound(key: "k"), Reason.secretNotFound),
        (.propertyNotFound(key: "k", property: "p"), Reason.secretNotFound),
        (.permissionDenied(key: "k"), Reason.forbidden),
        (.throttled(retryAfter: .seconds(1)), Reason.throttled),
        (.transient(key: "k"), Reason.providerError),
        (.invalidResponse(key: "k"), Reason.providerError),
        (.invalidRequest(key: "k"), Reason.providerError),
        (.conflict(key: "k"), Reason.providerError),
        (.unsupported(detail: "find"), Reason.invalidSpec),
    ])
    func reasonMapping(error: ProviderError, reason: String) {
        let failure = SyncFailure.provider(error)
        #expect(failure.reason == reason)
        #expect(!failure.isTerminal)
        #expect(failure.message.contains(error.code))
    }

    @Test("a provider failure message names the store, key, property and version")
    func providerMessageNamesTheSubject() {
        let failure = SyncFailure.provider(
            .propertyNotFound(key: "shop/db", property: "password", version: "3"), store: Self.store)
        #expect(failure.message == #"key "shop/db" property "password" version 3 in store SecretStore/shop/vault: property not found in the secret [provider.propertyNotFound]"#)
        let own = SyncFailure.provider(.notFound(store: "ClusterSecretStore/aws", key: "x"), store: Self.store)
        #expect(own.message.contains("ClusterSecretStore/aws"))
        #expect(!own.message.contains("SecretStore/shop/vault"))
    }

    @Test("no status built from any outcome contains the canary value")
    func canaryNeverInStatus() throws {
        let es = F.externalSecret()
        let resolution = F.resolve(es, secretStores: [F.secretStore()])
        let store = try #require(resolution.store)
        let outcomes: [SyncOutcome] = [
            .synced(SyncedSecret(
                secretName: es.targetSecretName, store: store.identity,
                syncedVersion: SyncedVersion(externalSecret: es, store: store), fingerprint: "hmac-sha256:0f")),
            .notDue(secretName: es.targetSecretName, store: store.identity),
            .failed(.provider(.notFound(key: "shop/db"), store: store.identity)),
            .failed(.provider(.invalidResponse(key: "shop/db", detail: "not a JSON object"), store: store.identity)),
            .failed(.provider(.throttled(retryAfter: .seconds(2)), store: store.identity)),
            .failed(.invalidSpec(field: "spec.target.template.data.DATABASE_URL", problem: "unclosed tag")),
            try #require(F.resolve(es, secretStores: [F.secretStore(ready: .false)]).failure).asOutcome,
        ]
        var status: ExternalSecretStatus? = nil
        for outcome in outcomes {
            let next = Planner.desiredStatus(current: status, generation: 1, outcome: outcome, now: F.now)
            let json = String(decoding: try JSONEncoder().encode(next), as: UTF8.self)
            #expect(!json.contains(F.canary))
            #expect(!String(describing: next).contains(F.canary))
            status = next
        }
    }

    @Test("store status: a passed check is Ready=True Valid, a refused one Forbidden, and repeats change nothing")
    func storeStatus() throws {
        let identity = StoreIdentity.secretStore(namespace: "shop", name: "vault")
        let ok = StoreStatusPlanner.desiredStatus(current: nil, generation: 2, check: .valid(.readOnly), now: F.now)
        #expect(ok.conditions?.first(ofType: "Ready")?.reason == SecretStoreConditions.Reason.valid)
        #expect(ok.capabilities == .readOnly)
        #expect(ok.observedGeneration == 2)
        let again = StoreStatusPlanner.desiredStatus(current: ok, generation: 2, check: .valid(.readOnly), now: F.now + 60)
        #expect(again == ok)

        let refused = StoreStatusPlanner.desiredStatus(
            current: ok, generation: 2, check: .failed(.permissionDenied(), store: identity), now: F.now + 120)
        let ready = try #require(refused.conditions?.first(ofType: "Ready"))
        #expect(ready.status == .false)
        #expect(ready.reason == SecretStoreConditions.Reason.forbidden)
        #expect(ready.message?.contains("SecretStore/shop/vault") == true)
        #expect(ready.lastTransitionTime == KubeTime(F.now + 120))
        #expect(StoreCheck.failed(.invalidRequest(), store: identity) == .invalid(
            reason: SecretStoreConditions.Reason.invalidSpec, message: SyncFailure.provider(.invalidRequest(), store: identity).message))
    }
}

extension SyncFailure {
    fileprivate var asOutcome: SyncOutcome { .failed(self) }
}
