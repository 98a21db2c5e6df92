import Foundation

/// Encodes `Encodable` types straight into a ``JSONValue``, with the conventions of
/// `KubeJSON.encoder` (Foundation's `JSONEncoder` with default strategies): `Data` as base64
/// text, `Date` as Foundation's reference-date seconds, non-finite numbers refused. An
/// integral floating-point number becomes `.int`, as the text `JSONEncoder` writes for it
/// (`5`, not `5.0`) parses back.
///
/// Why not `JSONEncoder`: every request body was encoded to text, parsed into a `JSONValue`
/// (the client adds `apiVersion`/`kind` and the body is written once, sorted) and only then
/// written; building the value directly skips the text round trip.
public struct JSONValueEncoder: Sendable {
    public init() {}

    public func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        try JSONValueEncoding.box(value, path: [])
    }
}

/// A value under construction: containers hand out references so that nested containers
/// and several keyed containers at one level write into the same object. Finished members
/// are stored as values; only containers are nodes.
private final class Node {
    enum Slot {
        case value(JSONValue)
        case node(Node)

        var finished: JSONValue {
            switch self {
            case .value(let value): value
            case .node(let node): node.finished
            }
        }
    }

    enum Content {
        case value(JSONValue)
        case object([String: Slot])
        case array([Slot])
    }

    var content: Content {
        didSet { touched = true }
    }
    /// Whether the value asked for a container or wrote anything (one that did neither is
    /// `{}` when nested, and refused at the top, as with JSONEncoder).
    private(set) var touched = false

    init(_ content: Content) { self.content = content }

    var finished: JSONValue {
        switch content {
        case .value(let value): return value
        case .object(let members): return .object(members.mapValues(\.finished))
        case .array(let items): return .array(items.map(\.finished))
        }
    }

    /// The slot for this node in its parent: its value when it holds no container.
    var slot: Slot {
        if case .value(let value) = content { return .value(value) }
        return .node(self)
    }

    /// Makes an untouched node an empty object (a keyed container was asked for).
    func makeObject() {
        if case .object = content { return }
        content = .object([:])
    }

    func setMember(_ name: String, _ slot: Slot) {
        guard case .object(var members) = content else {
            content = .object([name: slot])
            return
        }
        content = .value(.null)  // drop the reference so the dictionary is mutated in place
        members[name] = slot
        content = .object(members)
    }

    func append(_ slot: Slot) {
        guard case .array(var items) = content else {
            content = .array([slot])
            return
        }
        content = .value(.null)
        items.append(slot)
        content = .array(items)
    }
}

private struct JSONValueEncoding: Encoder {
    let node: Node
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.makeObject()
        return KeyedEncodingContainer(KeyedContainer<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array = node.content {} else { node.content = .array([]) }
        return UnkeyedContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleValue(node: node, codingPath: codingPath) }

    /// The JSON form of `value`, with the special cases `JSONEncoder` makes by default.
    static func box<T: Encodable>(_ value: T, path: [any CodingKey]) throws -> JSONValue {
        if T.self == JSONValue.self || T.self == Data.self || T.self == URL.self { return try slot(value, path: path).finished }
        let node = Node(.value(.null))
        try value.encode(to: JSONValueEncoding(node: node, codingPath: path))
        guard node.touched else {
            throw EncodingError.invalidValue(value, .init(codingPath: path, debugDescription: "Top-level \(T.self) did not encode any values."))
        }
        return node.finished
    }

    static func slot<T: Encodable>(_ value: T, path: [any CodingKey]) throws -> Node.Slot {
        if T.self == JSONValue.self { return .value(value as! JSONValue) }
        if T.self == Data.self { return .value(.string((value as! Data).base64EncodedString())) }
        if T.self == URL.self { return .value(.string((value as! URL).absoluteString)) }
        let node = Node(.value(.null))
        try value.encode(to: JSONValueEncoding(node: node, codingPath: path))
        return node.touched ? node.slot : .value(.object([:]))
    }
}

private func number<F: BinaryFloatingPoint>(_ value: F, path: [any CodingKey]) throws -> JSONValue {
    guard value.isFinite else {
        throw EncodingError.invalidValue(value, .init(codingPath: path, debugDescription: "Unable to encode \(F.self).\(value) directly in JSON."))
    }
    let d = Double(value)
    if d.rounded() == d, abs(d) < 1e15 { return .int(Int64(d)) }
    return .double(d)
}

private func integer<I: BinaryInteger>(_ value: I, path: [any CodingKey]) throws -> JSONValue {
    if let i = Int64(exactly: value) { return .int(i) }
    // Beyond Int64 (a UInt64 near its top): a number all the same, as JSONEncoder writes it.
    return .double(Double(value))
}

private struct SingleValue: SingleValueEncodingContainer {
    let node: Node
    let codingPath: [any CodingKey]

    private func set(_ value: JSONValue) { node.content = .value(value) }

