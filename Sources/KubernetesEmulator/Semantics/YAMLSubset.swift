import Foundation
import JSONCore

/// The YAML that clients send kube-apiserver (`application/yaml` bodies, apply
/// configurations), read as `sigs.k8s.io/yaml` converts it to JSON: JSON itself, and
/// block mappings and sequences of plain, single- and double-quoted scalars, with
/// comments and a leading `---`, and flow collections (``YAMLFlowParser``). Plain scalars resolve as YAML 1.1 does in go-yaml v2
/// (`true`, `yes`, `on`… are booleans; `~` and `null` are null; numbers are numbers).
/// Anchors, aliases, tags, block scalars (`|`, `>`), multi-line plain scalars and several
/// documents are refused, naming the line: the
/// emulator reads this subset, not all of YAML. Work is linear in the text (nesting is
/// bounded).
enum YAMLSubset {
    struct Failure: Error {
        var line: Int
        var reason: String
        var message: String { "yaml: line \(line): \(reason)" }
    }

    static let maximumDepth = 100

    static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        if let json = try? JSONValue(parsing: bytes) { return json }
        let text = String(decoding: bytes, as: UTF8.self)
        let body = text.drop { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" }
        if body.first == "{" || body.first == "[" {
            let firstLine = text[..<body.startIndex].filter { $0 == "\n" }.count + 1
            return try YAMLFlowParser.parse(body, firstLine: firstLine)
        }
        var lines: [Line] = []
        var sawDocument = false
        for (number, raw) in String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var text = Substring(raw)
            if text.hasSuffix("\r") { text = text.dropLast() }
            let content = try stripComment(text, line: number + 1)
            if content.allSatisfy({ $0 == " " }) { continue }
            if content == "---" || content.hasPrefix("--- ") {
                if sawDocument || !lines.isEmpty { throw Failure(line: number + 1, reason: "only one document is read here") }
                sawDocument = true
                continue
            }
            if content == "..." { break }
            if content.contains("\t") && content.prefix(while: { $0 == " " || $0 == "\t" }).contains("\t") {
                throw Failure(line: number + 1, reason: "found character that cannot start any token")
            }
            let indent = content.prefix { $0 == " " }.count
            lines.append(Line(number: number + 1, indent: indent, text: content.dropFirst(indent)))
        }
        guard !lines.isEmpty else { return .null }
        var parser = Parser(lines: lines)
        let value = try parser.block(indent: lines[0].indent, depth: 0)
        if parser.index < lines.count { throw Failure(line: lines[parser.index].number, reason: "did not find expected key") }
        return value
    }

    struct Line {
        var number: Int
        var indent: Int
        var text: Substring
    }

    /// The line without a comment (`#` at the start or after a space, outside quotes).
    static func stripComment(_ text: Substring, line: Int) throws -> Substring {
        var quote: Character?
        var previous: Character = " "
        for index in text.indices {
            let c = text[index]
            if let open = quote {
                if c == open { quote = nil }
            } else if c == "\"" || c == "'" {
                // A quote opens a quoted scalar only where a scalar starts.
                if previous == " " || previous == ":" || previous == "-" || previous == "[" || previous == "{" || previous == "," { quote = c }
            } else if c == "#" && previous == " " {
                return trimmingTrailingSpaces(text[..<index])
            }
            previous = c
        }
        return trimmingTrailingSpaces(text)
    }

    static func trimmingTrailingSpaces(_ text: Substring) -> Substring {
        var end = text.endIndex
        while end > text.startIndex && text[text.index(before: end)] == " " { end = text.index(before: end) }
        return text[..<end]
    }

    private struct Parser {
        var lines: [Line]
        var index = 0

        /// The node whose first line is the current one, at `indent`.
        mutating func block(indent: Int, depth: Int) throws -> JSONValue {
            guard depth < YAMLSubset.maximumDepth else { throw Failure(line: lines[index].number, reason: "exceeded max depth") }
            let first = lines[index]
            if first.text == "-" || first.text.hasPrefix("- ") { return try sequence(indent: indent, depth: depth) }
            return try mapping(indent: indent, depth: depth)
        }

        mutating func sequence(indent: Int, depth: Int) throws -> JSONValue {
            var items: [JSONValue] = []
            while index < lines.count, lines[index].indent == indent, lines[index].text == "-" || lines[index].text.hasPrefix("- ") {
                let line = lines[index]
                let rest = line.text.dropFirst(1).drop { $0 == " " }
                if rest.isEmpty {
                    index += 1
                    items.append(try nested(under: indent, depth: depth, allowSequenceAtSameIndent: false))
                } else {
                    // `- key: value` starts a mapping indented past the dash.
                    let inner = line.indent + (line.text.count - rest.count)
                    if mappingKey(rest) != nil || rest == "-" || rest.hasPrefix("- ") {
                        // The rest of the line is read as if it started a line of its own.
                        lines[index] = Line(number: line.number, indent: inner, text: rest)
                        items.append(try block(indent: inner, depth: depth + 1))
                    } else {
                        items.append(try scalar(rest, line: line.number))
                        index += 1
                    }
                }
            }
            return .array(items)
        }

        mutating func mapping(indent: Int, depth: Int) throws -> JSONValue {
            var object: JSONObject = [:]
            while index < lines.count, lines[index].indent == indent {
                let line = lines[index]
                guard let (key, rest) = mappingKey(line.text) else {
                    throw Failure(line: line.number, reason: "could not find expected ':'")
                }
                let name = try keyText(key, line: line.number)
                index += 1
                // A repeated key keeps its last value, as the conversion to JSON does.
                object[name] = rest.isEmpty
                    ? try nested(under: indent, depth: depth, allowSequenceAtSameIndent: true)
                    : try scalar(rest, line: line.number)
            }
            if index < lines.count, lines[index].indent > indent {
                throw Failure(line: lines[index].number, reason: "mapping values are not allowed in this context")
            }
            return .object(object)
        }

        /// The value on the lines after a `key:` or `-` alone: a deeper block, a sequence
        /// at the key's own indentation, or null.
        mutating func nested(under indent: Int, depth: Int, allowSequenceAtSameIndent: Bool) throws -> JSONValue {
            guard index < lines.count else { return .null }
            let next = lines[index]
            if next.indent > indent { return try block(indent: next.indent, depth: depth + 1) }
            if allowSequenceAtSameIndent, next.indent == indent, next.text == "-" || next.text.hasPrefix("- ") {
                return try sequence(indent: indent, depth: depth + 1)
            }
            return .null
        }

        /// `key: rest` (or `key:` at the end of the line): the colon followed by a space
        /// or the end, outside quotes.
        func mappingKey(_ text: Substring) -> (Substring, Substring)? {
            var quote: Character?
            if let first = text.first, first == "\"" || first == "'" { quote = first }
            var index = quote == nil ? text.startIndex : text.index(after: text.startIndex)
            while index < text.endIndex {
                let c = text[index]
                if let open = quote {
                    if c == open { quote = nil }
                } else if c == ":" {
                    let after = text.index(after: index)
                    if after == text.endIndex || text[after] == " " {
                        return (text[..<index], text[after...].drop { $0 == " " })
                    }
                } else if index == text.startIndex && (c == "{" || c == "[") {
                    return nil
                }
                index = text.index(after: index)
            }
            return nil
        }

        func keyText(_ key: Substring, line: Int) throws -> String {
            let trimmed = key.trimmingSpaces
            switch try scalar(Substring(trimmed), line: line) {
            case .string(let s): return s
            case .null: return "null"
            case let other: return other.serializedString()
            }
        }

        func scalar(_ text: Substring, line: Int) throws -> JSONValue {
            guard let first = text.first else { return .null }
            switch first {
            case "\"":
                // A double-quoted scalar on one line reads as a JSON string for the escapes this subset accepts.
                guard text.count >= 2, text.last == "\"", let value = try? JSONValue(parsing: Array(text.utf8)) else {
                    throw Failure(line: line, reason: "found unexpected end of stream")
                }
                return value
            case "'":
                guard text.count >= 2, text.last == "'" else { throw Failure(line: line, reason: "found unexpected end of stream") }
                return .string(text.dropFirst().dropLast().replacingOccurrences(of: "''", with: "'"))
            case "{", "[":
                return try YAMLFlowParser.parse(text, firstLine: line)
            case "&", "*", "!", "|", ">", "%", "@", "`":
                throw Failure(line: line, reason: "found character that cannot start any token")
            default:
                return YAMLSubset.resolve(String(text))
            }
        }
    }

    static let nulls: Set<String> = ["~", "null", "Null", "NULL"]
    static let trues: Set<String> = ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"]
    static let falses: Set<String> = ["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"]

    /// A plain scalar as go-yaml v2 resolves it.
    static func resolve(_ text: String) -> JSONValue {
        if nulls.contains(text) { return .null }
        if trues.contains(text) { return .bool(true) }
        if falses.contains(text) { return .bool(false) }
        let digits = text.replacingOccurrences(of: "_", with: "")
        if let value = Int64(digits), digits.first != "+" || digits.count > 1 { return .int(value) }
        if digits.hasPrefix("0x"), let value = Int64(digits.dropFirst(2), radix: 16) { return .int(value) }
        let isFloat = digits.range(of: #"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$"#, options: .regularExpression) != nil
        if isFloat, let value = Double(digits) { return .double(value) }
        return .string(text)
    }
}

