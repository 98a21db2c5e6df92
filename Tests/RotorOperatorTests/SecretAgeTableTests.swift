import Foundation
import RotorOperator
import Testing

@Suite("rotor_secret_age_seconds: ages computed at scrape time")
struct SecretAgeTableTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("the age grows with the clock from the recorded change, one series per ExternalSecret, sorted")
    func ageCountsFromTheRecordedChange() {
        let table = SecretAgeTable()
        table.record(changedAt: start, namespace: "team-b", name: "db")
        table.record(changedAt: start.addingTimeInterval(30), namespace: "team-a", name: "api")
        let ages = table.ages(at: start.addingTimeInterval(90))
        #expect(ages.map { "\($0.namespace)/\($0.name)=\(Int($0.seconds))" } == ["team-a/api=60", "team-b/db=90"])
        // A later change restarts the count.
        table.record(changedAt: start.addingTimeInterval(80), namespace: "team-b", name: "db")
        #expect(table.ages(at: start.addingTimeInterval(90)).last?.seconds == 10)
    }

    @Test("a change recorded after the scrape's clock reads as 0, never negative")
    func futureChangeIsZero() {
        let table = SecretAgeTable()
        table.record(changedAt: start.addingTimeInterval(5), namespace: "ns", name: "es")
        #expect(table.ages(at: start).first?.seconds == 0)
    }

    @Test("a forgotten ExternalSecret leaves the exposition; an empty table exposes nothing")
    func forgottenSeriesDisappear() {
        let table = SecretAgeTable()
        table.record(changedAt: start, namespace: "ns", name: "es")
        #expect(!table.exposition(at: start).isEmpty)
        table.forget(namespace: "ns", name: "es")
        #expect(table.exposition(at: start).isEmpty)
        #expect(table.ages(at: start).isEmpty)
    }

    @Test("the exposition is Prometheus text with HELP, TYPE and escaped label values")
    func expositionFormat() {
        let table = SecretAgeTable()
        table.record(changedAt: start, namespace: "ns", name: #"odd"name\"#)
        let text = String(decoding: table.exposition(at: start.addingTimeInterval(42.4)), as: UTF8.self)
        #expect(text == """
            # HELP rotor_secret_age_seconds Seconds since the ExternalSecret's values last changed.
            # TYPE rotor_secret_age_seconds gauge
            rotor_secret_age_seconds{namespace="ns",name="odd\\"name\\\\"} 42

            """)
    }
}
