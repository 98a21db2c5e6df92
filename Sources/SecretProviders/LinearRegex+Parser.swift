/// The pattern parser: alternation, concatenation, repetition, groups and flags. Escapes
/// and classes are in their own files.
extension LinearRegex {
    struct Flags {
        var caseInsensitive = false
        var multiLine = false
        var dotAll = false
        /// `U`: `*` is lazy and `*?` greedy (changes which match a replacement sees).
        var ungreedy = false
    }

    struct Parser {
        let s: [Unicode.Scalar]
        var i = 0
        var depth = 0
        /// Capturing groups opened so far: `(…)`, `(?P<name>…)`, `(?<name>…)`, numbered from 1.
        var captureCount = 0
        /// Named groups and their numbers.
        var captureNames: [String: Int] = [:]

        init(_ s: [Unicode.Scalar]) { self.s = s }

        // LinearRegex's types, by the names the parser's extensions (escapes, classes) use.
        typealias CompileError = LinearRegex.CompileError
        typealias Node = LinearRegex.Node
        typealias Flags = LinearRegex.Flags
        typealias Assertion = LinearRegex.Assertion
        typealias CharMatcher = LinearRegex.CharMatcher
        typealias CharSet = LinearRegex.CharSet

        var atEnd: Bool { i >= s.count }
        func peek(_ offset: Int = 0) -> Unicode.Scalar? { i + offset < s.count ? s[i + offset] : nil }

        func error(_ text: String) -> CompileError { CompileError(description: text) }

        mutating func parse() throws(CompileError) -> Node {
            var flags = Flags()
            let node = try parseAlternation(&flags)
            if !atEnd { throw error("unexpected ) at offset \(i)") }
            return node
        }

        mutating func parseAlternation(_ flags: inout Flags) throws(CompileError) -> Node {
            var branches = [try parseConcat(&flags)]
            while peek() == "|" {
                i += 1
                branches.append(try parseConcat(&flags))
            }
            return branches.count == 1 ? branches[0] : .alternate(branches)
        }

        mutating func parseConcat(_ flags: inout Flags) throws(CompileError) -> Node {
            var items: [Node] = []
            while let c = peek(), c != "|", c != ")" {
                if c == "(", peek(1) == "?", try parseFlagGroup(&flags) {
                    // `(?i)`: changes the flags of the rest of this group; no node.
                    continue
                }
                if c == "*" || c == "+" || c == "?" || (c == "{" && repeatAhead() != nil) {
                    throw error("missing argument to repetition operator \(c) at offset \(i)")
                }
                var atom = try parseAtom(&flags)
                var repeated = false
                while let (min, max, length) = repeatAhead().map({ ($0.0, $0.1, $0.2) }) {
                    if repeated { throw error("invalid nested repetition operator at offset \(i): group the repeated part with ( )") }
                    guard min <= LinearRegex.maximumRepeat, (max ?? min) <= LinearRegex.maximumRepeat, min <= (max ?? min) else {
                        throw error("invalid repeat count at offset \(i): counts are at most \(LinearRegex.maximumRepeat) and {n,m} needs n ≤ m")
                    }
                    i += length
                    var lazy = flags.ungreedy
                    if peek() == "?" {
                        i += 1
                        lazy.toggle()
                    } else if peek() == "+" {
                        throw error("possessive quantifiers are not supported (RE2 syntax)")
                    }
                    atom = .repeated(atom, min: min, max: max, lazy: lazy)
                    repeated = true
                }
                items.append(atom)
            }
            return items.count == 1 ? items[0] : items.isEmpty ? .empty : .concat(items)
        }

        /// A repetition operator at the current position: (min, max, length), or nil. A `{`
        /// that does not open a valid `{n}`, `{n,}`, `{n,m}` is a literal (as in Go).
        func repeatAhead() -> (Int, Int?, Int)? {
            switch peek() {
            case "*": return (0, nil, 1)
            case "+": return (1, nil, 1)
            case "?": return (0, 1, 1)
            case "{": break
            default: return nil
            }
            var j = i + 1
            func number(_ j: inout Int) -> Int? {
                var value = 0
                var digits = 0
                while j < s.count, s[j].isASCII, (0x30...0x39).contains(s[j].value) {
                    value = Swift.min(value * 10 + Int(s[j].value - 0x30), 100_000)
                    digits += 1
                    j += 1
                }
                return digits > 0 ? value : nil
            }
            guard let min = number(&j) else { return nil }
            var max: Int? = min
            if j < s.count, s[j] == "," {
                j += 1
                max = number(&j)  // nil: {n,} unbounded
                if j < s.count, s[j] == "}" { return (min, max, j + 1 - i) }
                return nil
            }
            guard j < s.count, s[j] == "}" else { return nil }
            return (min, max, j + 1 - i)
        }

