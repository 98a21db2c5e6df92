/// The label selector syntax as apimachinery's `labels.Parse` reads it: a lexer that cuts
/// the text into identifiers and operator symbols, then a recursive descent over the
/// tokens. Its errors are worded as kube-apiserver's (`unable to parse requirement: found
/// '', expected: ',' or ')'`), which name the token found, not the rest of the text.
/// Work is linear in the text's length.
struct LabelSelectorParser {
    struct SyntaxError: Error {
        var message: String
    }

    enum Token: Equatable {
        case endOfString, closedPar, comma, doesNotExist, doubleEquals, equals, greaterThan
        case identifier, inKeyword, lessThan, notEquals, notInKeyword, openPar
    }

    private struct Item {
        var token: Token
        var literal: String
    }

    private var items: [Item] = []
    private var position = 0

    init(_ text: String) {
        items = Self.scan(Array(text.utf8))
    }

    // MARK: Lexer

    private static let symbols: [String: Token] = [
        ")": .closedPar, ",": .comma, "!": .doesNotExist, "==": .doubleEquals, "=": .equals, ">": .greaterThan,
        "<": .lessThan, "!=": .notEquals, "(": .openPar,
    ]

    private static func isWhitespace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A }

    private static func isSpecial(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "="), UInt8(ascii: "!"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: ","), UInt8(ascii: ">"),
            UInt8(ascii: "<"):
            return true
        default: return false
        }
    }

    /// Every token up to and including the end of the string. Every single symbol is an
    /// operator, so a run of symbols reads as the longest operator it starts with.
    private static func scan(_ bytes: [UInt8]) -> [Item] {
        var items: [Item] = []
        var index = 0
        while true {
            while index < bytes.count && isWhitespace(bytes[index]) { index += 1 }
            // Go's lexer reads a NUL byte as the end of the string.
            guard index < bytes.count, bytes[index] != 0 else {
                items.append(Item(token: .endOfString, literal: ""))
                return items
            }
            if isSpecial(bytes[index]) {
                var literal = String(UnicodeScalar(bytes[index]))
                index += 1
                if index < bytes.count, isSpecial(bytes[index]), symbols[literal + String(UnicodeScalar(bytes[index]))] != nil {
                    literal += String(UnicodeScalar(bytes[index]))
                    index += 1
                }
                items.append(Item(token: symbols[literal] ?? .comma, literal: literal))
            } else {
                let start = index
                while index < bytes.count && bytes[index] != 0 && !isSpecial(bytes[index]) && !isWhitespace(bytes[index]) { index += 1 }
                let literal = String(decoding: bytes[start..<index], as: UTF8.self)
                switch literal {
                case "in": items.append(Item(token: .inKeyword, literal: literal))
                case "notin": items.append(Item(token: .notInKeyword, literal: literal))
                default: items.append(Item(token: .identifier, literal: literal))
                }
            }
        }
    }

    // MARK: Parser

    /// The token at the cursor; in a value, `in` and `notin` are identifiers.
    private func lookahead(values: Bool = true) -> (Token, String) {
        let item = items[min(position, items.count - 1)]
        return (Self.reading(item.token, values: values), item.literal)
    }

    private mutating func consume(values: Bool = true) -> (Token, String) {
        let next = lookahead(values: values)
        position += 1
        return next
    }

    private static func reading(_ token: Token, values: Bool) -> Token {
        values && (token == .inKeyword || token == .notInKeyword) ? .identifier : token
    }

    mutating func parse() throws -> [LabelSelectorQuery.Requirement] {
        var requirements: [LabelSelectorQuery.Requirement] = []
        while true {
            let (token, literal) = lookahead()
            switch token {
            case .identifier, .doesNotExist:
                do {
                    requirements.append(try parseRequirement())
                } catch let error as SyntaxError {
                    throw SyntaxError(message: "unable to parse requirement: " + error.message)
                }
                let (next, nextLiteral) = consume()
                switch next {
                case .endOfString: return requirements
                case .comma:
                    let (after, afterLiteral) = lookahead()
                    if after != .identifier && after != .doesNotExist {
                        throw SyntaxError(message: "found '\(afterLiteral)', expected: identifier after ','")
                    }
                default: throw SyntaxError(message: "found '\(nextLiteral)', expected: ',' or 'end of string'")
                }
            case .endOfString: return requirements
            default: throw SyntaxError(message: "found '\(literal)', expected: !, identifier, or 'end of string'")
            }
        }
    }

    private mutating func parseRequirement() throws -> LabelSelectorQuery.Requirement {
        var (token, key) = consume()
        var absent = false
        if token == .doesNotExist {
            absent = true
            (token, key) = consume()
        }
        guard token == .identifier else { throw SyntaxError(message: "found '\(key)', expected: identifier") }
        let keyProblems = NameRules.qualifiedName(key)
        if !keyProblems.isEmpty {
            // labels.Parse validates the key against a nil field path, which Go prints as <nil>.
            throw SyntaxError(message: "<nil>: Invalid value: \(GoSyntax.quoted(key)): " + keyProblems.joined(separator: "; "))
        }
        let (after, _) = lookahead()
        if absent || after == .endOfString || after == .comma {
            return absent ? .doesNotExist(key) : .exists(key)
        }
        let (operatorToken, operatorLiteral) = consume(values: false)
        switch operatorToken {
        case .inKeyword, .notInKeyword:
            let values = try parseValues()
            try validate(key: key, values: values.sorted())
            return operatorToken == .inKeyword ? .isIn(key, values) : .notIn(key, values)
        case .equals, .doubleEquals, .notEquals:
            let value = try parseExactValue()
            try validate(key: key, values: [value])
            return operatorToken == .notEquals ? .notEquals(key, value) : .equals(key, value)
        case .greaterThan, .lessThan:
            let value = try parseExactValue()
            try validate(key: key, values: [value])
            guard let bound = Int64(value) else {
                throw SyntaxError(message: "values[0]: Invalid value: \(GoSyntax.quoted(value)): for 'Gt', 'Lt' operators, the value must be an integer")
            }
            return operatorToken == .greaterThan ? .greaterThan(key, bound) : .lessThan(key, bound)
        default:
            throw SyntaxError(message: "found '\(operatorLiteral)', expected: in, notin, =, ==, !=, gt, lt")
        }
    }

    /// NewRequirement's check of each value (the first failure, as its aggregate of one prints).
    private func validate(key: String, values: [String]) throws {
        for (i, value) in values.enumerated() {
            let problems = NameRules.labelValue(value)
            if !problems.isEmpty {
                throw SyntaxError(message: "values[\(i)][\(key)]: Invalid value: \(GoSyntax.quoted(value)): " + problems.joined(separator: "; "))
            }
        }
    }

    private mutating func parseValues() throws -> Set<String> {
        let (open, openLiteral) = consume()
        guard open == .openPar else { throw SyntaxError(message: "found '\(openLiteral)' expected: '('") }
        let (token, literal) = lookahead()
        switch token {
        case .identifier, .comma:
            let values = try parseIdentifiers()
            guard consume().0 == .closedPar else { throw SyntaxError(message: "found '\(literal)', expected: ')'") }
            return values
        case .closedPar:
            _ = consume()
            return [""]
        default:
            throw SyntaxError(message: "found '\(literal)', expected: ',', ')' or identifier")
        }
    }

    private mutating func parseIdentifiers() throws -> Set<String> {
        var values: Set<String> = []
        while true {
            let (token, literal) = consume()
            switch token {
            case .identifier:
                values.insert(literal)
                let (next, nextLiteral) = lookahead()
                switch next {
                case .comma: continue
                case .closedPar: return values
                default: throw SyntaxError(message: "found '\(nextLiteral)', expected: ',' or ')'")
                }
            case .comma:
                if values.isEmpty { values.insert("") }
                let (next, _) = lookahead()
                if next == .closedPar {
                    values.insert("")
                    return values
                }
                if next == .comma {
                    _ = consume()
                    values.insert("")
                }
            default:
                throw SyntaxError(message: "found '\(literal)', expected: ',', or identifier")
            }
        }
    }

    private mutating func parseExactValue() throws -> String {
        let (next, _) = lookahead()
        if next == .endOfString || next == .comma { return "" }
        let (token, literal) = consume()
        guard token == .identifier else { throw SyntaxError(message: "found '\(literal)', expected: identifier") }
        return literal
    }
}
