/// Base64 as Go's `encoding/base64` decodes it: `StdEncoding` (what kube-apiserver's JSON
/// decoder does with a Secret's `data`: padding required) or `RawURLEncoding` (continue
/// tokens: the URL alphabet, no padding). Line breaks (`\r`, `\n`) are skipped anywhere,
/// and a failure names the byte offset Go names, so that the error reads `illegal base64
/// data at input byte N` as kube-apiserver's does. Linear in the input.
enum GoBase64 {
    /// Go's `CorruptInputError`: the offset of the first byte that cannot be decoded.
    struct CorruptInput: Error, Equatable {
        var offset: Int
        var message: String { "illegal base64 data at input byte \(offset)" }
    }

    /// The alphabet and padding of an encoding.
    struct Encoding: Sendable {
        var urlSafe: Bool
        var padded: Bool
        static let standard = Encoding(urlSafe: false, padded: true)
        static let rawURL = Encoding(urlSafe: true, padded: false)
    }

    static func decode(_ text: String, _ encoding: Encoding = .standard) -> Result<[UInt8], CorruptInput> {
        let source = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(source.count / 4 * 3 + 3)
        var index = 0
        while index < source.count {
            switch quantum(source, from: index, encoding) {
            case .failure(let error): return .failure(error)
            case .success(let (next, bytes, trailingGarbage)):
                output += bytes
                if let trailingGarbage { return .failure(trailingGarbage) }
                index = next
            }
        }
        return .success(output)
    }

    private static let padding = UInt8(ascii: "=")

    private static func isLineBreak(_ byte: UInt8) -> Bool { byte == 0x0A || byte == 0x0D }

    /// The value of one base64 digit of the standard alphabet.
    private static func digit(_ byte: UInt8, _ encoding: Encoding) -> UInt8? {
        switch byte {
        case UInt8(ascii: "-") where encoding.urlSafe: return 62
        case UInt8(ascii: "_") where encoding.urlSafe: return 63
        case UInt8(ascii: "+") where encoding.urlSafe: return nil
        case UInt8(ascii: "/") where encoding.urlSafe: return nil
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return byte - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return byte - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): return 62
        case UInt8(ascii: "/"): return 63
        default: return nil
        }
    }

    /// One group of four digits (Go's `decodeQuantum`): where the next group starts, the
    /// bytes decoded, and the error of bytes left after the padding, if any.
    private static func quantum(_ source: [UInt8], from start: Int, _ encoding: Encoding) -> Result<(Int, [UInt8], CorruptInput?), CorruptInput> {
        var digits: [UInt8] = []
        var index = start
        var trailingGarbage: CorruptInput?
        while digits.count < 4 {
            guard index < source.count else {
                // The input ended inside a group: Go reports where the group began (without
                // padding, a group of two or three digits is a short last group).
                if digits.isEmpty { return .success((index, [], nil)) }
                if digits.count == 1 || encoding.padded { return .failure(CorruptInput(offset: index - digits.count)) }
                break
            }
            let byte = source[index]
            index += 1
            if let value = digit(byte, encoding) {
                digits.append(value)
                continue
            }
            if isLineBreak(byte) { continue }
            guard encoding.padded, byte == padding, digits.count >= 2 else { return .failure(CorruptInput(offset: index - 1)) }
            if digits.count == 2 {
                // "==" is expected: the second "=" may follow line breaks.
                while index < source.count && isLineBreak(source[index]) { index += 1 }
                guard index < source.count else { return .failure(CorruptInput(offset: source.count)) }
                guard source[index] == padding else { return .failure(CorruptInput(offset: index - 1)) }
                index += 1
            }
            while index < source.count && isLineBreak(source[index]) { index += 1 }
            if index < source.count { trailingGarbage = CorruptInput(offset: index) }
            break
        }
        let padded = digits + Array(repeating: 0, count: 4 - digits.count)
        let value = UInt32(padded[0]) << 18 | UInt32(padded[1]) << 12 | UInt32(padded[2]) << 6 | UInt32(padded[3])
        let bytes = [UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
        return .success((index, Array(bytes.prefix(digits.count - 1)), trailingGarbage))
    }
}
