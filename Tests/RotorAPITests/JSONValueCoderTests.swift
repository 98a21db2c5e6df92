import Foundation
import JSONCore
import Testing

/// The direct coders the client uses must read and write exactly what Foundation's
/// `JSONDecoder`/`JSONEncoder` (the `KubeJSON` coders) would, errors included.
@Suite("JSONValueDecoder and JSONValueEncoder agree with Foundation's coders")
struct JSONValueCoderTests {
    struct Sample: Codable, Equatable {
        var name: String
        var count: Int32
        var ratio: Double
        var whole: Double
        var big: UInt64
        var flag: Bool?
        var blob: Data
        var when: Date
        var tags: [String]
        var nested: [String: [Int]]
        var free: JSONValue
        var missing: String?
    }

    static let sample = Sample(
        name: "a \"quoted\" name", count: -7, ratio: 0.25, whole: 5, big: 42, flag: nil,
        blob: Data([0, 1, 2, 250]), when: Date(timeIntervalSinceReferenceDate: 12.5), tags: ["x", "y"],
        nested: ["a": [1, 2], "b": []], free: ["k": [1, "two", nil, true]], missing: nil)

    /// Where a coding error points, as `codingPath` names it.
    static func location(_ error: any Error) -> String {
        let context: [any CodingKey]
        switch error {
        case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c), DecodingError.dataCorrupted(let c): context = c.codingPath
        case DecodingError.keyNotFound(let key, let c): context = c.codingPath + [key]
        case EncodingError.invalidValue(_, let c): context = c.codingPath
        default: return "not a coding error: \(error)"
        }
        return context.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }

    static func kind(_ error: any Error) -> String {
        switch error {
        case DecodingError.typeMismatch: "typeMismatch"
        case DecodingError.valueNotFound: "valueNotFound"
        case DecodingError.keyNotFound: "keyNotFound"
        case DecodingError.dataCorrupted: "dataCorrupted"
        case EncodingError.invalidValue: "invalidValue"
        default: "other"
        }
    }

    @Test("a value encodes to the JSON Foundation writes and decodes back to itself")
    func encodesAndDecodesLikeFoundation() throws {
        let direct = try JSONValueEncoder().encode(Self.sample)
        let viaText = try JSONValue(parsing: KubeJSON.encoder.encode(Self.sample))
        #expect(direct == viaText)
        #expect(direct["whole"] == .int(5), "an integral Double is written as an integer, as JSONEncoder writes 5")
        #expect(direct["blob"] == .string("AAEC+g=="))
        #expect(direct["missing"] == nil && direct["flag"] == nil, "nil optionals are left out")
        #expect(try JSONValueDecoder().decode(Sample.self, from: direct) == Self.sample)
        #expect(try KubeJSON.decoder.decode(Sample.self, from: Data(direct.serializedBytes())) == Self.sample)
    }

    @Test("integers are read from integral numbers of any spelling; null reads as absent for optionals")
    func lenientWhereFoundationIs() throws {
        let text = #"{"name":"n","count":1e2,"ratio":3,"whole":2.0,"big":5,"flag":null,"blob":"","when":0,"tags":[],"nested":{},"free":null,"missing":null}"#
        let foundation = try KubeJSON.decoder.decode(Sample.self, from: Data(text.utf8))
        let direct = try JSONValueDecoder().decode(Sample.self, from: try JSONValue(parsing: text))
        #expect(direct == foundation)
        #expect(direct.count == 100 && direct.flag == nil && direct.missing == nil && direct.free == .null)
    }

    /// Documents that fail to decode, and the member each error must name. Foundation names
    /// the same member except for numbers it cannot represent, where its path stops at the
    /// object; ours names the member there too.
    static let malformed: [(text: String, location: String)] = [
        (#"{"name":5}"#, ".name"),  // a number for a String
        (#"{"name":"n","count":2147483648}"#, ".count"),  // beyond Int32
        (#"{"name":"n","count":1.5}"#, ".count"),  // not integral
        (#"{"name":"n","count":1,"ratio":1,"whole":1,"big":1,"blob":"%%%","when":0,"tags":[],"nested":{},"free":1}"#, ".blob"),
        (#"{"name":"n","count":1,"ratio":1,"whole":1,"big":1,"blob":"","when":0,"tags":["a",3],"nested":{},"free":1}"#, ".tags[1]"),
        (#"{"name":"n","count":1,"ratio":1,"whole":1,"big":1,"blob":"","when":0,"tags":[],"nested":{"a":[1,"x"]},"free":1}"#, ".nested.a[1]"),
        (#"{"name":null}"#, ".name"),  // null for a required member
        (#"{"count":1}"#, ".name"),  // a required member missing
        (#"[]"#, ""),  // not an object at all
    ]

    @Test("errors have Foundation's kind and name the member", arguments: malformed.indices)
    func errorsMatchFoundation(_ index: Int) throws {
        let (text, location) = Self.malformed[index]
        let foundation = #expect(throws: (any Error).self) { try KubeJSON.decoder.decode(Sample.self, from: Data(text.utf8)) }
        let direct = #expect(throws: (any Error).self) { try JSONValueDecoder().decode(Sample.self, from: try JSONValue(parsing: text)) }
        guard let foundation, let direct else { return }
        #expect(Self.kind(direct) == Self.kind(foundation))
        #expect(Self.location(direct) == location)
        if Self.kind(foundation) != "dataCorrupted" || text.contains("%%%") {
            #expect(Self.location(foundation) == location)
        }
    }

    @Test("a non-finite number is refused naming the member, as JSONEncoder refuses it")
    func nonFiniteNumbersAreRefused() throws {
        var sample = Self.sample
        sample.ratio = .infinity
        let foundation = #expect(throws: EncodingError.self) { try KubeJSON.encoder.encode(sample) }
        let direct = #expect(throws: EncodingError.self) { try JSONValueEncoder().encode(sample) }
        #expect(direct.map(Self.location) == ".ratio")
        #expect(foundation.map(Self.location) == direct.map(Self.location))
    }

    @Test("types writing several keyed containers at one level, or none, end up as Foundation's")
    func sharedAndEmptyContainers() throws {
        struct Split: Encodable {
            func encode(to encoder: any Encoder) throws {
                var first = encoder.container(keyedBy: AnyCodingKey.self)
                try first.encode("1", forKey: AnyCodingKey("a"))
                var second = encoder.container(keyedBy: AnyCodingKey.self)
                try second.encode("2", forKey: AnyCodingKey("b"))
                var nested = second.nestedUnkeyedContainer(forKey: AnyCodingKey("list"))
                try nested.encode(1)
                var inner = nested.nestedContainer(keyedBy: AnyCodingKey.self)
                try inner.encode(true, forKey: AnyCodingKey("deep"))
                _ = second.nestedContainer(keyedBy: AnyCodingKey.self, forKey: AnyCodingKey("empty"))
            }
        }
        let direct = try JSONValueEncoder().encode(Split())
        #expect(direct == (try JSONValue(parsing: KubeJSON.encoder.encode(Split()))))
        #expect(direct == ["a": "1", "b": "2", "list": [1, ["deep": true]], "empty": [:]])
    }

    @Test("a value that encodes nothing is {} when nested and refused at the top; a URL is its string both ways")
    func emptyValuesAndURLs() throws {
        struct Nothing: Codable, Equatable {
            init() {}
            init(from decoder: any Decoder) throws {}
            func encode(to encoder: any Encoder) throws {}
        }
        struct Holder: Codable, Equatable {
            var nothing = Nothing()
            var link = URL(string: "https://vault.example:8200/v1/secret")!
        }
        let direct = try JSONValueEncoder().encode(Holder())
        #expect(direct == (try JSONValue(parsing: KubeJSON.encoder.encode(Holder()))))
        #expect(direct == ["nothing": [:], "link": "https://vault.example:8200/v1/secret"])
        #expect(try JSONValueDecoder().decode(Holder.self, from: direct) == Holder())
        #expect(throws: EncodingError.self) { try KubeJSON.encoder.encode(Nothing()) }
        #expect(throws: EncodingError.self) { try JSONValueEncoder().encode(Nothing()) }
    }
}