    func encodeNil() { set(.null) }
    func encode(_ value: Bool) { set(.bool(value)) }
    func encode(_ value: String) { set(.string(value)) }
    func encode(_ value: Double) throws { set(try number(value, path: codingPath)) }
    func encode(_ value: Float) throws { set(try number(value, path: codingPath)) }
    func encode(_ value: Int) { set(.int(Int64(value))) }
    func encode(_ value: Int8) { set(.int(Int64(value))) }
    func encode(_ value: Int16) { set(.int(Int64(value))) }
    func encode(_ value: Int32) { set(.int(Int64(value))) }
    func encode(_ value: Int64) { set(.int(Int64(value))) }
    func encode(_ value: UInt) throws { set(try integer(value, path: codingPath)) }
    func encode(_ value: UInt8) { set(.int(Int64(value))) }
    func encode(_ value: UInt16) { set(.int(Int64(value))) }
    func encode(_ value: UInt32) { set(.int(Int64(value))) }
    func encode(_ value: UInt64) throws { set(try integer(value, path: codingPath)) }
    func encode<T: Encodable>(_ value: T) throws {
        switch try JSONValueEncoding.slot(value, path: codingPath) {
        case .value(let json): node.content = .value(json)
        case .node(let child): node.content = child.content
        }
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: Node
    let codingPath: [any CodingKey]

    private func set(_ value: JSONValue, _ key: Key) { node.setMember(key.stringValue, .value(value)) }
    private func path(_ key: Key) -> [any CodingKey] { codingPath + [key] }

    mutating func encodeNil(forKey key: Key) { set(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) { set(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) { set(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { set(try number(value, path: path(key)), key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { set(try number(value, path: path(key)), key) }
    mutating func encode(_ value: Int, forKey key: Key) { set(.int(Int64(value)), key) }
    mutating func encode(_ value: Int8, forKey key: Key) { set(.int(Int64(value)), key) }
    mutating func encode(_ value: Int16, forKey key: Key) { set(.int(Int64(value)), key) }
    mutating func encode(_ value: Int32, forKey key: Key) { set(.int(Int64(value)), key) }
    mutating func encode(_ value: Int64, forKey key: Key) { set(.int(Int64(value)), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { set(try integer(value, path: path(key)), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) { set(.int(Int64(value)), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) { set(.int(Int64(value)), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) { set(.int(Int64(value)), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { set(try integer(value, path: path(key)), key) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        node.setMember(key.stringValue, try JSONValueEncoding.slot(value, path: path(key)))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let child = Node(.object([:]))
        node.setMember(key.stringValue, .node(child))
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(node: child, codingPath: path(key)))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = Node(.array([]))
        node.setMember(key.stringValue, .node(child))
        return UnkeyedContainer(node: child, codingPath: path(key))
    }

    mutating func superEncoder() -> any Encoder {
        let child = Node(.value(.null))
        node.setMember("super", .node(child))
        return JSONValueEncoding(node: child, codingPath: codingPath + [AnyCodingKey("super")])
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        let child = Node(.value(.null))
        node.setMember(key.stringValue, .node(child))
        return JSONValueEncoding(node: child, codingPath: path(key))
    }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let node: Node
    let codingPath: [any CodingKey]

    var count: Int {
        if case .array(let items) = node.content { return items.count }
        return 0
    }

    private func add(_ value: JSONValue) { node.append(.value(value)) }
    private var nextPath: [any CodingKey] { codingPath + [JSONIndexKey(count)] }

    mutating func encodeNil() { add(.null) }
    mutating func encode(_ value: Bool) { add(.bool(value)) }
    mutating func encode(_ value: String) { add(.string(value)) }
    mutating func encode(_ value: Double) throws { add(try number(value, path: nextPath)) }
    mutating func encode(_ value: Float) throws { add(try number(value, path: nextPath)) }
    mutating func encode(_ value: Int) { add(.int(Int64(value))) }
    mutating func encode(_ value: Int8) { add(.int(Int64(value))) }
    mutating func encode(_ value: Int16) { add(.int(Int64(value))) }
    mutating func encode(_ value: Int32) { add(.int(Int64(value))) }
    mutating func encode(_ value: Int64) { add(.int(Int64(value))) }
    mutating func encode(_ value: UInt) throws { add(try integer(value, path: nextPath)) }
    mutating func encode(_ value: UInt8) { add(.int(Int64(value))) }
    mutating func encode(_ value: UInt16) { add(.int(Int64(value))) }
    mutating func encode(_ value: UInt32) { add(.int(Int64(value))) }
    mutating func encode(_ value: UInt64) throws { add(try integer(value, path: nextPath)) }
    mutating func encode<T: Encodable>(_ value: T) throws { node.append(try JSONValueEncoding.slot(value, path: nextPath)) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let child = Node(.object([:]))
        let path = nextPath
        node.append(.node(child))
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(node: child, codingPath: path))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let child = Node(.array([]))
        let path = nextPath
        node.append(.node(child))
        return UnkeyedContainer(node: child, codingPath: path)
    }

    mutating func superEncoder() -> any Encoder {
        let child = Node(.value(.null))
        let path = nextPath
        node.append(.node(child))
        return JSONValueEncoding(node: child, codingPath: path)
    }
}
