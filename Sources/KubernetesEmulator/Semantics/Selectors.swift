import JSONCore

/// A parsed `labelSelector` query parameter, with the operators kube-apiserver
/// accepts: `=`, `==`, `!=`, `in`, `notin`, existence (`key`) and absence (`!key`).
struct LabelSelectorQuery: Sendable {
    enum Requirement: Sendable {
        case equals(String, String)
        case notEquals(String, String)
        case isIn(String, Set<String>)
        case notIn(String, Set<String>)
        case exists(String)
        case doesNotExist(String)
    }

    var requirements: [Requirement]

    var isEmpty: Bool { requirements.isEmpty }

    /// Parses the selector syntax; throws a 400 naming the problem on bad input.
    init(parsing text: String) throws {
        var requirements: [Requirement] = []
        var scanner = SelectorScanner(text)
        scanner.skipSpaces()
        while !scanner.atEnd {
            if scanner.consume("!") {
                let key = try scanner.key()
                requirements.append(.doesNotExist(key))
            } else {
                let key = try scanner.key()
                scanner.skipSpaces()
                if scanner.consume("==") || scanner.consume("=") {
                    requirements.append(.equals(key, try scanner.value()))
                } else if scanner.consume("!=") {
                    requirements.append(.notEquals(key, try scanner.value()))
                } else if scanner.consumeWord("notin") {
                    requirements.append(.notIn(key, try scanner.valueSet()))
                } else if scanner.consumeWord("in") {
                    requirements.append(.isIn(key, try scanner.valueSet()))
                } else if scanner.atEnd || scanner.peek == "," {
                    requirements.append(.exists(key))
                } else {
                    throw APIError.badRequest("unable to parse requirement: found '\(scanner.rest)', expected: '=', '!=', '==', 'in', notin'")
                }
            }
            scanner.skipSpaces()
            if scanner.atEnd { break }
            guard scanner.consume(",") else {
                throw APIError.badRequest("unable to parse requirement: found '\(scanner.rest)', expected: ','")
            }
            scanner.skipSpaces()
            if scanner.atEnd {
                // kube-apiserver: "found '', expected: identifier after ','".
                throw APIError.badRequest("unable to parse requirement: found '', expected: identifier after ','")
            }
        }
        self.requirements = requirements
    }

    func matches(_ labels: [String: JSONValue]) -> Bool {
        requirements.allSatisfy { requirement in
            switch requirement {
            case .equals(let k, let v): return labels[k]?.stringValue == v
            case .notEquals(let k, let v): return labels[k]?.stringValue != v
            case .isIn(let k, let vs): return labels[k]?.stringValue.map(vs.contains) ?? false
            case .notIn(let k, let vs): return !(labels[k]?.stringValue.map(vs.contains) ?? false)
            case .exists(let k): return labels[k] != nil
            case .doesNotExist(let k): return labels[k] == nil
            }
        }
    }

    func matches(object: JSONObject) -> Bool {
        if requirements.isEmpty { return true }
        return matches(object.value(at: ["metadata", "labels"])?.objectValue ?? [:])
    }
}

private struct SelectorScanner {
    let chars: [Character]
    var index = 0

    init(_ text: String) { chars = Array(text) }

    var atEnd: Bool { index >= chars.count }
    var peek: Character? { atEnd ? nil : chars[index] }
    var rest: String { String(chars[index...]) }

    mutating func skipSpaces() { while let c = peek, c == " " { index += 1 } }

    mutating func consume(_ token: String) -> Bool {
        let t = Array(token)
        guard index + t.count <= chars.count, Array(chars[index..<(index + t.count)]) == t else { return false }
        index += t.count
        return true
    }

    mutating func consumeWord(_ word: String) -> Bool {
        let save = index
        guard consume(word) else { return false }
        if let c = peek, c != " ", c != "(" {
            index = save
            return false
        }
        return true
    }

    static func isTokenChar(_ c: Character) -> Bool {
        c.isLetter || c.isNumber || c == "-" || c == "_" || c == "." || c == "/"
    }

    mutating func key() throws -> String {
        skipSpaces()
        let start = index
        while let c = peek, Self.isTokenChar(c) { index += 1 }
        guard index > start else { throw APIError.badRequest("unable to parse requirement: found '\(rest)', expected: identifier") }
        return String(chars[start..<index])
    }

    mutating func value() throws -> String {
        skipSpaces()
        let start = index
        while let c = peek, Self.isTokenChar(c) { index += 1 }
        return String(chars[start..<index])
    }

    mutating func valueSet() throws -> Set<String> {
        skipSpaces()
        guard consume("(") else { throw APIError.badRequest("unable to parse requirement: found '\(rest)', expected: '('") }
        var values: Set<String> = []
        while true {
            let v = try value()
            values.insert(v)
            skipSpaces()
            if consume(")") { break }
            guard consume(",") else { throw APIError.badRequest("unable to parse requirement: found '\(rest)', expected: ',', ')'") }
        }
        return values
    }
}

/// A parsed `fieldSelector` query parameter: `field=value`, `field==value` and
/// `field!=value` terms, on the fields a resource supports.
struct FieldSelectorQuery: Sendable {
    struct Term: Sendable {
        var path: [String]
        var field: String
        var value: String
        var negated: Bool
    }

    var terms: [Term]

    var isEmpty: Bool { terms.isEmpty }

    /// Parses and checks every field against those the resource supports, as the
    /// API server does ("field label not supported").
    init(parsing text: String, resource: ResourceDescriptor) throws {
        var terms: [Term] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: true) {
            let raw = String(part).trimmingSpaces
            var field: Substring
            var value: Substring
            var negated = false
            if let r = raw.range(of: "!=") {
                field = raw[..<r.lowerBound]
                value = raw[r.upperBound...]
                negated = true
            } else if let r = raw.range(of: "==") {
                field = raw[..<r.lowerBound]
                value = raw[r.upperBound...]
            } else if let r = raw.range(of: "=") {
                field = raw[..<r.lowerBound]
                value = raw[r.upperBound...]
            } else {
                throw APIError.badRequest("invalid selector: '\(raw)'; can't understand '\(raw)'")
            }
            let name = String(field).trimmingSpaces
            let path: [String]
            switch name {
            case "metadata.name": path = ["metadata", "name"]
            case "metadata.namespace": path = ["metadata", "namespace"]
            default:
                guard let p = resource.extraFieldSelectors[name] else {
                    throw APIError.badRequest("field label not supported: \(name)")
                }
                path = p
            }
            terms.append(Term(path: path, field: name, value: String(value).trimmingSpaces, negated: negated))
        }
        self.terms = terms
    }

    func matches(object: JSONObject) -> Bool {
        terms.allSatisfy { term in
            let actual = object.value(at: term.path)
            let text: String
            switch actual {
            case .string(let s): text = s
            case .bool(let b): text = b ? "true" : "false"
            case .int(let i): text = String(i)
            case nil, .null?: text = ""
            default: text = actual!.serializedString()
            }
            return (text == term.value) != term.negated
        }
    }

    /// The single `metadata.name=X` this selector pins, if any (used to answer fast).
    var pinnedName: String? {
        terms.first { $0.field == "metadata.name" && !$0.negated }?.value
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}

extension Substring {
    var trimmingSpaces: String { String(self).trimmingSpaces }
}
