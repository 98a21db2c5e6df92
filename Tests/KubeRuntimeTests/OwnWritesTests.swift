import KubeRuntime
import Testing

@Suite("OwnWrites")
struct OwnWritesTests {
    let key = ObjectKey(namespace: "shop", name: "db")

    @Test("the event of a recorded write is an echo, once")
    func recordedVersionIsAnEchoOnce() async {
        let writes = OwnWrites()
        await writes.record(key, resourceVersion: "42")
        #expect(await writes.isEcho(key, resourceVersion: "42"))
        #expect(await !writes.isEcho(key, resourceVersion: "42"), "used up")
        #expect(await writes.count == 0)
    }

    @Test("another version of the object is never an echo, and the stale record goes with it")
    func otherVersionIsNotAnEcho() async {
        let writes = OwnWrites()
        // Our write's event came before we recorded it, so the next event is someone else's.
        await writes.record(key, resourceVersion: "42")
        #expect(await !writes.isEcho(key, resourceVersion: "43"))
        #expect(await writes.count == 0)
        #expect(await !writes.isEcho(ObjectKey(namespace: "shop", name: "other"), resourceVersion: "42"))
        await writes.record(key, resourceVersion: nil)
        #expect(await writes.count == 0, "a write without a version is not recorded")
    }

    @Test("records stay within the capacity")
    func bounded() async {
        let writes = OwnWrites(capacity: 100)
        for index in 0..<1_000 { await writes.record(ObjectKey(namespace: "shop", name: "s-\(index)"), resourceVersion: "\(index)") }
        #expect(await writes.count <= 100)
        #expect(await writes.isEcho(ObjectKey(namespace: "shop", name: "s-999"), resourceVersion: "999"), "the newest are kept")
    }
}
