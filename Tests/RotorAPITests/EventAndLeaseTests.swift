import Foundation
import JSONCore
import KubeAPI
import RotorAPI
import Testing

@Suite("Events and leases")
struct EventAndLeaseTests {
    @Test("a core Event from the API server decodes and re-encodes, nulls aside")
    func coreEventRoundTrip() throws {
        let json = """
            {"kind":"Event","apiVersion":"v1",
             "metadata":{"name":"db.18c2f0a1b2c3d4e5","namespace":"shop","uid":"e1","resourceVersion":"5521",
                         "creationTimestamp":"2026-11-29T10:00:00Z"},
             "involvedObject":{"kind":"ExternalSecret","namespace":"shop","name":"db","uid":"77aa",
                               "apiVersion":"rotor.dev/v1","resourceVersion":"5500"},
             "reason":"SecretRotated","message":"rotated key password of Secret shop/db",
             "source":{"component":"rotor"},
             "firstTimestamp":"2026-11-29T10:00:00Z","lastTimestamp":"2026-11-29T10:05:00Z","count":3,
             "type":"Normal","eventTime":null,"reportingComponent":"rotor","reportingInstance":"rotor-7d9f-abcde"}
            """
        let trip = try roundTrip(Event.self, json)
        #expect(withoutNulls(trip.reencoded) == withoutNulls(trip.original))
        let event = trip.value
        #expect(event.involvedObject.kind == "ExternalSecret")
        #expect(event.type == .normal)
        #expect(event.count == 3)
        #expect(event.lastTimestamp?.rfc3339 == "2026-11-29T10:05:00Z")
        #expect(event.eventTime == nil)
        #expect(event.source?.component == "rotor")
    }

    @Test("an events.k8s.io Event keeps its microsecond times exactly")
    func eventsV1RoundTrip() throws {
        let json = """
            {"kind":"Event","apiVersion":"events.k8s.io/v1",
             "metadata":{"name":"db.18c2f0a1b2c3d4e5","namespace":"shop"},
             "eventTime":"2026-11-29T10:00:00.000001Z",
             "series":{"count":4,"lastObservedTime":"2026-11-29T10:04:59.999999Z"},
             "reportingController":"rotor.dev/controller","reportingInstance":"rotor-7d9f-abcde",
             "action":"Rotate","reason":"ProviderError","type":"Warning",
             "regarding":{"kind":"ExternalSecret","namespace":"shop","name":"db","apiVersion":"rotor.dev/v1"},
             "note":"vault: permission denied reading secret/data/db",
             "deprecatedCount":4,"deprecatedFirstTimestamp":"2026-11-29T10:00:00Z"}
            """
        let trip = try roundTrip(EventsV1Event.self, json)
        #expect(trip.reencoded == trip.original)
        #expect(trip.value.type == .warning)
        #expect(trip.value.series?.count == 4)
        #expect(trip.value.regarding?.name == "db")
        #expect(EventsV1Event.resourceType.collectionPath(namespace: "shop") == "/apis/events.k8s.io/v1/namespaces/shop/events")
    }

    @Test("an event built in code points at its object through an ObjectReference")
    func eventForObject() throws {
        var secret = Secret(metadata: ObjectMeta(name: "db", namespace: "shop"))
        secret.metadata.uid = "u-1"
        secret.metadata.resourceVersion = "9"
        let event = Event(
            metadata: ObjectMeta(namespace: "shop"), involvedObject: ObjectReference(to: secret), reason: "Updated",
            message: "updated 2 keys", type: .normal)
        let json = try JSONValue(encoding: event)
        #expect(json["involvedObject"] == ["apiVersion": "v1", "kind": "Secret", "namespace": "shop", "name": "db", "uid": "u-1", "resourceVersion": "9"])
        #expect(json["type"] == "Normal")
        #expect(json["apiVersion"] == "v1")
    }

    @Test("a Lease keeps microsecond renew times and knows when it lapses")
    func leaseRoundTrip() throws {
        let json = """
            {"apiVersion":"coordination.k8s.io/v1","kind":"Lease",
             "metadata":{"name":"rotor-leader","namespace":"rotor-system","resourceVersion":"881"},
             "spec":{"holderIdentity":"rotor-7d9f-abcde_1c2d","leaseDurationSeconds":15,
                     "acquireTime":"2026-11-29T10:00:00.000000Z","renewTime":"2026-11-29T10:00:12.345678Z",
                     "leaseTransitions":2}}
            """
        let trip = try roundTrip(Lease.self, json)
        #expect(trip.reencoded == trip.original)
        let spec = trip.value.spec
        #expect(spec.holderIdentity == "rotor-7d9f-abcde_1c2d")
        #expect(spec.leaseTransitions == 2)
        let expiry = try #require(spec.expiry)
        #expect(RFC3339.format(expiry, fractionalDigits: 6) == "2026-11-29T10:00:27.345678Z")
        #expect(LeaseSpec().expiry == nil)
    }
}