/// Flow collections (`{a: 1, b: [x, y]}`) of plain and quoted scalars, across lines, with
/// go-yaml's wording when one is not closed (`did not find expected ',' or ']'`, naming
/// the line the collection starts on).
struct YAMLFlowParser {
    private let bytes: [UInt8]
    private var index = 0
    private var line = 1

    init(_ text: Substring) { bytes = Array(text.utf8) }

    static func parse(_ text: Substring, firstLine: Int) throws -> JSONValue {
        var parser = YAMLFlowParser(text)
        parser.line = firstLine
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.index == parser.bytes.count else {
            throw YAMLSubset.Failure(line: parser.line, reason: "did not find expected <document start>")
        }
        return value
    }

    private mutating func skipSpace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
            if bytes[index] == 0x0A { line += 1 }
            index += 1
        }
    }

    private mutating func value(depth: Int) throws -> JSONValue {
        guard depth < YAMLSubset.maximumDepth else { throw YAMLSubset.Failure(line: line, reason: "exceeded max depth") }
        skipSpace()
        guard index < bytes.count else { return .null }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try collection(closing: UInt8(ascii: "}"), depth: depth)
        case UInt8(ascii: "["): return try collection(closing: UInt8(ascii: "]"), depth: depth)
        default: return try scalar()
        }
    }

    private mutating func collection(closing: UInt8, depth: Int) throws -> JSONValue {
        let startLine = line
        let isMapping = closing == UInt8(ascii: "}")
        let missing = YAMLSubset.Failure(line: startLine, reason: "did not find expected ',' or '\(Character(UnicodeScalar(closing)))'")
        index += 1
        var items: [JSONValue] = []
        var object: JSONObject = [:]
        while true {
            skipSpace()
            guard index < bytes.count else { throw missing }
            if bytes[index] == closing {
                index += 1
                return isMapping ? .object(object) : .array(items)
            }
            let item = try value(depth: depth + 1)
            skipSpace()
            if isMapping {
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw missing }
                index += 1
                let member = try value(depth: depth + 1)
                let key: String
                switch item {
                case .string(let s): key = s
                case .null: key = "null"
                default: key = item.serializedString()
                }
                object[key] = member
                skipSpace()
            } else {
                items.append(item)
            }
            guard index < bytes.count else { throw missing }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] != closing {
                throw missing
            }
        }
    }

    private mutating func scalar() throws -> JSONValue {
        let quote = bytes[index]
        if quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") {
            let start = index
            index += 1
            while index < bytes.count {
                if bytes[index] == UInt8(ascii: "\\") && quote == UInt8(ascii: "\"") {
                    index += 2
                    continue
                }
                if bytes[index] == quote {
                    if quote == UInt8(ascii: "'"), index + 1 < bytes.count, bytes[index + 1] == quote {
                        index += 2
                        continue
                    }
                    index += 1
                    let text = Substring(String(decoding: bytes[start..<index], as: UTF8.self))
                    if quote == UInt8(ascii: "'") {
                        return .string(text.dropFirst().dropLast().replacingOccurrences(of: "''", with: "'"))
                    }
                    guard let value = try? JSONValue(parsing: Array(text.utf8)) else {
                        throw YAMLSubset.Failure(line: line, reason: "found unknown escape character while parsing a quoted scalar")
                    }
                    return value
                }
                if bytes[index] == 0x0A { line += 1 }
                index += 1
            }
            throw YAMLSubset.Failure(line: line, reason: "found unexpected end of stream")
        }
        let start = index
        while index < bytes.count {
            let c = bytes[index]
            if c == UInt8(ascii: ",") || c == UInt8(ascii: "[") || c == UInt8(ascii: "]") || c == UInt8(ascii: "{") || c == UInt8(ascii: "}")
                || c == 0x0A || c == 0x0D
            {
                break
            }
            if c == UInt8(ascii: ":"), index + 1 >= bytes.count || [0x20, 0x0A, 0x0D, UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}")].contains(bytes[index + 1]) {
                break
            }
            index += 1
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self).trimmingSpaces
        return YAMLSubset.resolve(text)
    }
}
