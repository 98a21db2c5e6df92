import SecretProviders
import Testing

/// Counts calls of an operation.
actor CallCounter {
    private(set) var count = 0
    func increment() -> Int {
        count += 1
        return count
    }
}

@Suite("SingleFlight")
struct SingleFlightTests {
    @Test("100 concurrent callers of one key share one call")
    func sharesOneCall() async throws {
        let flight = SingleFlight<String, Int>()
        let counter = CallCounter()
        let gate = Gate()
        let results = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<100 {
                group.addTask {
                    try await flight.run("login") {
                        let call = await counter.increment()
                        await gate.wait()
                        return call * 42
                    }
                }
            }
            #expect(await eventually { await flight.callers(for: "login") == 100 })
            await gate.open()
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 100)
        #expect(results.allSatisfy { $0 == 42 })
        #expect(await counter.count == 1)
        #expect(await flight.inFlightCount == 0)
    }

    @Test("an error is shared by everyone waiting, and the next call starts afresh")
    func sharesErrors() async throws {
        let flight = SingleFlight<String, Int>()
        let counter = CallCounter()
        let gate = Gate()
        let failures = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    do {
                        _ = try await flight.run("k") {
                            _ = await counter.increment()
                            await gate.wait()
                            throw ProviderError.permissionDenied(key: "k")
                        }
                        return false
                    } catch let error as ProviderError {
                        return error.class == .permissionDenied
                    } catch {
                        return false
                    }
                }
            }
            #expect(await eventually { await flight.callers(for: "k") == 20 })
            await gate.open()
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(failures == Array(repeating: true, count: 20))
        #expect(await counter.count == 1)
        let value = try await flight.run("k") { await counter.increment() }
        #expect(value == 2)
    }

    @Test("different keys run separately")
    func separateKeys() async throws {
        let flight = SingleFlight<Int, Int>()
        let counter = CallCounter()
        let values = try await withThrowingTaskGroup(of: Int.self) { group in
            for key in 0..<5 { group.addTask { try await flight.run(key) { _ = await counter.increment(); return key } } }
            return try await group.reduce(into: [Int]()) { $0.append($1) }.sorted()
        }
        #expect(values == [0, 1, 2, 3, 4])
        #expect(await counter.count == 5)
    }
}
