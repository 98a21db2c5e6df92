import Foundation
import JSONCore
import Testing

@Suite("JSON serializer")
struct JSONSerializerTests {
    @Test("writes object members in sorted order, at every level")
    func sortsKeys() {
        let value: JSONValue = ["zeta": 1, "alpha": ["y": true, "b": nil], "Mid": []]
        #expect(value.serializedString() == #"{"Mid":[],"alpha":{"b":null,"y":true},"zeta":1}"#)
    }

    @Test("equal values serialize to equal bytes whatever the insertion order")
    func stableOutput() {
        var a: JSONObject = [:]
        var b: JSONObject = [:]
        for i in 0..<50 { a["k\(i)"] = .int(Int64(i)) }
        for i in (0..<50).reversed() { b["k\(i)"] = .int(Int64(i)) }
        #expect(JSONValue.object(a).serializedBytes() == JSONValue.object(b).serializedBytes())
    }

    @Test("escapes quotes, backslashes and control characters, and nothing else")
    func escapesStrings() {
        let value = JSONValue.string("a\"b\\c\nd\re\tf\u{01}g\u{1F}h/é🔑\u{7F}")
        #expect(value.serializedString() == #""a\"b\\c\nd\re\tf\u0001g\u001fh/é🔑"# + "\u{7F}\"")
    }

    @Test("writes an integral double as an integer, as Go does")
    func integralDoublesAsIntegers() {
        #expect(JSONValue.double(3.0).serializedString() == "3")
        #expect(JSONValue.double(-0.0).serializedString() == "0")
        #expect(JSONValue.double(2.5).serializedString() == "2.5")
        #expect(JSONValue.double(1e20).serializedString() == "1e+20")
    }

    @Test("writes a non-finite double as null, since JSON has no such number")
    func nonFiniteAsNull() {
        #expect(JSONValue.double(.nan).serializedString() == "null")
        #expect(JSONValue.double(.infinity).serializedString() == "null")
    }

    @Test("agrees with the KubeJSON encoder on the value it writes")
    func agreesWithEncoder() throws {
        let value: JSONValue = ["s": "x/y\n", "i": 7, "d": 0.25, "a": [true, nil], "o": ["k": "v"]]
        let viaEncoder = try JSONValue(parsing: KubeJSON.encoder.encode(value))
        #expect(viaEncoder == value)
        #expect(try value.decode(as: JSONValue.self) == value)
    }
}
