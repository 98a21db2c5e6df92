import Foundation
import KubeAPI
import RotorAPI
import RotorCLI
import Testing

@Suite("kubectl rotor status: one line per ExternalSecret")
struct StatusTableTests {
    @Test("the table of one namespace: ready, last sync as an age, rotation phase, grace left, next refresh")
    func oneNamespace() {
        let table = StatusTable.make([Fixtures.overlapping, Fixtures.synced], allNamespaces: false, now: Fixtures.now)
        #expect(table.render() == """
            NAME          STORE        READY   LAST SYNC   ROTATION   GRACE    NEXT REFRESH
            db            demo-store   True    20m         <none>     <none>   40m
            db-rotating   demo-store   True    5m          Overlap    90s      10m

            """)
    }

    @Test("-A puts a NAMESPACE column first and sorts by namespace, then name")
    func allNamespaces() {
        let table = StatusTable.make([Fixtures.synced, Fixtures.failing], allNamespaces: true, now: Fixtures.now)
        #expect(table.render() == """
            NAMESPACE   NAME   STORE        READY   LAST SYNC   ROTATION   GRACE    NEXT REFRESH
            default     db     demo-store   True    20m         <none>     <none>   40m
            shop        api    missing      False   <never>     <none>     <none>   due

            """)
    }

    @Test("before the operator's first look every status cell says so")
    func noStatusYet() {
        let row = StatusRow(Fixtures.externalSecret("new", status: nil), now: Fixtures.now)
        #expect([row.ready, row.lastSync, row.rotation, row.grace, row.nextRefresh] == ["<none>", "<never>", "<none>", "<none>", "due"])
    }

    @Test("a grace period that has passed while the window is still open says ended")
    func graceEnded() {
        var status = Fixtures.overlapping.status
        status?.rotation?.graceUntil = Fixtures.time(-10)
        let row = StatusRow(Fixtures.externalSecret("held", status: status), now: Fixtures.now)
        #expect(row.grace == "ended")
    }

    @Test("grace is shown only in the Overlap phase")
    func graceOnlyInOverlap() {
        let status = ExternalSecretStatus(rotation: ExternalSecretRotationStatus(phase: .stable, graceUntil: Fixtures.time(60)))
        let row = StatusRow(Fixtures.externalSecret("stable", status: status), now: Fixtures.now)
        #expect(row.rotation == "Stable")
        #expect(row.grace == "<none>")
    }

    @Test("an empty list is reported as kubectl reports one")
    func empty() {
        #expect(StatusTable.emptyMessage(namespace: "shop") == "No resources found in shop namespace.")
        #expect(StatusTable.emptyMessage(namespace: nil) == "No resources found")
    }
}

@Suite("The next refresh, computed from refreshInterval and the last sync")
struct NextRefreshTests {
    static func cell(interval: String?, policy: RefreshPolicy? = nil, lastSync: TimeInterval?) -> String {
        let status = lastSync.map { ExternalSecretStatus(refreshTime: Fixtures.time($0)) }
        let externalSecret = Fixtures.externalSecret("x", refreshInterval: interval, refreshPolicy: policy, status: status)
        return NextRefresh(spec: externalSecret.spec, status: externalSecret.status, now: Fixtures.now).cell(now: Fixtures.now)
    }

    @Test("last sync plus the interval, as time left")
    func periodic() {
        #expect(Self.cell(interval: "1h", lastSync: -20 * 60) == "40m")
        #expect(Self.cell(interval: "1h30m", lastSync: -60) == "89m")
    }

    @Test("without refreshInterval the default of one hour applies")
    func defaultInterval() {
        #expect(Self.cell(interval: nil, lastSync: -30 * 60) == "30m")
    }

    @Test("due when the interval has passed or nothing was synced yet")
    func due() {
        #expect(Self.cell(interval: "1m", lastSync: -61) == "due")
        #expect(Self.cell(interval: "1m", lastSync: -60) == "due")
        #expect(Self.cell(interval: "1h", lastSync: nil) == "due")
    }

    @Test("refreshInterval 0 and OnChange refresh on change only; CreatedOnce never")
    func policies() {
        #expect(Self.cell(interval: "0", lastSync: -60) == "on change")
        #expect(Self.cell(interval: "1h", policy: .onChange, lastSync: -60) == "on change")
        #expect(Self.cell(interval: "1h", policy: .createdOnce, lastSync: -60) == "never")
    }

    @Test("an interval that is not a duration is marked invalid, as the operator refuses it")
    func invalid() {
        #expect(Self.cell(interval: "soon", lastSync: -60) == "<invalid>")
        #expect(Self.cell(interval: "1h", policy: "Sometimes", lastSync: -60) == "<invalid>")
    }
}
