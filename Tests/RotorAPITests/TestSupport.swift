import Foundation
import JSONCore
import Testing

/// The result of decoding a JSON text as a type and encoding the value again.
struct RoundTrip<Value> {
    var value: Value
    var original: JSONValue
    var reencoded: JSONValue
}

/// Decodes `json` as `type` with the Kubernetes coders and encodes it back. On the way it
/// checks that the direct coders (`JSONValueDecoder`/`JSONValueEncoder`, what the client uses)
/// agree with Foundation's (`KubeJSON.decoder`/`encoder`) on this document.
func roundTrip<Value: Codable & Equatable>(
    _ type: Value.Type, _ json: String, sourceLocation: SourceLocation = #_sourceLocation
) throws -> RoundTrip<Value> {
    let value = try KubeJSON.decoder.decode(Value.self, from: Data(json.utf8))
    let original = try JSONValue(parsing: json)
    #expect(try JSONValueDecoder().decode(Value.self, from: original) == value, "direct decoding differs", sourceLocation: sourceLocation)
    let reencoded = try JSONValue(encoding: value)
    let viaText = try JSONValue(parsing: KubeJSON.encoder.encode(value))
    #expect(reencoded == viaText, "direct encoding differs", sourceLocation: sourceLocation)
    return RoundTrip(value: value, original: original, reencoded: reencoded)
}

/// `value` with every object member whose value is `null` removed, recursively. The API
/// server reads an absent optional field and a `null` one the same way, and typed fields
/// given as `null` are written back absent.
func withoutNulls(_ value: JSONValue) -> JSONValue {
    switch value {
    case .object(let members):
        return .object(members.filter { !$0.value.isNull }.mapValues(withoutNulls))
    case .array(let elements):
        return .array(elements.map(withoutNulls))
    default:
        return value
    }
}

/// A small deterministic generator (SplitMix64) so that property-style tests are reproducible.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
