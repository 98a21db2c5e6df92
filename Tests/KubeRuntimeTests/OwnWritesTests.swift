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

    @Test("an echo that outruns its write's answer is held as one, and nothing more is asked of the writer")
    func echoBeforeTheAnswer() async {
        let writes = OwnWrites()
        await writes.beginWrite(key)
        #expect(await writes.isEcho(key, resourceVersion: "42"), "held while the write is in flight")
        #expect(await !writes.endWrite(key, resourceVersion: "42"), "it was our own: nothing to look at")
        #expect(await writes.count == 0, "the echo already came: no record left waiting for it")
        #expect(await !writes.isEcho(key, resourceVersion: "43"), "a later event is someone else's")
    }

    @Test("another version seen while a write was in flight is handed back to the writer; so is any event around a failed write")
    func foreignChangeDuringAWrite() async {
        let writes = OwnWrites()
        await writes.beginWrite(key)
        #expect(await writes.isEcho(key, resourceVersion: "42"))
        #expect(await writes.isEcho(key, resourceVersion: "43"))
        #expect(await writes.endWrite(key, resourceVersion: "42"), "43 was not ours: the writer must look again")
        await writes.beginWrite(key)
        #expect(await writes.isEcho(key, resourceVersion: "50"))
        #expect(await writes.endWrite(key, resourceVersion: nil), "the write failed: what was seen is someone else's")
        await writes.beginWrite(key)
        #expect(await !writes.endWrite(key, resourceVersion: "60"), "no event yet: recorded as usual")
        #expect(await writes.isEcho(key, resourceVersion: "60"))
    }

    @Test("records stay within the capacity")
    func bounded() async {
        let writes = OwnWrites(capacity: 100)
        for index in 0..<1_000 { await writes.record(ObjectKey(namespace: "shop", name: "s-\(index)"), resourceVersion: "\(index)") }
        #expect(await writes.count <= 100)
        #expect(await writes.isEcho(ObjectKey(namespace: "shop", name: "s-999"), resourceVersion: "999"), "the newest are kept")
    }
}
