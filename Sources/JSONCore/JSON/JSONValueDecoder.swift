import Foundation

/// Decodes `Decodable` types straight from a parsed ``JSONValue``, with the conventions of
/// `KubeJSON.decoder` (Foundation's `JSONDecoder` with default strategies): `Data` from base64
/// text, `Date` as Foundation's reference-date seconds, integers from any integral number.
///
/// Why not `JSONDecoder`: objects arrive already parsed (watch events, API answers), and going
/// through `JSONDecoder` meant writing them back to text and scanning that text again. Members
/// of type `JSONValue` (unknown fields, free-form specs) are handed over as they are.
public struct JSONValueDecoder: Sendable {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try JSONValueDecoding(value: value, codingPath: []).unbox(value, as: T.self, path: [])
    }
}

/// One position in the tree being decoded.
private struct JSONValueDecoding: Decoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else {
            throw mismatch([String: JSONValue].self, value, path: codingPath)
        }
        return KeyedDecodingContainer(KeyedContainer<Key>(members: members, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let items) = value else { throw mismatch([JSONValue].self, value, path: codingPath) }
        return UnkeyedContainer(items: items, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleValue(value: value, codingPath: codingPath) }

    /// Decodes `value` as `T`, with the special cases `JSONDecoder` makes by default.
    func unbox<T: Decodable>(_ value: JSONValue, as type: T.Type, path: [any CodingKey]) throws -> T {
        if T.self == JSONValue.self { return value as! T }
        if T.self == [String: JSONValue].self, case .object(let members) = value { return members as! T }
        if T.self == Data.self {
            guard case .string(let text) = value else { throw mismatch(String.self, value, path: path) }
            guard let data = Data(base64Encoded: text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "Encountered Data is not valid Base64."))
            }
            return data as! T
        }
        if T.self == URL.self {
            guard case .string(let text) = value else { throw mismatch(String.self, value, path: path) }
            guard let url = URL(string: text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "Invalid URL string."))
            }
            return url as! T
        }
        return try T(from: JSONValueDecoding(value: value, codingPath: path))
    }
}

private func mismatch(_ expected: Any.Type, _ found: JSONValue, path: [any CodingKey]) -> DecodingError {
    if found.isNull {
        return .valueNotFound(expected, .init(codingPath: path, debugDescription: "Cannot get \(expected) -- found null value instead"))
    }
    return .typeMismatch(expected, .init(codingPath: path, debugDescription: "Expected to decode \(expected) but found \(found.typeDescription) instead."))
}

// MARK: Scalars, shared by the three containers

private func decodeBool(_ value: JSONValue, path: [any CodingKey]) throws -> Bool {
    guard case .bool(let b) = value else { throw mismatch(Bool.self, value, path: path) }
    return b
}

private func decodeString(_ value: JSONValue, path: [any CodingKey]) throws -> String {
    guard case .string(let s) = value else { throw mismatch(String.self, value, path: path) }
    return s
}

private func decodeFloatingPoint<F: BinaryFloatingPoint>(_ value: JSONValue, as type: F.Type, path: [any CodingKey]) throws -> F {
    switch value {
    case .int(let i): return F(i)
    case .double(let d):
        let f = F(d)
        if f.isInfinite && d.isFinite {
            throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "The number does not fit in \(F.self)."))
        }
        return f
    default: throw mismatch(F.self, value, path: path)
    }
}

private func decodeInteger<I: FixedWidthInteger>(_ value: JSONValue, as type: I.Type, path: [any CodingKey]) throws -> I {
    let converted: I?
    switch value {
    case .int(let i): converted = I(exactly: i)
    case .double(let d): converted = I(exactly: d)
    default: throw mismatch(I.self, value, path: path)
    }
    guard let converted else {
        // The number itself is left out: what was being decoded is not known here.
        throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "The number is not representable as \(I.self)."))
    }
    return converted
}

private struct SingleValue: SingleValueDecodingContainer {
    let value: JSONValue
    let codingPath: [any CodingKey]

    func decodeNil() -> Bool { value.isNull }
    func decode(_ type: Bool.Type) throws -> Bool { try decodeBool(value, path: codingPath) }
    func decode(_ type: String.Type) throws -> String { try decodeString(value, path: codingPath) }
    func decode(_ type: Double.Type) throws -> Double { try decodeFloatingPoint(value, as: type, path: codingPath) }
    func decode(_ type: Float.Type) throws -> Float { try decodeFloatingPoint(value, as: type, path: codingPath) }
    func decode(_ type: Int.Type) throws -> Int { try decodeInteger(value, as: type, path: codingPath) }
    func decode(_ type: Int8.Type) throws -> Int8 { try decodeInteger(value, as: type, path: codingPath) }
    func decode(_ type: Int16.Type) throws -> Int16 { try decodeInteger(value, as: type, path: codingPath) }
    func decode(_ type: Int32.Type) throws -> Int32 { try decodeInteger(value, as: type, path: codingPath) }
    func decode(_ type: Int64.Type) throws -> Int64 { try decodeInteger(value, as: type, path: codingPath) }
    func decode(_ type: UInt.Type) throws -> UInt { try decodeInteger(value, as: type, path: codingPath) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try decodeInteger(value, as: type, path: codingPath) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try decodeInteger(value, as: type, path: codingPath) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try decodeInteger(value, as: type, path: codingPath) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decodeInteger(value, as: type, path: codingPath) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONValueDecoding(value: value, codingPath: codingPath).unbox(value, as: T.self, path: codingPath)
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [String: JSONValue]
    let codingPath: [any CodingKey]

    var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }
    func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

