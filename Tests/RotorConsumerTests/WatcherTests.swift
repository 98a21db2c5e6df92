import Foundation
import Testing
@testable import RotorConsumer

/// A sleeper that returns once per `tick()`, so tests drive polling without waiting.
struct ManualSleeper {
    let ticks: AsyncStream<Void>
    let continuation: AsyncStream<Void>.Continuation

    init() { (ticks, continuation) = AsyncStream.makeStream(of: Void.self) }

    var sleep: MountedSecretWatcher.Sleep {
        let ticks = ticks
        return { _ in
            var iterator = ticks.makeAsyncIterator()
            if await iterator.next() == nil { throw CancellationError() }
        }
    }

    func tick() { continuation.yield() }
}

/// A sleeper that fails the test if polling ever actually waits.
let neverSleeps: MountedSecretWatcher.Sleep = { _ in
    Issue.record("the watcher slept; tests drive checkForUpdate() directly")
    throw CancellationError()
}

@Suite("MountedSecretWatcher")
struct WatcherTests {
    @Test func atomicSwapDeliversExactlyOneUpdateWithTheNewValues() async throws {
        let dir = try MountedDirectoryFixture()
        try dir.publish(["password": "old"], version: "..2026_11_29_10_00_00.123")
        let watcher = try MountedSecretWatcher(directory: dir.url, sleep: neverSleeps)
        let updates = watcher.updates()

        #expect(!watcher.checkForUpdate())
        try dir.publish(["password": "new", "password_previous": "old"], version: "..2026_11_29_11_00_00.456")
        #expect(watcher.checkForUpdate())
        #expect(!watcher.checkForUpdate())
        watcher.finish()

        var received: [MountedSecret] = []
        for await snapshot in updates { received.append(snapshot) }
        #expect(received.count == 1)
        #expect(received.first?.version == "..2026_11_29_11_00_00.456")
        #expect(received.first?.current("password")?.revealString() == "new")
        #expect(received.first?.previous("password")?.revealString() == "old")
        #expect(watcher.snapshot.current("password")?.revealString() == "new")
    }

    @Test func runPollsOnEachInjectedTickAndFinishesUpdatesWhenCancelled() async throws {
        let dir = try MountedDirectoryFixture()
        try dir.publish(["token": "v1"], version: "..2026_11_29_10_00_00.000")
        let sleeper = ManualSleeper()
        let watcher = try MountedSecretWatcher(directory: dir.url, interval: .seconds(3600), sleep: sleeper.sleep)
        var updates = watcher.updates().makeAsyncIterator()
        let running = Task { await watcher.run() }

        try dir.publish(["token": "v2"], version: "..2026_11_29_10_01_00.000")
        sleeper.tick()
        let first = await updates.next()
        #expect(first?.current("token")?.revealString() == "v2")

        try dir.publish(["token": "v3"], version: "..2026_11_29_10_02_00.000")
        sleeper.tick()
        let second = await updates.next()
        #expect(second?.current("token")?.revealString() == "v3")

        running.cancel()
        await running.value
        #expect(await updates.next() == nil)
    }

    @Test func brokenOrPartialUpdateKeepsTheLastGoodSnapshot() async throws {
        let dir = try MountedDirectoryFixture()
        try dir.publish(["user": "app", "password": "good"], version: "..2026_11_29_10_00_00.000")
        let watcher = try MountedSecretWatcher(
            directory: dir.url, options: .init(requiredKeys: ["user", "password"]), sleep: neverSleeps)
        let updates = watcher.updates()

        // `..data` swapped to a version directory that does not exist.
        try dir.swapDataLink(to: "..2026_11_29_10_05_00.000")
        #expect(!watcher.checkForUpdate())
        #expect(watcher.lastError == .brokenDataLink(path: dir.url.path, target: "..2026_11_29_10_05_00.000"))
        #expect(watcher.snapshot.current("password")?.revealString() == "good")
        #expect(watcher.snapshot.version == "..2026_11_29_10_00_00.000")

        // A version that lacks a required key.
        try dir.publish(["user": "app"], version: "..2026_11_29_10_06_00.000")
        #expect(!watcher.checkForUpdate())
        #expect(watcher.lastError == .missingRequiredKeys(["password"]))
        #expect(watcher.verify(presented: "good", key: "password") == .current)

        // A complete version recovers.
        try dir.publish(["user": "app", "password": "better"], version: "..2026_11_29_10_07_00.000")
        #expect(watcher.checkForUpdate())
        #expect(watcher.lastError == nil)
        watcher.finish()

        var received: [String?] = []
        for await snapshot in updates { received.append(snapshot.current("password")?.revealString()) }
        #expect(received == ["better"])
    }

    @Test func plainDirectoryChangesAreDetectedByContent() async throws {
        let dir = try MountedDirectoryFixture()
        try dir.writePlain("token", "one\n")
        let watcher = try MountedSecretWatcher(directory: dir.url, sleep: neverSleeps)

        #expect(!watcher.checkForUpdate())
        try dir.writePlain("token", "two\n")
        #expect(watcher.checkForUpdate())
        #expect(watcher.snapshot.current("token")?.revealString() == "two")
    }

    @Test func updatesRequestedAfterFinishAreAlreadyFinished() async throws {
        let dir = try MountedDirectoryFixture()
        try dir.writePlain("token", "one")
        let watcher = try MountedSecretWatcher(directory: dir.url, sleep: neverSleeps)
        watcher.finish()
        var iterator = watcher.updates().makeAsyncIterator()
        #expect(await iterator.next() == nil)
    }
}
