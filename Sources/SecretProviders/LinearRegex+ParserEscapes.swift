/// The parser's escapes: `\d \w \s`, `\p{…}`, `\x{…}`, octal, `\Q…\E`, anchors and the
/// refused ones (backreferences, scripts, other letters).
extension LinearRegex.Parser {
    /// An escape outside a class.
    mutating func parseEscape(_ flags: Flags) throws(CompileError) -> Node {
        guard let c = peek(1) else { throw error("trailing backslash at end of pattern") }
        switch c {
        case "A":
            i += 2
            return .assert(.beginText)
        case "z":
            i += 2
            return .assert(.endText)
        case "b":
            i += 2
            return .assert(.wordBoundary)
        case "B":
            i += 2
            return .assert(.notWordBoundary)
        case "Q":
            i += 2
            var items: [Node] = []
            while let c = peek() {
                if c == "\\", peek(1) == "E" {
                    i += 2
                    break
                }
                items.append(literal(c.value, flags))
                i += 1
            }
            return items.count == 1 ? items[0] : .concat(items)
        default:
            switch try parseClassEscape() {
            case .scalar(let v): return literal(v, flags)
            case .items(let items): return .char(CharMatcher(kind: .set(CharSet(items: items, negated: false)), foldCase: false))
            }
        }
    }

    enum Escaped {
        case scalar(UInt32)
        case items([CharSet.Item])
    }

    /// An escape valid both inside and outside a class: one character or a class.
    mutating func parseClassEscape() throws(CompileError) -> Escaped {
        let start = i
        i += 1  // backslash
        guard let c = peek() else { throw error("trailing backslash at end of pattern") }
        i += 1
        switch c {
        case "a": return .scalar(0x07)
        case "f": return .scalar(0x0C)
        case "t": return .scalar(0x09)
        case "n": return .scalar(0x0A)
        case "r": return .scalar(0x0D)
        case "v": return .scalar(0x0B)
        case "d": return .items(Self.digit)
        case "D": return .items([.not(Self.digit)])
        case "w": return .items(Self.word)
        case "W": return .items([.not(Self.word)])
        case "s": return .items(Self.space)
        case "S": return .items([.not(Self.space)])
        case "p", "P": return .items(try parseUnicodeClass(negated: c == "P"))
        case "x": return .scalar(try parseHex())
        case "0"..."7":
            // Octal: \0, \012, \12 (two or three digits). A single \1…\7 is a backreference.
            if c != "0", !(peek().map { ("0"..."7").contains($0) } ?? false) {
                throw error("backreferences (\\\(c)) are not supported (RE2 syntax)")
            }
            var value = c.value - 0x30
            for _ in 0..<2 {
                guard let d = peek(), ("0"..."7").contains(d) else { break }
                value = value * 8 + (d.value - 0x30)
                i += 1
            }
            return .scalar(value)
        case "8", "9": throw error("backreferences (\\\(c)) are not supported (RE2 syntax)")
        case "k": throw error("backreferences (\\k) are not supported (RE2 syntax)")
        case "Z": throw error("\\Z is not supported (RE2 syntax); use \\z or $")
        default:
            // Any ASCII character but a letter or digit stands for itself (Go's rule).
            if c.isASCII, !(Assertion.isWord(c) && c != "_") { return .scalar(c.value) }
            throw error("invalid or unsupported escape sequence \\\(c) at offset \(start)")
        }
    }

    /// `\x41` or `\x{263a}`, after the `x`.
    mutating func parseHex() throws(CompileError) -> UInt32 {
        func hexValue(_ c: Unicode.Scalar?) -> UInt32? {
            guard let c, c.isASCII else { return nil }
            switch c {
            case "0"..."9": return c.value - 0x30
            case "a"..."f": return c.value - 0x61 + 10
            case "A"..."F": return c.value - 0x41 + 10
            default: return nil
            }
        }
        if peek() == "{" {
            i += 1
            var value: UInt32 = 0
            var digits = 0
            while let d = hexValue(peek()) {
                value = value * 16 + d
                digits += 1
                i += 1
                guard value <= 0x10FFFF else { throw error("invalid escape: \\x{…} beyond U+10FFFF") }
            }
            guard peek() == "}", digits > 0 else { throw error("invalid escape: \\x{ needs hex digits and }") }
            i += 1
            return value
        }
        guard let high = hexValue(peek()), let low = hexValue(peek(1)) else { throw error("invalid escape: \\x needs two hex digits") }
        i += 2
        return high * 16 + low
    }

    /// `\pL`, `\p{Lu}`, `\P…`, `\p{^L}`, after the `p`: Unicode general categories.
    mutating func parseUnicodeClass(negated: Bool) throws(CompileError) -> [CharSet.Item] {
        var name: String
        if peek() == "{" {
            i += 1
            var text = ""
            while let c = peek(), c != "}" {
                text.unicodeScalars.append(c)
                i += 1
            }
            guard peek() == "}" else { throw error("missing } in \\p{") }
            i += 1
            name = text
        } else {
            guard let c = peek() else { throw error("trailing \\p") }
            i += 1
            name = String(c)
        }
        var negate = negated
        if name.hasPrefix("^") {
            negate.toggle()
            name.removeFirst()
        }
        guard let categories = Self.categories[name] else {
            throw error("unknown or unsupported Unicode class \\p{\(name)}; general categories such as L, Lu, N, Nd, P are supported")
        }
        let item = CharSet.Item.category(categories)
        return negate ? [.not([item])] : [item]
    }

}
