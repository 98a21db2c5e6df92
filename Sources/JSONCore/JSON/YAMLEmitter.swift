import Foundation

/// Renders `JSONValue`s as block-style YAML with a fixed layout: object keys sorted, two
/// spaces of indentation, strings plain when that is unambiguous and JSON-quoted otherwise.
///
/// The output is a function of the value alone, so a committed YAML file can be compared
/// byte for byte with a fresh rendering (the `manifests/crds` test), and it lives here,
/// without a YAML library, because `RotorAPI` does no I/O and has no dependencies.
public enum YAMLEmitter {
    /// One YAML document, ending in a newline.
    public static func render(_ value: JSONValue) -> String {
        var out = ""
        switch value {
        case .object(let o) where !o.isEmpty: writeObject(o, indent: 0, into: &out)
        case .array(let a) where !a.isEmpty: writeArray(a, indent: 0, into: &out)
        default: out = scalar(value) + "\n"
        }
        return out
    }

    /// Several documents separated by `---` lines.
    public static func render(documents: [JSONValue]) -> String {
        documents.map { "---\n" + render($0) }.joined()
    }

    private static func writeObject(_ object: JSONObject, indent: Int, into out: inout String) {
        let pad = String(repeating: " ", count: indent)
        for key in object.keys.sorted() {
            out += pad + string(key) + ":"
            writeValue(object[key]!, indent: indent, into: &out)
        }
    }

    private static func writeArray(_ array: [JSONValue], indent: Int, into out: inout String) {
        let pad = String(repeating: " ", count: indent)
        for element in array {
            switch element {
            case .object(let o) where !o.isEmpty:
                // The first member shares the dash's line: `- name: x`.
                var nested = ""
                writeObject(o, indent: indent + 2, into: &nested)
                out += pad + "- " + nested.dropFirst(indent + 2)
            case .array(let a) where !a.isEmpty:
                out += pad + "-\n"
                writeArray(a, indent: indent + 2, into: &out)
            default:
                out += pad + "- " + scalar(element) + "\n"
            }
        }
    }

    /// The rest of a `key:` line and what follows it.
    private static func writeValue(_ value: JSONValue, indent: Int, into out: inout String) {
        switch value {
        case .object(let o) where !o.isEmpty:
            out += "\n"
            writeObject(o, indent: indent + 2, into: &out)
        case .array(let a) where !a.isEmpty:
            out += "\n"
            writeArray(a, indent: indent, into: &out)
        default:
            out += " " + scalar(value) + "\n"
        }
    }

    private static func scalar(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): return string(s)
        case .object: return "{}"
        case .array: return "[]"
        default: return value.serializedString()
        }
    }

    /// Plain when the text cannot be read as anything but this string, else a JSON string
    /// literal, which is also a valid YAML double-quoted scalar.
    static func string(_ s: String) -> String {
        isPlainSafe(s) ? s : JSONValue.string(s).serializedString()
    }

    private static let reservedWords: Set<String> = [
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~",
    ]

    private static func isPlainSafe(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, let last = s.unicodeScalars.last else { return false }
        guard first.properties.isAlphabetic || first == "_" || first == "/" || first == "." else { return false }
        guard last != " ", !reservedWords.contains(s.lowercased()) else { return false }
        if s.hasPrefix(".") && Double(s) != nil { return false }
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "._/- "))
        guard s.unicodeScalars.allSatisfy({ $0.isASCII && allowed.contains($0) }) else { return false }
        // Words like `.inf` or `.NaN` are floats in YAML.
        return ![".inf", ".nan"].contains(s.lowercased())
    }
}
