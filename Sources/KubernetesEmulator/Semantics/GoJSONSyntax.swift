/// The first syntax error Go's `encoding/json` scanner finds in a text, worded as Go
/// words it (`invalid character 'n' looking for beginning of object key string`,
/// `unexpected end of JSON input`): kube-apiserver quotes it when a body is not JSON.
/// One pass over the bytes; the nesting stack is bounded as Go's (10000 levels).
enum GoJSONSyntax {
    /// nil when Go's scanner accepts the whole text.
    static func firstError(_ bytes: [UInt8]) -> String? {
        var scanner = Scanner()
        for byte in bytes {
            if let error = scanner.step(byte) { return error }
        }
        return scanner.end()
    }

    static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A }

    /// `quoteChar`: the byte as Go's messages show it.
    static func quoteChar(_ c: UInt8) -> String {
        if c == UInt8(ascii: "'") { return "'\\''" }
        if c == UInt8(ascii: "\"") { return "'\"'" }
        // A byte of 0x80 or more is no character by itself: Go prints it in hexadecimal.
        if c >= 0x80 { return "'\\x" + String(c, radix: 16) + "'" }
        let quoted = GoSyntax.quoted(String(UnicodeScalar(c)))
        return "'" + String(quoted.dropFirst().dropLast()) + "'"
    }

    private enum ParseState { case objectKey, objectValue, arrayValue }

    private enum Step {
        case beginValue, beginValueOrEmpty, beginStringOrEmpty, beginString, endValue, endTop
        case inString, inStringEscape, inStringEscapeU(Int)
        case negative, zero, digits, dot, dotDigits, exponent, exponentSign, exponentDigits
        case literal(remaining: ArraySlice<UInt8>, name: String)
    }

    private struct Scanner {
        var step: Step = .beginValue
        var stack: [ParseState] = []
        var endTop = false

        static let maximumDepth = 10000

        func error(_ c: UInt8, _ context: String) -> String { "invalid character \(GoJSONSyntax.quoteChar(c)) \(context)" }

        mutating func push(_ c: UInt8, _ state: ParseState) -> String? {
            stack.append(state)
            return stack.count <= Self.maximumDepth ? nil : error(c, "exceeded max depth")
        }

        mutating func pop() {
            stack.removeLast()
            if stack.isEmpty {
                step = .endTop
                endTop = true
            } else {
                step = .endValue
            }
        }

        /// At the end of the text: Go feeds one space, then complains if the value is unfinished.
        mutating func end() -> String? {
            if endTop { return nil }
            if let error = self.step(0x20) { return error }
            return endTop ? nil : "unexpected end of JSON input"
        }

        mutating func step(_ c: UInt8) -> String? {
            switch step {
            case .beginValueOrEmpty:
                if isSpace(c) { return nil }
                if c == UInt8(ascii: "]") { return endValue(c) }
                return beginValue(c)
            case .beginValue:
                return beginValue(c)
            case .beginStringOrEmpty:
                if isSpace(c) { return nil }
                if c == UInt8(ascii: "}") {
                    stack[stack.count - 1] = .objectValue
                    return endValue(c)
                }
                return beginString(c)
            case .beginString:
                return beginString(c)
            case .endValue:
                return endValue(c)
            case .endTop:
                return isSpace(c) ? nil : error(c, "after top-level value")
            case .inString:
                if c == UInt8(ascii: "\"") {
                    step = .endValue
                } else if c == UInt8(ascii: "\\") {
                    step = .inStringEscape
                } else if c < 0x20 {
                    return error(c, "in string literal")
                }
                return nil
            case .inStringEscape:
                switch c {
                case UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"), UInt8(ascii: "\\"),
                    UInt8(ascii: "/"), UInt8(ascii: "\""):
                    step = .inString
                    return nil
                case UInt8(ascii: "u"):
                    step = .inStringEscapeU(0)
                    return nil
                default:
                    return error(c, "in string escape code")
                }
            case .inStringEscapeU(let count):
                guard isHex(c) else { return error(c, "in \\u hexadecimal character escape") }
                step = count == 3 ? .inString : .inStringEscapeU(count + 1)
                return nil
            case .negative:
                if c == UInt8(ascii: "0") {
                    step = .zero
                } else if isDigit(c) {
                    step = .digits
                } else {
                    return error(c, "in numeric literal")
                }
                return nil
            case .digits:
                if isDigit(c) { return nil }
                return zero(c)
            case .zero:
                return zero(c)
            case .dot:
                guard isDigit(c) else { return error(c, "after decimal point in numeric literal") }
                step = .dotDigits
                return nil
            case .dotDigits:
                if isDigit(c) { return nil }
                if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
                    step = .exponent
                    return nil
                }
                return endValue(c)
            case .exponent:
                if c == UInt8(ascii: "+") || c == UInt8(ascii: "-") {
                    step = .exponentSign
                    return nil
                }
                return exponentSign(c)
            case .exponentSign:
                return exponentSign(c)
            case .exponentDigits:
                if isDigit(c) { return nil }
                return endValue(c)
            case .literal(let remaining, let name):
                guard let expected = remaining.first else { return endValue(c) }
                guard c == expected else { return error(c, "in literal \(name) (expecting \(GoJSONSyntax.quoteChar(expected)))") }
                let rest = remaining.dropFirst()
                step = rest.isEmpty ? .endValue : .literal(remaining: rest, name: name)
                return nil
            }
        }

        func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

        func isHex(_ c: UInt8) -> Bool {
            isDigit(c) || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "f")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "F"))
        }

        mutating func beginValue(_ c: UInt8) -> String? {
            if isSpace(c) { return nil }
            switch c {
            case UInt8(ascii: "{"):
                step = .beginStringOrEmpty
                return push(c, .objectKey)
            case UInt8(ascii: "["):
                step = .beginValueOrEmpty
                return push(c, .arrayValue)
            case UInt8(ascii: "\""): step = .inString
            case UInt8(ascii: "-"): step = .negative
            case UInt8(ascii: "0"): step = .zero
            case UInt8(ascii: "t"): step = .literal(remaining: Array("rue".utf8)[...], name: "true")
            case UInt8(ascii: "f"): step = .literal(remaining: Array("alse".utf8)[...], name: "false")
            case UInt8(ascii: "n"): step = .literal(remaining: Array("ull".utf8)[...], name: "null")
            default:
                guard isDigit(c) else { return error(c, "looking for beginning of value") }
                step = .digits
            }
            return nil
        }

        mutating func beginString(_ c: UInt8) -> String? {
            if isSpace(c) { return nil }
            guard c == UInt8(ascii: "\"") else { return error(c, "looking for beginning of object key string") }
            step = .inString
            return nil
        }

        mutating func zero(_ c: UInt8) -> String? {
            if c == UInt8(ascii: ".") {
                step = .dot
                return nil
            }
            if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
                step = .exponent
                return nil
            }
            return endValue(c)
        }

        mutating func exponentSign(_ c: UInt8) -> String? {
            guard isDigit(c) else { return error(c, "in exponent of numeric literal") }
            step = .exponentDigits
            return nil
        }

        mutating func endValue(_ c: UInt8) -> String? {
            guard let state = stack.last else {
                step = .endTop
                endTop = true
                return isSpace(c) ? nil : error(c, "after top-level value")
            }
            if isSpace(c) {
                step = .endValue
                return nil
            }
            switch state {
            case .objectKey:
                guard c == UInt8(ascii: ":") else { return error(c, "after object key") }
                stack[stack.count - 1] = .objectValue
                step = .beginValue
            case .objectValue:
                if c == UInt8(ascii: ",") {
                    stack[stack.count - 1] = .objectKey
                    step = .beginString
                } else if c == UInt8(ascii: "}") {
                    pop()
                } else {
                    return error(c, "after object key:value pair")
                }
            case .arrayValue:
                if c == UInt8(ascii: ",") {
                    step = .beginValue
                } else if c == UInt8(ascii: "]") {
                    pop()
                } else {
                    return error(c, "after array element")
                }
            }
            return nil
        }
    }
}
