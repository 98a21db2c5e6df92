import Foundation
import JSONCore
import Testing

@Suite("JSON parser")
struct JSONParserTests {
    @Test("parses every JSON type into the matching JSONValue case")
    func parsesAllTypes() throws {
        let value = try JSONValue(parsing: #" {"n": null, "t": true, "f": false, "i": -42, "d": 2.5, "s": "x", "a": [1, "two"], "o": {}} "#)
        #expect(value == ["n": nil, "t": true, "f": false, "i": -42, "d": 2.5, "s": "x", "a": [1, "two"], "o": [:]])
    }

    @Test("decodes every escape sequence")
    func decodesEscapes() throws {
        let value = try JSONValue(parsing: #""quote\" backslash\\ slash\/ \b\f\n\r\t \u0041\u00e9\u20ac""#)
        #expect(value == .string("quote\" backslash\\ slash/ \u{08}\u{0C}\n\r\t Aé€"))
    }

    @Test("joins a UTF-16 surrogate pair into one scalar")
    func joinsSurrogatePairs() throws {
        #expect(try JSONValue(parsing: #""\ud83d\udd11 key""#) == .string("🔑 key"))
        #expect(try JSONValue(parsing: #""\uD834\uDD1E""#) == .string("𝄞"))
    }

    @Test("keeps raw UTF-8 text as is")
    func keepsRawUTF8() throws {
        #expect(try JSONValue(parsing: #"{"名前": "Grüße 🔑"}"#) == ["名前": "Grüße 🔑"])
    }

    @Test("rejects unpaired or malformed surrogates", arguments: [
        #""\ud83d""#, #""\ud83d x""#, #""\udd11""#, #""\ud83d\u0041""#,
    ])
    func rejectsBadSurrogates(text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
    }

    @Test("reads integral numbers as int and others as double")
    func distinguishesIntegersFromDoubles() throws {
        #expect(try JSONValue(parsing: "0") == .int(0))
        #expect(try JSONValue(parsing: "-7") == .int(-7))
        #expect(try JSONValue(parsing: "9223372036854775807") == .int(Int64.max))
        #expect(try JSONValue(parsing: "-9223372036854775808") == .int(Int64.min))
        #expect(try JSONValue(parsing: "1.0") == .double(1.0))
        #expect(try JSONValue(parsing: "1e3") == .double(1000))
        #expect(try JSONValue(parsing: "-2.5E-3") == .double(-0.0025))
        // Beyond Int64: kept as a double rather than rejected.
        #expect(try JSONValue(parsing: "9223372036854775808") == .double(9_223_372_036_854_775_808))
    }

    @Test("rejects numbers JSON does not allow", arguments: ["01", "-", "1.", ".5", "1e", "+1", "0x10", "NaN", "Infinity"])
    func rejectsInvalidNumbers(text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
    }

    @Test("rejects data after the document", arguments: [#"{"a":1}x"#, "[1] [2]", "true false", "1 2", #""a" ,"#])
    func rejectsTrailingGarbage(text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
    }

    @Test("rejects an object with the same member twice")
    func rejectsDuplicateKeys() throws {
        let error = try #require(throws: JSONParseError.self) { try JSONValue(parsing: #"{"a": 1, "b": 2, "a": 3}"#) }
        #expect(error.reason == "duplicate member name")
    }

    @Test("rejects nesting deeper than 512 levels but accepts 512")
    func limitsNesting() throws {
        let deepest = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect(throws: Never.self) { try JSONValue(parsing: deepest) }
        let tooDeep = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        let error = try #require(throws: JSONParseError.self) { try JSONValue(parsing: tooDeep) }
        #expect(error.reason == "nesting too deep")
        let objects = String(repeating: #"{"a":"#, count: 600) + "1" + String(repeating: "}", count: 600)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: objects) }
    }

    @Test("rejects malformed documents", arguments: [
        "", " ", "{", "[1,]", "[1 2]", #"{"a" 1}"#, #"{"a":1,}"#, #"{a:1}"#, "'a'", #""unterminated"#,
        "\"tab\there\"", #""bad \x escape""#, "tru", "nul", "[", "]",
    ])
    func rejectsMalformedDocuments(text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
    }

    @Test("reports the byte offset of an error but never the text")
    func errorsCarryOffsetOnly() throws {
        let error = try #require(throws: JSONParseError.self) { try JSONValue(parsing: #"{"password": "hunter2" x}"#) }
        #expect(error.offset == 23)
        #expect(!error.description.contains("hunter2"))
    }

    @Test("parses what it serializes, for many generated values")
    func roundTripsGeneratedValues() throws {
        var generator = SeededGenerator(seed: 0x5EED)
        for _ in 0..<500 {
            let value = randomValue(depth: 0, using: &generator)
            let text = value.serializedString()
            let parsed = try JSONValue(parsing: text)
            #expect(parsed == value, "round trip changed \(text)")
            // The same text through the slower Codable path agrees on the string content.
            if case .string(let s) = value {
                let foundation = try JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed)
                #expect(foundation as? String == s)
            }
        }
    }
}

/// A random JSON value. Doubles are non-integral (integral ones are written as integers,
/// see the serializer tests) and strings mix ASCII controls, quotes, non-ASCII and
/// astral-plane scalars.
private func randomValue(depth: Int, using generator: inout SeededGenerator) -> JSONValue {
    let choice = depth >= 4 ? Int.random(in: 0..<5, using: &generator) : Int.random(in: 0..<7, using: &generator)
    switch choice {
    case 0: return .null
    case 1: return .bool(Bool.random(using: &generator))
    case 2:
        let extremes: [Int64] = [0, -1, Int64.max, Int64.min, 1 << 53, -(1 << 53) - 1]
        return Bool.random(using: &generator)
            ? .int(extremes.randomElement(using: &generator)!) : .int(Int64.random(in: Int64.min...Int64.max, using: &generator))
    case 3:
        while true {
            let d = Double(bitPattern: generator.next())
            if d.isFinite, d.rounded() != d || abs(d) >= 1e15 { return .double(d) }
        }
    case 4: return .string(randomString(using: &generator))
    case 5:
        return .array((0..<Int.random(in: 0..<5, using: &generator)).map { _ in randomValue(depth: depth + 1, using: &generator) })
    default:
        var members: JSONObject = [:]
        for _ in 0..<Int.random(in: 0..<5, using: &generator) {
            members[randomString(using: &generator)] = randomValue(depth: depth + 1, using: &generator)
        }
        return .object(members)
    }
}

private func randomString(using generator: inout SeededGenerator) -> String {
    var scalars = String.UnicodeScalarView()
    for _ in 0..<Int.random(in: 0..<12, using: &generator) {
        let code: UInt32
        switch Int.random(in: 0..<5, using: &generator) {
        case 0: code = UInt32.random(in: 0..<0x20, using: &generator)
        case 1: code = [0x22, 0x5C, 0x2F, 0x7F].randomElement(using: &generator)!
        case 2: code = UInt32.random(in: 0x20..<0x7F, using: &generator)
        case 3: code = UInt32.random(in: 0x80..<0xD800, using: &generator)
        default: code = UInt32.random(in: 0x10000...0x10FFFF, using: &generator)
        }
        scalars.append(Unicode.Scalar(code)!)
    }
    return String(scalars)
}