        /// `(?flags)`: sets `flags` for the rest of the enclosing group and returns true;
        /// false (nothing consumed) for any other `(?` group.
        mutating func parseFlagGroup(_ flags: inout Flags) throws(CompileError) -> Bool {
            // Look ahead: letters i m s U and - up to ')' make a flag setting.
            var j = i + 2
            while j < s.count, "imsU-".unicodeScalars.contains(s[j]) { j += 1 }
            guard j < s.count, s[j] == ")", j > i + 2 else { return false }
            var updated = flags
            try applyFlags(s[(i + 2)..<j], to: &updated)
            flags = updated
            i = j + 1
            return true
        }

        func applyFlags(_ text: ArraySlice<Unicode.Scalar>, to flags: inout Flags) throws(CompileError) {
            var value = true
            var sawNegation = false
            var sawFlagAfterNegation = false
            for c in text {
                switch c {
                case "-":
                    if sawNegation { throw error("invalid flags (?\(String(String.UnicodeScalarView(text)))") }
                    sawNegation = true
                    value = false
                case "i": flags.caseInsensitive = value
                case "m": flags.multiLine = value
                case "s": flags.dotAll = value
                case "U": flags.ungreedy = value
                default: throw error("unknown flag \(c)")
                }
                if c != "-", sawNegation { sawFlagAfterNegation = true }
            }
            if sawNegation, !sawFlagAfterNegation { throw error("invalid flags (?\(String(String.UnicodeScalarView(text)))") }
        }

        mutating func parseAtom(_ flags: inout Flags) throws(CompileError) -> Node {
            guard let c = peek() else { throw error("unexpected end of pattern") }
            switch c {
            case "(": return try parseGroup(flags)
            case "[": return try parseClass(flags)
            case ".":
                i += 1
                return .char(CharMatcher(kind: .any(newline: flags.dotAll), foldCase: false))
            case "^":
                i += 1
                return .assert(flags.multiLine ? .beginLine : .beginText)
            case "$":
                i += 1
                return .assert(flags.multiLine ? .endLine : .endText)
            case "\\": return try parseEscape(flags)
            default:
                i += 1
                return literal(c.value, flags)
            }
        }

        func literal(_ v: UInt32, _ flags: Flags) -> Node {
            guard flags.caseInsensitive, let scalar = Unicode.Scalar(v) else {
                return .char(CharMatcher(kind: .scalars([v]), foldCase: false))
            }
            return .char(CharMatcher(kind: .scalars([v] + LinearRegex.caseVariants(of: scalar)), foldCase: true))
        }

        mutating func parseGroup(_ outer: Flags) throws(CompileError) -> Node {
            let start = i
            i += 1  // (
            var flags = outer
            var capture: Int?
            if peek() != "?" {
                captureCount += 1
                capture = captureCount
            } else {
                switch peek(1) {
                case "=", "!": throw error("lookahead (?\(peek(1)!) is not supported (RE2 syntax)")
                case "<" where peek(2) == "=" || peek(2) == "!":
                    throw error("lookbehind (?<\(peek(2)!) is not supported (RE2 syntax)")
                case ">": throw error("atomic groups (?> are not supported (RE2 syntax)")
                case "P" where peek(2) == "=": throw error("backreferences (?P=name) are not supported (RE2 syntax)")
                case "P" where peek(2) == "<":
                    i += 3
                    captureCount += 1
                    capture = captureCount
                    captureNames[try skipGroupName()] = captureCount
                case "<":
                    i += 2
                    captureCount += 1
                    capture = captureCount
                    captureNames[try skipGroupName()] = captureCount
                case ":":
                    i += 2
                default:
                    // (?flags:re)
                    var j = i + 1
                    while j < s.count, "imsU-".unicodeScalars.contains(s[j]) { j += 1 }
                    guard j < s.count, s[j] == ":", j > i + 1 else {
                        throw error("invalid or unsupported group syntax at offset \(start)")
                    }
                    try applyFlags(s[(i + 1)..<j], to: &flags)
                    i = j + 1
                }
            }
            depth += 1
            guard depth <= LinearRegex.maximumNesting else {
                throw error("groups are nested more than \(LinearRegex.maximumNesting) deep")
            }
            let node = try parseAlternation(&flags)
            depth -= 1
            guard peek() == ")" else { throw error("missing ) for the group at offset \(start)") }
            i += 1
            return capture.map { .capture(node, $0) } ?? node
        }

        /// Reads a group name up to its `>` and returns it.
        mutating func skipGroupName() throws(CompileError) -> String {
            let start = i
            while let c = peek(), c != ">" {
                guard Assertion.isWord(c) else { throw error("invalid group name at offset \(start)") }
                i += 1
            }
            guard peek() == ">", i > start else { throw error("invalid group name at offset \(start)") }
            i += 1
            return String(String.UnicodeScalarView(s[start..<(i - 1)]))
        }
    }
}
