import FakeProvider
import FakeProviderTestSupport
import SecretProviders
import Testing

/// A reader asking for reads newer than the values it has (a ``ReadMark``) or no older
/// than its refresh interval is never answered by an older cached or in-flight read,
/// however long the cache's TTL; readers whose needs a read meets still share it.
@Suite("CoalescingReader freshness")
struct ReadFreshnessTests {
    let id = RemoteSecretID(key: "shop/db")

    @Test("a reader that has read once gets a newer read next time, even within the TTL")
    func markedReaderGetsANewerRead() async throws {
        let fake = FakeProvider(data: [.init(key: "shop/db", value: "v1")])
        let reader = CoalescingReader(fake, configuration: .init(ttl: .seconds(30)), now: ManualTime().now)
        let first = await reader.read([id], freshness: .any)[id]
        #expect(try first?.get().value == .text("v1"))
        let mark = ReadMark.current
        await fake.setValue(.text("v2"), for: "shop/db")
        #expect(try await reader.read([id], freshness: .any)[id]?.get().value == .text("v1"), "an unmarked reader takes the cached read")
        #expect(try await reader.read([id], freshness: ReadFreshness(startedAfter: mark))[id]?.get().value == .text("v2"))
        #expect(await fake.readCount(for: "shop/db") == 2)
        #expect(try await reader.read([id], freshness: .any)[id]?.get().value == .text("v2"), "the newer read is cached for everyone")
    }

    @Test("readers whose marks all precede one read share it")
    func readersDueTogetherShareOneRead() async throws {
        let fake = FakeProvider(data: [.init(key: "shop/db", value: "v1")])
        let reader = CoalescingReader(fake, configuration: .init(ttl: .seconds(30)), now: ManualTime().now)
        _ = await reader.read([id], freshness: .any)
        let marks = (0..<20).map { _ in ReadMark.current }
        for mark in marks { _ = await reader.read([id], freshness: ReadFreshness(startedAfter: mark)) }
        #expect(await fake.readCount(for: "shop/db") == 2, "one new read, then shared by the other 19")
    }

    @Test("a read in flight that started before a reader's mark does not answer it")
    func olderReadInFlightIsNotJoined() async throws {
        let gate = Gate()
        let fake = FakeProvider(data: [.init(key: "shop/db", value: "v1")], sleep: gate.sleep)
        await fake.setLatency(.milliseconds(50))
        let reader = CoalescingReader(fake, configuration: .init(ttl: .seconds(30)), now: ManualTime().now)
        let early = Task { await reader.read([id], freshness: .any)[id] }
        #expect(await eventually { await fake.readsInFlight == 1 })
        let mark = ReadMark.current
        let late = Task { await reader.read([id], freshness: ReadFreshness(startedAfter: mark))[id] }
        #expect(await eventually { await fake.readsInFlight == 2 }, "the marked reader starts its own read")
        await gate.open()
        _ = await early.value
        _ = await late.value
        #expect(await fake.readCount(for: "shop/db") == 2)
    }

    @Test("a read older than the reader's maximum age is read again")
    func maximumAge() async throws {
        let fake = FakeProvider(data: [.init(key: "shop/db", value: "v1")])
        let time = ManualTime()
        let reader = CoalescingReader(fake, configuration: .init(ttl: .seconds(30)), now: time.now)
        _ = await reader.read([id], freshness: .any)
        await fake.setValue(.text("v2"), for: "shop/db")
        time.advance(by: .seconds(2))
        let threeSeconds = ReadFreshness(maxAge: .seconds(3))
        #expect(try await reader.read([id], freshness: threeSeconds)[id]?.get().value == .text("v1"), "2 s old: young enough")
        time.advance(by: .seconds(2))
        #expect(try await reader.read([id], freshness: threeSeconds)[id]?.get().value == .text("v2"), "4 s old: read again")
        #expect(await fake.readCount(for: "shop/db") == 2)
    }

    @Test("a cached failure answers marked readers until its TTL ends, so retries do not hammer the provider")
    func failuresAnswerEveryoneUntilTheyExpire() async throws {
        let fake = FakeProvider(data: [.init(key: "shop/db", value: "v1")])
        await fake.failNextReads(1, with: .transient(detail: "503"))
        let time = ManualTime()
        let reader = CoalescingReader(fake, configuration: .init(ttl: .seconds(30), failureTTL: .seconds(5)), now: time.now)
        _ = await reader.read([id], freshness: .any)
        for _ in 0..<5 {
            let retry = await reader.read([id], freshness: ReadFreshness(startedAfter: ReadMark.current))[id]
            #expect(throws: ProviderError.self) { try retry?.get() }
        }
        #expect(await fake.readCalls == 1)
        time.advance(by: .seconds(6))
        #expect(try await reader.read([id], freshness: ReadFreshness(startedAfter: ReadMark.current))[id]?.get().value == .text("v1"))
    }

    @Test("read-ahead skips only what meets each reader's freshness")
    func uncachedHonoursFreshness() async throws {
        let fake = FakeProvider(data: [.init(key: "shop/db", value: "v1"), .init(key: "shop/api", value: "a1")])
        let reader = CoalescingReader(fake, configuration: .init(ttl: .seconds(30)), now: ManualTime().now)
        let api = RemoteSecretID(key: "shop/api")
        _ = await reader.read([id, api], freshness: .any)
        let mark = ReadMark.current
        #expect(await reader.uncached([id, api]) == [])
        #expect(await reader.uncached([id, api], freshness: [api: ReadFreshness(startedAfter: mark)]) == [api])
        await reader.prefetch([id, api], freshness: [api: ReadFreshness(startedAfter: mark)])
        #expect(await eventually { await fake.readCount(for: "shop/api") == 2 })
        #expect(await fake.readCount(for: "shop/db") == 1)
    }
}
