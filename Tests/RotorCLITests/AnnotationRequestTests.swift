import Foundation
import JSONCore
import RotorCLI
import Testing

@Suite("kubectl rotor sync and rotate: the annotation written")
struct AnnotationRequestTests {
    @Test("the value is the current Unix time, as $(date +%s) gives it")
    func unixTime() {
        #expect(AnnotationRequest.value(now: Fixtures.now.addingTimeInterval(0.7), previous: nil) == "1796644800")
        #expect(AnnotationRequest.value(now: Fixtures.now, previous: "1") == "1796644800")
        #expect(AnnotationRequest.value(now: Fixtures.now, previous: "not a number") == "1796644800")
    }

    @Test("a request in the same second as the last one (or after a clock behind it) still writes a new value")
    func alwaysNew() {
        #expect(AnnotationRequest.value(now: Fixtures.now, previous: "1796644800") == "1796644801")
        #expect(AnnotationRequest.value(now: Fixtures.now, previous: "1796644900") == "1796644901")
    }

    @Test("sync sets rotor.dev/force-sync and rotate sets rotor.dev/rotate, in a merge patch of the annotation alone")
    func patches() {
        let expected: JSONValue = .object(["metadata": .object(["annotations": .object(["rotor.dev/force-sync": .string("42")])])])
        #expect(AnnotationRequest.sync.patch(value: "42") == expected)
        #expect(AnnotationRequest.rotate.annotation == "rotor.dev/rotate")
    }

    @Test("the confirmation names the object as kubectl does")
    func confirmation() {
        #expect(AnnotationRequest.sync.confirmation(name: "db") == "externalsecret.rotor.dev/db sync requested")
        #expect(AnnotationRequest.rotate.confirmation(name: "db") == "externalsecret.rotor.dev/db rotation requested")
    }
}