    private func member(_ key: Key) throws -> JSONValue {
        guard let value = members[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "No value associated with key \(key.stringValue)."))
        }
        return value
    }

    private func path(_ key: Key) -> [any CodingKey] { codingPath + [key] }

    func decodeNil(forKey key: Key) throws -> Bool { try member(key).isNull }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decodeBool(member(key), path: path(key)) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decodeString(member(key), path: path(key)) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decodeFloatingPoint(member(key), as: type, path: path(key)) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try decodeFloatingPoint(member(key), as: type, path: path(key)) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decodeInteger(member(key), as: type, path: path(key)) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decodeInteger(member(key), as: type, path: path(key)) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decodeInteger(member(key), as: type, path: path(key)) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decodeInteger(member(key), as: type, path: path(key)) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decodeInteger(member(key), as: type, path: path(key)) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decodeInteger(member(key), as: type, path: path(key)) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decodeInteger(member(key), as: type, path: path(key)) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decodeInteger(member(key), as: type, path: path(key)) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decodeInteger(member(key), as: type, path: path(key)) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decodeInteger(member(key), as: type, path: path(key)) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let value = try member(key)
        return try JSONValueDecoding(value: value, codingPath: codingPath).unbox(value, as: T.self, path: path(key))
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try JSONValueDecoding(value: member(key), codingPath: path(key)).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try JSONValueDecoding(value: member(key), codingPath: path(key)).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        JSONValueDecoding(value: members["super"] ?? .null, codingPath: codingPath + [AnyCodingKey("super")])
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        JSONValueDecoding(value: members[key.stringValue] ?? .null, codingPath: path(key))
    }
}

private struct UnkeyedContainer: UnkeyedDecodingContainer {
    let items: [JSONValue]
    let codingPath: [any CodingKey]
    private(set) var currentIndex = 0

    init(items: [JSONValue], codingPath: [any CodingKey]) {
        self.items = items
        self.codingPath = codingPath
    }

    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    private var indexPath: [any CodingKey] { codingPath + [JSONIndexKey(currentIndex)] }

    /// The next item, without moving on.
    private func peek(_ type: Any.Type) throws -> JSONValue {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, .init(codingPath: indexPath, debugDescription: "Unkeyed container is at end."))
        }
        return items[currentIndex]
    }

    private mutating func next<T>(_ decode: (JSONValue, [any CodingKey]) throws -> T) throws -> T {
        let value = try decode(try peek(T.self), indexPath)
        currentIndex += 1
        return value
    }

    mutating func decodeNil() throws -> Bool {
        guard try peek(Never.self).isNull else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try next(decodeBool) }
    mutating func decode(_ type: String.Type) throws -> String { try next(decodeString) }
    mutating func decode(_ type: Double.Type) throws -> Double { try next { try decodeFloatingPoint($0, as: type, path: $1) } }
    mutating func decode(_ type: Float.Type) throws -> Float { try next { try decodeFloatingPoint($0, as: type, path: $1) } }
    mutating func decode(_ type: Int.Type) throws -> Int { try next { try decodeInteger($0, as: type, path: $1) } }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try next { try decodeInteger($0, as: type, path: $1) } }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try next { try decodeInteger($0, as: type, path: $1) } }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try next { try decodeInteger($0, as: type, path: $1) } }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try next { try decodeInteger($0, as: type, path: $1) } }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try next { try decodeInteger($0, as: type, path: $1) } }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next { try decodeInteger($0, as: type, path: $1) } }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next { try decodeInteger($0, as: type, path: $1) } }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next { try decodeInteger($0, as: type, path: $1) } }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next { try decodeInteger($0, as: type, path: $1) } }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try next { value, path in try JSONValueDecoding(value: value, codingPath: path).unbox(value, as: T.self, path: path) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next { value, path in try JSONValueDecoding(value: value, codingPath: path).container(keyedBy: type) }
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try next { value, path in try JSONValueDecoding(value: value, codingPath: path).unkeyedContainer() }
    }

    mutating func superDecoder() throws -> any Decoder {
        try next { value, path in JSONValueDecoding(value: value, codingPath: path) }
    }
}

extension JSONValue {
    /// How a decoding error names what it found.
    var typeDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .int, .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "a dictionary"
        }
    }
}

/// The coding key of an array element: `Index N`, with `intValue` N (as Foundation's coders name it).
struct JSONIndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "Index \(intValue ?? 0)" }
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { return nil }
    init?(intValue: Int) { self.intValue = intValue }
}
