import JSONCore

/// How Go prints and parses the values kube-apiserver quotes in its messages, so that
/// the emulator's messages read as kube-apiserver's do.
enum GoSyntax {
    /// `strconv.Quote` (what `%q` prints): double quotes, with backslash escapes for quotes,
    /// backslashes and control characters. Linear in the text's length.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\u{07}": out += "\\a"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{0B}": out += "\\v"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\x" + hex(scalar.value, digits: 2)
                } else if (0x80...0xA0).contains(scalar.value) || scalar.value == 0xAD {
                    // C1 controls, no-break space and soft hyphen: not printable to Go.
                    out += "\\u" + hex(scalar.value, digits: 4)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }

    /// `strconv.NumError` of `ParseUint`: `strconv.ParseUint: parsing "abc": invalid syntax`.
    struct NumberError: Error, Equatable {
        var text: String
        var outOfRange: Bool
        var message: String { "strconv.ParseUint: parsing \(GoSyntax.quoted(text)): \(outOfRange ? "value out of range" : "invalid syntax")" }
    }

    /// `strconv.ParseUint(text, 10, 64)`: decimal digits only (no sign), at most 2^64-1.
    static func parseUInt64(_ text: String) -> Result<UInt64, NumberError> {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return .failure(NumberError(text: text, outOfRange: false))
        }
        guard let value = UInt64(text) else { return .failure(NumberError(text: text, outOfRange: true)) }
        return .success(value)
    }

    /// A decoded JSON value as Go's `%v` prints it (`map[a:1 b:[x y]]`, keys sorted).
    static func printed(_ value: JSONValue) -> String {
        switch value {
        case .null: return "<nil>"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        // Whole numbers print without a fraction (bounded well inside Int64: no trap).
        case .double(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case .string(let s): return s
        case .array(let items): return "[" + items.map(printed).joined(separator: " ") + "]"
        case .object(let members): return "map[" + members.keys.sorted().map { "\($0):\(printed(members[$0]!))" }.joined(separator: " ") + "]"
        }
    }
}
