/// A small JSON reader that keeps non-string values as their exact source text.
///
/// Property selection must hand back nested objects, arrays, numbers and booleans
/// as JSON text (`{"port": 5432}` → `5432`), the way ESO users expect; keeping the
/// original bytes avoids re-encoding numbers or reordering keys. It never puts any
/// input bytes into an error.
struct JSONScanner {
    /// A JSON document that could not be read. Says nothing about its content.
    struct SyntaxError: Error {}

    /// The value of a member or element: decoded bytes for a string, source text otherwise.
    enum Value {
        case string([UInt8])
        case object(ArraySlice<UInt8>)
        case array(ArraySlice<UInt8>)
        case scalar(ArraySlice<UInt8>)

        /// What a property selection yields for this value.
        var selectedBytes: [UInt8] {
            switch self {
            case .string(let bytes): bytes
            case .object(let text), .array(let text), .scalar(let text): Array(text)
            }
        }
    }

    private static let maximumDepth = 256

    private let bytes: ArraySlice<UInt8>
    private var index: Int
    private var depth = 0

    private init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.index = bytes.startIndex
    }

    // MARK: Entry points

    /// The members of a JSON object document, in order (a repeated name keeps its last value),
    /// or `nil` when the document is valid JSON but not an object.
    static func objectMembers(_ document: some Collection<UInt8>) throws(SyntaxError) -> [(name: String, value: Value)]? {
        var scanner = JSONScanner(ArraySlice(document))
        scanner.skipWhitespace()
        guard scanner.peek() == UInt8(ascii: "{") else {
            _ = try scanner.parseValue()
            try scanner.expectEnd()
            return nil
        }
        let members = try scanner.parseObjectMembers()
        try scanner.expectEnd()
        return members
    }

    /// The elements of a JSON array document, or `nil` when it is valid JSON but not an array.
    static func arrayElements(_ document: some Collection<UInt8>) throws(SyntaxError) -> [Value]? {
        var scanner = JSONScanner(ArraySlice(document))
        scanner.skipWhitespace()
        guard scanner.peek() == UInt8(ascii: "[") else {
            _ = try scanner.parseValue()
            try scanner.expectEnd()
            return nil
        }
        let elements = try scanner.parseArrayElements()
        try scanner.expectEnd()
        return elements
    }

    /// `string` as a JSON string literal, quotes included.
    static func quoted(_ string: some Collection<UInt8>) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        out.reserveCapacity(string.count + 2)
        let hex = Array("0123456789abcdef".utf8)
        for byte in string {
            switch byte {
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0A: out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0x00..<0x20:
                out += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0x0f)]]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
        return out
    }

    // MARK: Grammar

    private func peek() -> UInt8? { index < bytes.endIndex ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    private mutating func expect(_ byte: UInt8) throws(SyntaxError) {
        guard peek() == byte else { throw SyntaxError() }
        index += 1
    }

    private mutating func expectEnd() throws(SyntaxError) {
        skipWhitespace()
        guard index == bytes.endIndex else { throw SyntaxError() }
    }

    private mutating func parseValue() throws(SyntaxError) -> Value {
        skipWhitespace()
        let start = index
        switch peek() {
        case UInt8(ascii: "{"):
            _ = try parseObjectMembers()
            return .object(bytes[start..<index])
        case UInt8(ascii: "["):
            _ = try parseArrayElements()
            return .array(bytes[start..<index])
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
        case UInt8(ascii: "f"):
            try expectLiteral("false")
        case UInt8(ascii: "n"):
            try expectLiteral("null")
        case .some(let byte) where byte == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte):
            try skipNumber()
        default:
            throw SyntaxError()
        }
        return .scalar(bytes[start..<index])
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(SyntaxError) {
        let text = literal.withUTF8Buffer { Array($0) }
        guard bytes.endIndex - index >= text.count, bytes[index..<(index + text.count)].elementsEqual(text) else {
            throw SyntaxError()
        }
        index += text.count
    }

    private mutating func skipDigits() -> Int {
        let start = index
        while let byte = peek(), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { index += 1 }
        return index - start
    }

    private mutating func skipNumber() throws(SyntaxError) {
        if peek() == UInt8(ascii: "-") { index += 1 }
        if peek() == UInt8(ascii: "0") {
            index += 1
        } else if skipDigits() == 0 {
            throw SyntaxError()
        }
        if peek() == UInt8(ascii: ".") {
            index += 1
            guard skipDigits() > 0 else { throw SyntaxError() }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            index += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            guard skipDigits() > 0 else { throw SyntaxError() }
        }
    }

    private mutating func enter() throws(SyntaxError) {
        depth += 1
        guard depth <= Self.maximumDepth else { throw SyntaxError() }
    }

    private mutating func parseObjectMembers() throws(SyntaxError) -> [(name: String, value: Value)] {
        try enter()
        defer { depth -= 1 }
        try expect(UInt8(ascii: "{"))
        var members: [(name: String, value: Value)] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            return members
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw SyntaxError() }
            guard let name = String(validating: try parseString(), as: UTF8.self) else { throw SyntaxError() }
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            let value = try parseValue()
            if let existing = members.firstIndex(where: { $0.name == name }) {
                members[existing].value = value
            } else {
                members.append((name, value))
            }
            skipWhitespace()
            if peek() == UInt8(ascii: ",") {
                index += 1
                continue
            }
            try expect(UInt8(ascii: "}"))
            return members
        }
    }

    private mutating func parseArrayElements() throws(SyntaxError) -> [Value] {
        try enter()
        defer { depth -= 1 }
        try expect(UInt8(ascii: "["))
        var elements: [Value] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            index += 1
            return elements
        }
        while true {
            elements.append(try parseValue())
            skipWhitespace()
            if peek() == UInt8(ascii: ",") {
                index += 1
                continue
            }
            try expect(UInt8(ascii: "]"))
            return elements
        }
    }

    /// Decodes a string literal into UTF-8 bytes (escapes resolved, surrogate pairs joined).
    private mutating func parseString() throws(SyntaxError) -> [UInt8] {
        try expect(UInt8(ascii: "\""))
        var out: [UInt8] = []
        while true {
            guard let byte = peek() else { throw SyntaxError() }
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return out
            case UInt8(ascii: "\\"):
                guard let escape = peek() else { throw SyntaxError() }
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = UInt32(try parseHex4())
                    if (0xD800..<0xDC00).contains(scalar) {
                        // A high surrogate must be followed by an escaped low surrogate.
                        try expect(UInt8(ascii: "\\"))
                        try expect(UInt8(ascii: "u"))
                        let low = UInt32(try parseHex4())
                        guard (0xDC00..<0xE000).contains(low) else { throw SyntaxError() }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00..<0xE000).contains(scalar) {
                        throw SyntaxError()
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw SyntaxError() }
                    out.append(contentsOf: Array(String(Character(unicode)).utf8))
                default:
                    throw SyntaxError()
                }
            case 0x00..<0x20:
                throw SyntaxError()
            default:
                out.append(byte)
            }
        }
    }

    private mutating func parseHex4() throws(SyntaxError) -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            guard let byte = peek() else { throw SyntaxError() }
            index += 1
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw SyntaxError()
            }
            value = value << 4 | UInt16(digit)
        }
        return value
    }
}
