import EmulatorTestSupport
import FakeProvider
import FakeProviderTestSupport
import Foundation
import KubeRuntime
import KubeAPI
import RotorAPI
import RotorOperator
import SecretProviders
import Testing

/// Records which rotation steps a "crashed" operator reached. A crash is a hook that never
/// returns: the operator is frozen mid-reconcile, as a killed process would be, until the
/// test stops it and starts a new one.
actor CrashRecorder {
    private(set) var reached: [RotationStep] = []

    func record(_ step: RotationStep) { reached.append(step) }

    /// Checkpoints that freeze the reconcile right after `step`.
    nonisolated func crashing(after step: RotationStep) -> RotationCheckpoints {
        RotationCheckpoints { [self] reached in
            guard reached.step == step else { return }
            await record(reached.step)
            try await Task.sleep(for: .seconds(3600))
        }
    }
}

/// Scheduled rotation against the fake provider in its writable mode: two phases,
/// crash-safe, exactly one new provider version.
@Suite("Scheduled rotation", .serialized)
struct ScheduledRotationTests {
    static let storeName = "SecretStore/default/fake"
    static let original = #"{"password":"old-pass","user":"app"}"#

    static func sharedFake(access: ProviderCapabilities.Access = .readWrite) -> FakeProvider {
        FakeProvider(data: [.init(key: "db/creds", value: original, version: "1")], storeName: storeName, access: access)
    }

    static func registry(_ fake: FakeProvider) -> ProviderRegistry {
        ProviderRegistry([FakeProviderFactory(instances: [storeName: fake])])
    }

    static func spec(schedule: String = "") -> String {
        #"{"secretStoreRef":{"name":"fake"},"refreshInterval":"1h","data":[{"secretKey":"password","remoteRef":{"key":"db/creds","property":"password"}},{"secretKey":"user","remoteRef":{"key":"db/creds","property":"user"}}],"rotation":{"gracePeriod":"10m",\#(schedule)"generate":[{"property":"password","length":24}]}}"#
    }

    static func requestRotation(_ h: RotationHarness, _ value: String = "1") async throws {
        _ = try await h.client.patch(
            ExternalSecret.self, namespace: "default", name: "db", patch: .merge(["metadata": ["annotations": ["rotor.dev/rotate": .string(value)]]]))
    }

    /// The provider's current `password`.
    static func remotePassword(_ fake: FakeProvider) async -> String? {
        let secret = try? await fake.read(RemoteSecretID(key: "db/creds"))
        return try? secret?.value.property("password", key: "db/creds").revealedString()
    }

    static func remoteUser(_ fake: FakeProvider) async -> String? {
        let secret = try? await fake.read(RemoteSecretID(key: "db/creds"))
        return try? secret?.value.property("user", key: "db/creds").revealedString()
    }

    /// Creates `db`, waits for the first sync with the original values.
    static func setUp(_ h: RotationHarness, _ running: RotationHarness.Running, schedule: String = "") async throws {
        try await h.createExternalSecret(spec: spec(schedule: schedule))
        #expect(await EmulatedCluster.eventually { await h.data()["password"] == "old-pass" })
        #expect(await h.settled(running))
    }

    /// The end state every variant must reach: one new provider version, holding the new
    /// password and the untouched user, and a Secret with new + previous.
    static func expectRotated(_ h: RotationHarness, _ fake: FakeProvider) async {
        #expect(await EmulatedCluster.eventually { await h.data()["password_previous"] == "old-pass" })
        #expect(await fake.versions(of: "db/creds") == ["1", "2"], "exactly one new provider version")
        let remote = await remotePassword(fake)
        #expect(remote != nil && remote != "old-pass")
        #expect(remote?.count == 24)
        #expect(await remoteUser(fake) == "app", "the other properties of the JSON secret are kept")
        let data = await h.data()
        #expect(data["password"] == remote, "the Secret holds the value written to the provider")
        #expect(data["user"] == "app")
        #expect(await EmulatedCluster.eventually { await h.rotationStatus()?.pendingID == nil })
        #expect(await h.rotationStatus()?.phase == .overlap)
    }

