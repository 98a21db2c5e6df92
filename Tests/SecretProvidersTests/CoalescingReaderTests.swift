import FakeProvider
import FakeProviderTestSupport
import SecretProviders
import Testing

@Suite("CoalescingReader")
struct CoalescingReaderTests {
    let id = RemoteSecretID(key: "shop/db")

    @Test("100 readers of one key cause one provider read")
    func hundredReadersOneRead() async throws {
        let gate = Gate()
        let fake = FakeProvider(data: [.init(key: "shop/db", value: #"{"password":"pw"}"#, version: "1")], sleep: gate.sleep)
        await fake.setLatency(.milliseconds(50))
        let time = ManualTime()
        let reader = CoalescingReader(fake, now: time.now)
        let values = try await withThrowingTaskGroup(of: SecretValue.self) { group in
            for _ in 0..<100 {
                group.addTask {
                    try await reader.values(for: [RemoteRef(key: "shop/db", property: "password")]).values.first!.get()
                }
            }
            #expect(await eventually { await fake.readsInFlight == 1 })
            await gate.open()
            return try await group.reduce(into: [SecretValue]()) { $0.append($1) }
        }
        #expect(values.count == 100 && values.allSatisfy { $0 == .text("pw") })
        #expect(await fake.readCount(for: "shop/db") == 1)
        #expect(await reader.providerReadCalls == 1)
    }

    @Test("a cached result expires after the TTL and the next reader reads again")
    func expiry() async throws {
        let fake = FakeProvider(data: [.init(key: "shop/db", value: "v1")])
        let time = ManualTime()
        let reader = CoalescingReader(fake, configuration: .init(ttl: .seconds(30)), now: time.now)
        #expect(try await reader.read(id).value == .text("v1"))
        await fake.setValue(.text("v2"), for: "shop/db")
        time.advance(by: .seconds(29))
        #expect(try await reader.read(id).value == .text("v1"))
        #expect(await fake.readCount(for: "shop/db") == 1)
        time.advance(by: .seconds(2))
        let fresh = try await reader.read(id)
        #expect(fresh.value == .text("v2"))
        #expect(fresh.version == "2")
        #expect(await fake.readCount(for: "shop/db") == 2)
    }

    @Test("failures are shared and kept for the failure TTL only")
    func failuresCachedBriefly() async throws {
        let fake = FakeProvider(data: [.init(key: "shop/db", value: "v1")])
        await fake.failNextReads(1, with: .transient(detail: "503"))
        let time = ManualTime()
        let reader = CoalescingReader(fake, configuration: .init(ttl: .seconds(30), failureTTL: .seconds(5)), now: time.now)
        let first = try await reader.read([id])[id]
        #expect(throws: ProviderError.self) { try first?.get() }
        let second = try await reader.read([id])[id]
        #expect(throws: ProviderError.self) { try second?.get() }
        #expect(await fake.readCalls == 1)
        time.advance(by: .seconds(6))
        #expect(try await reader.read(id).value == .text("v1"))
        #expect(await fake.readCalls == 2)
    }

    @Test("invalidating a key makes the next read go to the provider")
    func invalidation() async throws {
        let fake = FakeProvider(data: [.init(key: "shop/db", value: "v1")])
        let reader = CoalescingReader(fake, now: ManualTime().now)
        _ = try await reader.read(id)
        await fake.setValue(.text("v2"), for: "shop/db")
        await reader.invalidate(key: "shop/db")
        #expect(try await reader.read(id).value == .text("v2"))
        #expect(await fake.readCount(for: "shop/db") == 2)
    }

    @Test("missing keys are read together in batches of the provider's size")
    func batching() async throws {
        let data = (0..<45).map { FakeProvider.Entry(key: "k\($0)", value: "v\($0)") }
        let fake = FakeProvider(data: data, maxBatchSize: 20)
        let reader = CoalescingReader(fake, now: ManualTime().now)
        let ids = (0..<45).map { RemoteSecretID(key: "k\($0)") } + [RemoteSecretID(key: "k0")]
        let results = try await reader.read(ids)
        #expect(results.count == 45)
        #expect(try results[RemoteSecretID(key: "k44")]?.get().value == .text("v44"))
        #expect(await fake.readCalls == 3)
        #expect(await reader.providerReadCalls == 3)
    }

    @Test("provider calls never exceed the store's concurrency cap")
    func concurrencyCap() async throws {
        let gate = Gate()
        let data = (0..<12).map { FakeProvider.Entry(key: "k\($0)", value: "v") }
        let fake = FakeProvider(data: data, maxBatchSize: 1, sleep: gate.sleep)
        await fake.setLatency(.seconds(1))
        let reader = CoalescingReader(fake, configuration: .init(maxConcurrentCalls: 3), now: ManualTime().now)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<12 {
                group.addTask { _ = try await reader.read(RemoteSecretID(key: "k\(index)")) }
            }
            #expect(await eventually { await reader.limiter.waiting == 9 })
            #expect(await fake.readsInFlight == 3)
            await gate.open()
            try await group.waitForAll()
        }
        #expect(await fake.peakReadsInFlight == 3)
        #expect(await fake.readCalls == 12)
    }

    @Test("the cache stays within its bound")
    func boundedCache() async throws {
        let data = (0..<50).map { FakeProvider.Entry(key: "k\($0)", value: "v") }
        let fake = FakeProvider(data: data)
        let time = ManualTime()
        let reader = CoalescingReader(fake, configuration: .init(maxEntries: 10), now: time.now)
        for index in 0..<50 {
            time.advance(by: .milliseconds(1))
            _ = try await reader.read(RemoteSecretID(key: "k\(index)"))
            #expect(await reader.cachedCount <= 10)
        }
        // The most recent read is still cached.
        _ = try await reader.read(RemoteSecretID(key: "k49"))
        #expect(await fake.readCount(for: "k49") == 1)
    }

    @Test("writes go through and drop the key from the cache")
    func writeThrough() async throws {
        let fake = FakeProvider(data: [.init(key: "shop/db", value: #"{"password":"old"}"#, version: "1")])
        let reader = CoalescingReader(fake, now: ManualTime().now)
        _ = try await reader.read(id)
        let version = try await reader.write(key: "shop/db", document: .text(#"{"password":"new"}"#), idempotencyToken: "r1", expectedVersion: "1")
        #expect(version == "2")
        let value = try await reader.values(for: [RemoteRef(key: "shop/db", property: "password")]).values.first?.get()
        #expect(value == .text("new"))
    }
}
