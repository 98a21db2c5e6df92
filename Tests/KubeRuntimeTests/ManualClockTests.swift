import Foundation
import KubeRuntime
import Testing

@Suite("ManualClock")
struct ManualClockTests {
    @Test("a sleeper wakes only once time is advanced past its deadline")
    func sleeperWakesOnAdvance() async throws {
        let clock = ManualClock()
        let woke = Task { try await clock.sleep(for: .seconds(10)); return clock.now() }
        while clock.sleeperCount == 0 { await Task.yield() }
        clock.advance(by: .seconds(9))
        #expect(clock.sleeperCount == 1)
        clock.advance(by: .seconds(1))
        let at = try await woke.value
        #expect(at.timeIntervalSince1970 == 1_800_000_010)
    }

    @Test("cancelling a sleeper ends its sleep with CancellationError")
    func cancelledSleeperThrows() async throws {
        let clock = ManualClock()
        let sleeper = Task { try await clock.sleep(for: .seconds(10)) }
        while clock.sleeperCount == 0 { await Task.yield() }
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
        #expect(clock.sleeperCount == 0)
    }
}