    @Test("rotor.dev/rotate writes a generated value to the provider and syncs it with overlap")
    func annotationRotates() async throws {
        let fake = Self.sharedFake()
        try await RotationHarness.with(registry: Self.registry(fake)) { h in
            let running = h.startOperator()
            try await Self.setUp(h, running)
            try await Self.requestRotation(h)
            await Self.expectRotated(h, fake)
            #expect(await h.rotationStatus()?.rotateRequest == "1")
            #expect(await h.eventReasons().contains("Rotated"))
            // The same annotation value again does nothing more.
            _ = try await h.client.patch(
                ExternalSecret.self, namespace: "default", name: "db", patch: .merge(["metadata": ["annotations": ["rotor.dev/force-sync": "x"]]]))
            #expect(await EmulatedCluster.eventually { await h.externalSecret()?.status?.syncedResourceVersion?.contains("force=x") == true })
            #expect(await h.settled(running))
            #expect(await fake.versions(of: "db/creds") == ["1", "2"])
            await running.stop()
        }
    }

    @Test("a crash between recording pendingID and the provider write: one new provider version, a Secret with new + previous")
    func crashBeforeWrite() async throws {
        let fake = Self.sharedFake()
        try await RotationHarness.with(registry: Self.registry(fake)) { h in
            let crashes = CrashRecorder()
            let first = h.startOperator(hooks: crashes.crashing(after: .pendingRecorded))
            try await Self.setUp(h, first)
            try await Self.requestRotation(h)
            #expect(await EmulatedCluster.eventually { await crashes.reached == [.pendingRecorded] })
            await first.stop()
            let pending = await h.rotationStatus()
            #expect(pending?.pendingID != nil)
            #expect(pending?.phase == .pending)
            #expect(await fake.versions(of: "db/creds") == ["1"], "nothing written before the crash")
            #expect(await h.data()["password"] == "old-pass")

            let second = h.startOperator()
            await Self.expectRotated(h, fake)
            #expect(await fake.writeCount == 1)
            await second.stop()
        }
    }

    @Test("a crash between the provider write and the sync: one new provider version, a Secret with new + previous")
    func crashAfterWrite() async throws {
        let fake = Self.sharedFake()
        try await RotationHarness.with(registry: Self.registry(fake)) { h in
            let crashes = CrashRecorder()
            let first = h.startOperator(hooks: crashes.crashing(after: .providerWritten))
            try await Self.setUp(h, first)
            try await Self.requestRotation(h)
            #expect(await EmulatedCluster.eventually { await crashes.reached == [.providerWritten] })
            await first.stop()
            #expect(await fake.versions(of: "db/creds") == ["1", "2"])
            #expect(await h.data()["password"] == "old-pass", "not synced before the crash")
            #expect(await h.rotationStatus()?.pendingID != nil)

            let second = h.startOperator()
            await Self.expectRotated(h, fake)
            #expect(await fake.writeCount == 1, "the resumed rotation does not write again")
            await second.stop()
        }
    }

