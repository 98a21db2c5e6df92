import FakeProvider
import FakeProviderTestSupport
import SecretProviders
import Synchronization
import Testing

/// A body of `total` bytes in `chunk`-byte pieces that counts the bytes handed out.
struct CountingBody: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    let total: Int
    let chunk: Int
    let consumed: Counter

    final class Counter: Sendable {
        private let value = Mutex(0)
        var bytes: Int { value.withLock { $0 } }
        func add(_ n: Int) { value.withLock { $0 += n } }
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        var sent = 0
        let total: Int
        let chunk: Int
        let consumed: Counter

        mutating func next() async -> [UInt8]? {
            guard sent < total else { return nil }
            let size = Swift.min(chunk, total - sent)
            sent += size
            consumed.add(size)
            return [UInt8](repeating: UInt8(ascii: "x"), count: size)
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(total: total, chunk: chunk, consumed: consumed) }
}

@Suite("Bounded memory: answer caps and the global cache budget")
struct MemoryBoundsTests {
    @Test("a 20 MiB answer stops being read at the cap: at most the cap plus one chunk is consumed")
    func answerReadingStopsAtTheCap() async throws {
        let counter = CountingBody.Counter()
        let chunk = 64 << 10
        let body = CountingBody(total: 20 << 20, chunk: chunk, consumed: counter)
        await #expect(throws: ResponseTooLarge(limit: ResponseLimits.secretAnswerBytes)) {
            _ = try await ResponseLimits.collect(body, limit: ResponseLimits.secretAnswerBytes)
        }
        #expect(counter.bytes <= ResponseLimits.secretAnswerBytes + chunk)
        #expect(ResponseLimits.secretAnswerBytes >= 1 << 20, "a Secret's full 1 MiB still fits")
    }

    @Test("an answer declaring a Content-Length over the cap is refused before any byte is read")
    func declaredLengthOverCapIsNotRead() async throws {
        let counter = CountingBody.Counter()
        let body = CountingBody(total: 20 << 20, chunk: 64 << 10, consumed: counter)
        await #expect(throws: ResponseTooLarge.self) {
            _ = try await ResponseLimits.collect(body, limit: 1 << 20, declaredLength: 20 << 20)
        }
        #expect(counter.bytes == 0)
    }

    @Test("an answer within the cap is read whole")
    func answerWithinCapIsRead() async throws {
        let counter = CountingBody.Counter()
        let body = CountingBody(total: 1 << 20, chunk: 64 << 10, consumed: counter)
        let bytes = try await ResponseLimits.collect(body, limit: ResponseLimits.secretAnswerBytes)
        #expect(bytes.count == 1 << 20)
    }

    @Test("two stores share one cache budget: the least recently used entry of either store is evicted")
    func globalBudgetEvictsLeastRecentlyUsedAcrossStores() async throws {
        let value = String(repeating: "v", count: 10_000)
        let keys = (0..<4).map { "k\($0)" }
        let one = FakeProvider(data: keys.map { .init(key: $0, value: value) })
        let two = FakeProvider(data: keys.map { .init(key: $0, value: value) })
        // Room for about six 10 kB secrets over both stores.
        let budget = CacheBudget(.init(maxBytes: 6 * (10_000 + 600), maxEntries: 1_000))
        let time = ManualTime()
        let first = CoalescingReader(one, budget: budget, now: time.now)
        let second = CoalescingReader(two, budget: budget, now: time.now)
        for key in keys { _ = try await first.read(RemoteSecretID(key: key)) }
        // Use k0 of the first store again: it is now more recent than k1…k3.
        _ = try await first.read(RemoteSecretID(key: "k0"))
        #expect(await one.readCount(for: "k0") == 1, "served from the cache")
        for key in keys { _ = try await second.read(RemoteSecretID(key: key)) }
        #expect(budget.usage.bytes <= budget.limits.maxBytes)
        #expect(budget.usage.evictions > 0)
        #expect(await first.cachedCount + second.cachedCount <= 6)
        // The second store's reads pushed out the first store's least recently used entries, not k0.
        _ = try await first.read(RemoteSecretID(key: "k0"))
        #expect(await one.readCount(for: "k0") == 1, "the recently used entry survived")
        _ = try await first.read(RemoteSecretID(key: "k1"))
        #expect(await one.readCount(for: "k1") == 2, "the least recently used entry was evicted")
    }

    @Test("a store's reader going away gives its cached bytes back to the budget")
    func droppedReaderReleasesItsBudget() async throws {
        let budget = CacheBudget(.init(maxBytes: 1 << 20, maxEntries: 100))
        var reader: CoalescingReader? = CoalescingReader(FakeProvider(data: [.init(key: "k", value: "v")]), budget: budget)
        _ = try await reader?.read(RemoteSecretID(key: "k"))
        #expect(budget.usage.entries == 1)
        reader = nil
        #expect(await eventually { budget.usage.entries == 0 })
        #expect(budget.usage.bytes == 0)
    }
}
