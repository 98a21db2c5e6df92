/// The parser's bracketed classes `[…]`, POSIX names `[[:alpha:]]`, and the tables of
/// the ASCII and Unicode classes they use.
extension LinearRegex.Parser {
    mutating func parseClass(_ flags: Flags) throws(CompileError) -> Node {
        let start = i
        i += 1  // [
        var negated = false
        if peek() == "^" {
            negated = true
            i += 1
        }
        var items: [CharSet.Item] = []
        var first = true
        while true {
            guard let c = peek() else { throw error("missing closing ] for the class at offset \(start)") }
            if c == "]", !first { break }
            first = false
            if c == "[", peek(1) == ":", let posix = try parsePOSIXClass() {
                items.append(contentsOf: posix)
                continue
            }
            let low: UInt32
            switch try classAtom() {
            case .items(let set):
                items.append(contentsOf: set)
                continue
            case .scalar(let v): low = v
            }
            if peek() == "-", let after = peek(1), after != "]" {
                i += 1
                guard case .scalar(let high) = try classAtom() else {
                    throw error("invalid character class range at offset \(start): a range cannot end in a class")
                }
                guard low <= high else { throw error("invalid character class range at offset \(start)") }
                items.append(.range(low, high))
            } else {
                items.append(.range(low, low))
            }
        }
        i += 1  // ]
        return .char(CharMatcher(kind: .set(CharSet(items: items, negated: negated)), foldCase: flags.caseInsensitive))
    }

    mutating func classAtom() throws(CompileError) -> Escaped {
        guard let c = peek() else { throw error("missing closing ]") }
        if c == "\\" { return try parseClassEscape() }
        i += 1
        return .scalar(c.value)
    }

    /// `[:alpha:]`, `[:^alpha:]` inside a class; nil when not one (then `[` is a literal).
    mutating func parsePOSIXClass() throws(CompileError) -> [CharSet.Item]? {
        var j = i + 2
        var name = ""
        while j < s.count, s[j] != ":" {
            name.unicodeScalars.append(s[j])
            j += 1
            if name.count > 8 { return nil }
        }
        guard j + 1 < s.count, s[j] == ":", s[j + 1] == "]" else { return nil }
        var negate = false
        if name.hasPrefix("^") {
            negate = true
            name.removeFirst()
        }
        guard let ranges = Self.posix[name] else { throw error("unknown POSIX class [:\(name):]") }
        i = j + 2
        let items = ranges.map { CharSet.Item.range($0.0, $0.1) }
        return negate ? [.not(items)] : items
    }

    static let digit: [CharSet.Item] = [.range(0x30, 0x39)]
    static let word: [CharSet.Item] = [.range(0x30, 0x39), .range(0x41, 0x5A), .range(0x5F, 0x5F), .range(0x61, 0x7A)]
    static let space: [CharSet.Item] = [.range(0x09, 0x0A), .range(0x0C, 0x0D), .range(0x20, 0x20)]

    static let posix: [String: [(UInt32, UInt32)]] = [
        "alnum": [(0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)],
        "alpha": [(0x41, 0x5A), (0x61, 0x7A)],
        "ascii": [(0x00, 0x7F)],
        "blank": [(0x09, 0x09), (0x20, 0x20)],
        "cntrl": [(0x00, 0x1F), (0x7F, 0x7F)],
        "digit": [(0x30, 0x39)],
        "graph": [(0x21, 0x7E)],
        "lower": [(0x61, 0x7A)],
        "print": [(0x20, 0x7E)],
        "punct": [(0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)],
        "space": [(0x09, 0x0D), (0x20, 0x20)],
        "upper": [(0x41, 0x5A)],
        "word": [(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)],
        "xdigit": [(0x30, 0x39), (0x41, 0x46), (0x61, 0x66)],
    ]

    static let categories: [String: Set<Unicode.GeneralCategory>] = {
        let letters: [(String, Unicode.GeneralCategory)] = [
            ("Lu", .uppercaseLetter), ("Ll", .lowercaseLetter), ("Lt", .titlecaseLetter), ("Lm", .modifierLetter),
            ("Lo", .otherLetter), ("Mn", .nonspacingMark), ("Mc", .spacingMark), ("Me", .enclosingMark),
            ("Nd", .decimalNumber), ("Nl", .letterNumber), ("No", .otherNumber), ("Pc", .connectorPunctuation),
            ("Pd", .dashPunctuation), ("Ps", .openPunctuation), ("Pe", .closePunctuation), ("Pi", .initialPunctuation),
            ("Pf", .finalPunctuation), ("Po", .otherPunctuation), ("Sm", .mathSymbol), ("Sc", .currencySymbol),
            ("Sk", .modifierSymbol), ("So", .otherSymbol), ("Zs", .spaceSeparator), ("Zl", .lineSeparator),
            ("Zp", .paragraphSeparator), ("Cc", .control), ("Cf", .format), ("Cs", .surrogate), ("Co", .privateUse),
            ("Cn", .unassigned),
        ]
        var table: [String: Set<Unicode.GeneralCategory>] = [:]
        for (name, category) in letters {
            table[name] = [category]
            table[String(name.prefix(1)), default: []].insert(category)
        }
        return table
    }()
}
