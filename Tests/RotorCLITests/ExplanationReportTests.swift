import Foundation
import KubeAPI
import RotorAPI
import RotorCLI
import Testing

@Suite("kubectl rotor explain: why an ExternalSecret is (not) ready")
struct ExplanationReportTests {
    static func event(_ name: String, _ type: EventType, _ reason: String, _ message: String, lastSeen: TimeInterval) -> Event {
        Event(metadata: ObjectMeta(name: name, namespace: "shop"), reason: reason, message: message, type: type, lastTimestamp: Fixtures.time(lastSeen))
    }

    @Test("a failing ExternalSecret: the reason and message first, then the store's absence and the latest Events")
    func notReady() {
        let explanation = Explanation(
            externalSecret: Fixtures.failing,
            store: StoreFinding(kind: "SecretStore", namespace: "shop", name: "missing", state: .notFound),
            events: [
                Self.event("e2", .warning, "StoreNotReady", #"SecretStore "missing" in namespace "shop" not found"#, lastSeen: -5),
                Self.event("e1", .normal, "Synced", "Secret shop/api written", lastSeen: -3 * 3600),
            ])
        #expect(ExplanationReport.render(explanation, now: Fixtures.now) == """
            ExternalSecret shop/api is not ready: StoreNotReady
              SecretStore "missing" in namespace "shop" not found

            Secret:        api
            Ready:         False (StoreNotReady) for 4h
            Last sync:     never
            Next refresh:  due now (every 1h)
            Rotation:      not configured
            Store:         SecretStore shop/missing: not found
            Events (most recent first):
              LAST SEEN   TYPE      REASON          MESSAGE
              5s          Warning   StoreNotReady   SecretStore "missing" in namespace "shop" not found
              3h          Normal    Synced          Secret shop/api written

            """)
    }

    @Test("a ready ExternalSecret in an overlap window: grace left, the store's Ready condition and message")
    func readyInOverlap() {
        let storeStatus = SecretStoreStatus(conditions: [
            Condition(type: "Ready", status: .true, reason: "Valid", message: "store validated")
        ])
        let explanation = Explanation(
            externalSecret: Fixtures.overlapping,
            store: StoreFinding(kind: "SecretStore", namespace: "default", name: "demo-store", state: .found(storeStatus)),
            events: [])
        #expect(ExplanationReport.render(explanation, now: Fixtures.now) == """
            ExternalSecret default/db-rotating is ready: Synced
              in sync

            Secret:        db-rotating
            Ready:         True (Synced) for 3m
            Last sync:     5m ago (2026-12-07T11:55:00Z)
            Next refresh:  in about 10m (every 15m, ±10 % jitter)
            Rotation:      Overlap: previous values removed in 90s (2026-12-07T12:01:30Z); last rotated 30s ago
            Store:         SecretStore default/demo-store: Ready True (Valid)
                           store validated
            Events:        <none>

            """)
    }

    @Test("no Ready condition yet, a spec the operator has not caught up with, a store not checked yet")
    func notYetSeen() {
        var externalSecret = Fixtures.externalSecret("new", storeKind: .clusterSecretStore, generation: 3)
        externalSecret.status = ExternalSecretStatus(observedGeneration: 2)
        let explanation = Explanation(
            externalSecret: externalSecret,
            store: StoreFinding(kind: "ClusterSecretStore", namespace: nil, name: "demo-store", state: .found(nil)),
            events: [], eventsUnavailable: "Error from server (Forbidden): events is forbidden")
        let text = ExplanationReport.render(explanation, now: Fixtures.now)
        #expect(text.hasPrefix("ExternalSecret default/new has no Ready condition yet: the operator has not reported on it\n"))
        #expect(text.contains("generation 2 of the spec, which is at generation 3"))
        #expect(text.contains("Store:         ClusterSecretStore demo-store: not checked by the operator yet (no Ready condition)\n"))
        #expect(text.contains("Events:        cannot be listed: Error from server (Forbidden): events is forbidden\n"))
    }

    @Test("Events are shown most recent first, at most five")
    func latestEvents() {
        let events = (0..<8).map { Self.event("e\($0)", .normal, "Synced", "n\($0)", lastSeen: TimeInterval(-$0 * 60)) }
        let latest = ExplanationGatherer.latest(events.shuffled())
        #expect(latest.map(\.message) == ["n0", "n1", "n2", "n3", "n4"])
    }

    @Test("the Events of one ExternalSecret are selected by name and kind")
    func selector() {
        #expect(ExplanationGatherer.eventSelector(name: "db") == "involvedObject.name=db,involvedObject.kind=ExternalSecret")
    }
}