    @Test("schedule.every rotates when the time comes and schedules the next one")
    func everySchedule() async throws {
        let fake = Self.sharedFake()
        try await RotationHarness.with(registry: Self.registry(fake)) { h in
            let running = h.startOperator()
            let start = h.clock.now()
            try await Self.setUp(h, running, schedule: #""schedule":{"every":"2h"},"#)
            #expect(await h.rotationStatus()?.nextRotation == KubeTime(start.addingTimeInterval(7200)), "a new schedule does not rotate at once")
            #expect(await fake.versions(of: "db/creds") == ["1"])
            h.advance(to: start.addingTimeInterval(7199))
            #expect(await h.settled(running))
            #expect(await fake.versions(of: "db/creds") == ["1"])
            h.advance(to: start.addingTimeInterval(7200))
            await Self.expectRotated(h, fake)
            #expect(await h.rotationStatus()?.nextRotation == KubeTime(start.addingTimeInterval(14400)))
            await running.stop()
        }
    }

    @Test("a read-only store cannot be rotated: InvalidSpec, nothing recorded")
    func readOnlyStore() async throws {
        let fake = Self.sharedFake(access: .readOnly)
        try await RotationHarness.with(registry: Self.registry(fake)) { h in
            let running = h.startOperator()
            try await Self.setUp(h, running)
            try await Self.requestRotation(h)
            #expect(await EmulatedCluster.eventually {
                await h.externalSecret()?.status?.conditions?.first { $0.type == "Ready" }?.reason == "InvalidSpec"
            })
            let message = await h.externalSecret()?.status?.conditions?.first { $0.type == "Ready" }?.message ?? ""
            #expect(message.contains("read-only"))
            #expect(await h.rotationStatus()?.pendingID == nil)
            #expect(await fake.versions(of: "db/creds") == ["1"])
            #expect(await h.data()["password"] == "old-pass")
            await running.stop()
        }
    }

    @Test("a rotation block that cannot be honoured is InvalidSpec before anything is written to the provider")
    func invalidSpecWritesNothing() async throws {
        let fake = Self.sharedFake()
        try await RotationHarness.with(registry: Self.registry(fake)) { h in
            let running = h.startOperator()
            let spec = Self.spec().replacingOccurrences(of: #""gracePeriod":"10m""#, with: #""gracePeriod":"0""#)
            try await h.createExternalSecret(spec: spec)
            try await Self.requestRotation(h)
            #expect(await EmulatedCluster.eventually {
                await h.externalSecret()?.status?.conditions?.first { $0.type == "Ready" }?.message?.hasPrefix("spec.rotation.gracePeriod") == true
            })
            #expect(await h.rotationStatus()?.pendingID == nil)
            #expect(await fake.versions(of: "db/creds") == ["1"])
            #expect(await fake.writeCount == 0)
            await running.stop()
        }
    }

    /// A JSON secret with every kind of value, as an application would parse it.
    static let typed = #"{"user":"app","port":5432,"ratio":1.5,"thousand":1e3,"big":123456789012345678901234567890,"#
        + #""tls":true,"legacy":false,"proxy":null,"pool":{"min": 1, "max": [2, 3.0]},"hosts":["db-1",{"port":6432}],"#
        + #""note":"caf\u00e9 \"q\"","password":"old-pass"}"#

    @Test("a rotation keeps every other property of the JSON secret exactly: numbers, booleans, null, objects and arrays keep their types")
    func keepsJSONTypes() async throws {
        let fake = FakeProvider(data: [.init(key: "db/creds", value: Self.typed, version: "1")], storeName: Self.storeName, access: .readWrite)
        try await RotationHarness.with(registry: Self.registry(fake)) { h in
            let running = h.startOperator()
            try await Self.setUp(h, running)
            try await Self.requestRotation(h)
            await Self.expectRotated(h, fake)
            let written = try await fake.read(RemoteSecretID(key: "db/creds")).value
            let text = try #require(written.revealedString())
            for kept in [
                #""port":5432"#, #""ratio":1.5"#, #""thousand":1e3"#, #""big":123456789012345678901234567890"#, #""tls":true"#,
                #""legacy":false"#, #""proxy":null"#, #""pool":{"min": 1, "max": [2, 3.0]}"#, #""hosts":["db-1",{"port":6432}]"#,
            ] {
                #expect(text.contains(kept), "\(kept) is written back as it was")
            }
            let before = try SecretValue(utf8: Self.typed).extractProperties(key: "db/creds")
            let after = try written.extractProperties(key: "db/creds")
            #expect(Set(after.keys) == Set(before.keys))
            for (name, value) in before where name != "password" {
                #expect(after[name] == value, "\(name) is kept")
            }
            #expect(after["note"]?.revealedString() == "café \"q\"")
            #expect(await fake.writeCount == 1)
            await running.stop()
        }
    }
}
