/// Percent-encoding for URL parts, without Foundation's `URLComponents` (whose
/// query encoding leaves `+`, `&`-adjacent and `=` characters ambiguous for
/// selectors and continue tokens).
enum PercentEncoding {
    private static let hex = Array("0123456789ABCDEF".utf8)

    /// RFC 3986 unreserved characters: the only ones left as they are in a query.
    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// Encodes a query name or value: everything but unreserved characters.
    static func encodeQueryComponent(_ text: String) -> String {
        encode(text) { isUnreserved($0) }
    }

    /// Encodes one path segment: unreserved characters plus `:` and `@` stay.
    static func encodePathSegment(_ text: String) -> String {
        encode(text) { isUnreserved($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "@") }
    }

    /// `name=value&…` for query items, in the order given.
    static func query(_ items: [(String, String)]) -> String {
        items.map { "\(encodeQueryComponent($0.0))=\(encodeQueryComponent($0.1))" }.joined(separator: "&")
    }

    private static func encode(_ text: String, keep: (UInt8) -> Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if keep(byte) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
