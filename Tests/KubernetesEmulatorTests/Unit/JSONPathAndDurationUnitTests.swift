@testable import KubernetesEmulator
import JSONCore
import KubeAPI
import Testing

@Suite("Unit: printer-column JSONPath")
struct JSONPathUnitTests {
    private let widget = unitJSON(
        #"""
        {"metadata":{"name":"w","annotations":{"rotor.dev/x":"annotated","plain":"p"}},
         "spec":{"size":3,"tags":["a","b","c"],"sizes":{"b":2,"a":1}},
         "status":{"conditions":[
            {"type":"Progressing","status":"False","n":1},
            {"type":"Ready","status":"True","n":2}]}}
        """#)

    private func evaluate(_ expression: String) throws -> [JSONValue] {
        try SimpleJSONPath(expression).evaluate(widget)
    }

    @Test("a dotted path selects a nested member")
    func member() throws {
        #expect(try evaluate(".spec.size") == [3])
        #expect(try evaluate("{.spec.size}") == [3], "kubectl's braces are accepted")
        #expect(try evaluate("$.spec.size") == [3], "a leading $ is accepted")
        #expect(try evaluate("spec.size") == [3], "a path without the leading dot works too")
        #expect(try evaluate(".metadata.name") == ["w"])
    }

    @Test("a path to an absent member selects nothing")
    func absent() throws {
        #expect(try evaluate(".spec.missing").isEmpty)
        #expect(try evaluate(".spec.size.deeper").isEmpty)
        #expect(try evaluate(".spec.tags[7]").isEmpty)
    }

    @Test("[n] selects an array element, negative n counts from the end")
    func index() throws {
        #expect(try evaluate(".spec.tags[0]") == ["a"])
        #expect(try evaluate(".spec.tags[2]") == ["c"])
        #expect(try evaluate(".spec.tags[-1]") == ["c"])
        #expect(try evaluate(".status.conditions[1].type") == ["Ready"])
    }

    @Test("[*] selects every element of an array (and every value of a map, by key)")
    func wildcard() throws {
        #expect(try evaluate(".spec.tags[*]") == ["a", "b", "c"])
        #expect(try evaluate(".status.conditions[*].type") == ["Progressing", "Ready"])
        #expect(try evaluate(".spec.sizes[*]") == [1, 2])
    }

    @Test("a filter selects the condition of a type, as CRD Ready columns do")
    func filter() throws {
        #expect(try evaluate(#".status.conditions[?(@.type=="Ready")].status"#) == ["True"])
        #expect(try evaluate(".status.conditions[?(@.type=='Progressing')].status") == ["False"])
        #expect(try evaluate(#".status.conditions[?(@.type=="Missing")].status"#).isEmpty)
        #expect(try evaluate(".status.conditions[?(@.n==2)].type") == ["Ready"], "non-string values compare by their JSON text")
    }

    @Test("an escaped dot is part of a key; a quoted bracket key works too")
    func escapedDots() throws {
        #expect(try evaluate(#".metadata.annotations.rotor\.dev/x"#) == ["annotated"])
        #expect(try evaluate(".metadata.annotations['rotor.dev/x']") == ["annotated"])
        #expect(try evaluate(".metadata.annotations.rotor.dev/x").isEmpty, "without the escape, the dot separates keys")
    }

    @Test("an invalid JSONPath expression is refused", arguments: [".spec[0", ".spec[foo]", ".status.conditions[?(@.type)]", "[", ".a[?(type==1)]"])
    func invalid(expression: String) {
        #expect(throws: JSONPathError.self) { try SimpleJSONPath(expression) }
    }
}

@Suite("Unit: human-readable ages")
struct HumanDurationUnitTests {
    private static let minute = 60.0
    private static let hour = 3600.0
    private static let day = 86400.0
    private static let year = 365 * day

    /// apimachinery's `duration.HumanDuration` at and around each boundary.
    static let cases: [(Double, String)] = [
        (0, "0s"), (0.9, "0s"), (59, "59s"), (119, "119s"), (119.99, "119s"),
        (2 * minute, "2m"), (2 * minute + 1, "2m1s"), (5 * minute + 10, "5m10s"), (10 * minute - 1, "9m59s"),
        (10 * minute, "10m"), (10 * minute + 59, "10m"), (3 * hour - 1, "179m"),
        (3 * hour, "3h"), (3 * hour + 30 * minute, "3h30m"), (3 * hour + 59, "3h"), (8 * hour - 1, "7h59m"),
        (8 * hour, "8h"), (48 * hour - 1, "47h"),
        (48 * hour, "2d"), (2 * day + 5 * hour, "2d5h"), (8 * day - 1, "7d23h"),
        (8 * day, "8d"), (2 * year - 1, "729d"),
        (2 * year, "2y"), (2 * year + 120 * day, "2y120d"), (8 * year - 1, "7y364d"),
        (8 * year, "8y"), (10 * year + 200 * day, "10y"),
    ]

    @Test("ages are formatted like kubectl's at every unit boundary", arguments: cases)
    func boundaries(seconds: Double, expected: String) {
        #expect(HumanDuration.format(seconds) == expected)
    }

    @Test("a timestamp up to a second in the future is 0s, further in the future is <invalid>")
    func future() {
        #expect(HumanDuration.format(-0.5) == "0s")
        #expect(HumanDuration.format(-1.5) == "0s")
        #expect(HumanDuration.format(-2) == "<invalid>")
        #expect(HumanDuration.format(-3600) == "<invalid>")
    }
}
