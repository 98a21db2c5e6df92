/// A regular expression matched in time linear in the input: the patterns tenants write in
/// `dataFrom.find.name.regexp`, with the meaning ESO's Go `regexp` (RE2) gives them.
///
/// Why not Swift `Regex` or `NSRegularExpression`: both backtrack, so `^(a+)+$` over a few
/// dozen characters of a provider's key name runs for minutes, pinning a cooperative thread
/// (and with it Lease renewal). A tenant controls the pattern and, through the provider, the
/// keys. Here the pattern is compiled once to a Thompson NFA program and simulated with a
/// set of states (a Pike VM without captures): each input character costs at most one visit
/// of each instruction, so a match costs at most ``programSize`` × (characters + 1) steps,
/// whatever the pattern.
///
/// Semantics are Go's `regexp.MatchString`: a search (unanchored unless the pattern anchors
/// itself), over Unicode scalars. Supported syntax (RE2's):
/// - literals; escapes `\.` `\*` … (any ASCII punctuation), `\a \f \t \n \r \v`, `\x41`,
///   `\x{263a}`, octal `\012`, `\Q…\E` (literal text);
/// - `.` (not newline unless flag `s`); classes `[abc]`, `[a-z]`, `[^…]`, `[[:alpha:]]` and
///   the other POSIX names (`[:^alpha:]` negated); `\d \w \s` and `\D \W \S` (ASCII, as in
///   Go); Unicode general categories `\pL`, `\p{Lu}`, `\PN`, `\P{Nd}`;
/// - anchors `^ $` (text, or lines with flag `m`), `\A \z`, word boundaries `\b \B`;
/// - groups `( )`, `(?: )`, `(?P<name> )`, `(?<name> )`; alternation `|`;
/// - quantifiers `* + ? {n} {n,} {n,m}` and their lazy forms (`*?` …: the same result
///   for a yes/no match); counts at most 1000 (as in RE2);
/// - flags `(?i)` (case-insensitive), `(?m)`, `(?s)`, `(?U)`, cleared with `-`, scoped
///   to the group, or `(?i: … )`.
///
/// Refused at compile time, with the reason: backreferences (`\1`, `\k<n>`, `(?P=n)`),
/// lookaround (`(?=` `(?!` `(?<=` `(?<!`), atomic groups and possessive quantifiers, `\Z`,
/// Unicode scripts (`\p{Greek}`), any other escape of a letter, patterns longer than
/// ``maximumPatternBytes``, nested more than ``maximumNesting`` groups deep, or compiling to
/// more than ``maximumProgramSize`` instructions (e.g. `(a{1000}){1000}`).
public struct LinearRegex: Sendable, CustomStringConvertible {
    /// Why a pattern was refused; the text says what to change.
    public struct CompileError: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
    }

    /// Longest pattern, in UTF-8 bytes.
    public static let maximumPatternBytes = 1024
    /// Largest count of a `{n,m}` repetition (RE2's limit).
    public static let maximumRepeat = 1000
    /// Largest compiled program, in instructions: bounds both compile work and the cost of
    /// one input character.
    public static let maximumProgramSize = 4096
    /// Deepest nesting of groups.
    public static let maximumNesting = 100

    /// The pattern as written.
    public let pattern: String
    private let program: [Instruction]
    /// The program starts with `\A` (or `^` without `m`): only a match starting at 0 counts.
    private let anchoredAtStart: Bool
    /// Some instruction compares case-insensitively (so input case variants are needed).
    private let foldsCase: Bool

    /// Number of instructions; one input character costs at most this many steps.
    public var programSize: Int { program.count }

    public var description: String { "/\(pattern)/" }

    /// Compiles `pattern`, or throws ``CompileError`` naming what is wrong or unsupported.
    public init(_ pattern: String) throws(CompileError) {
        guard pattern.utf8.count <= Self.maximumPatternBytes else {
            throw CompileError(description: "the pattern is longer than \(Self.maximumPatternBytes) bytes")
        }
        var parser = Parser(Array(pattern.unicodeScalars))
        let tree = try parser.parse()
        var compiler = Compiler()
        try compiler.emit(tree)
        try compiler.append(.match)
        self.pattern = pattern
        self.program = compiler.program
        if case .assert(.beginText) = compiler.program.first { anchoredAtStart = true } else { anchoredAtStart = false }
        self.foldsCase = compiler.program.contains { if case .char(let m) = $0 { m.foldCase } else { false } }
    }

    /// Whether `text` contains a match (Go's `MatchString`).
    public func matches(_ text: String) -> Bool {
        var steps = 0
        return matches(text, steps: &steps)
    }

    /// Whether `text` contains a match; adds to `steps` the instructions visited, at most
    /// ``programSize`` × (number of Unicode scalars of `text` + 1).
    public func matches(_ text: String, steps: inout Int) -> Bool {
        let input = Array(text.unicodeScalars)
        var current = ThreadSet(size: program.count)
        var next = ThreadSet(size: program.count)
        var stack: [Int] = []
        stack.reserveCapacity(program.count)
        var position = 0
        while true {
            let context = Context(
                previous: position > 0 ? input[position - 1] : nil, next: position < input.count ? input[position] : nil)
            if position == 0 || !anchoredAtStart {
                if addThread(0, to: &current, context: context, stack: &stack, steps: &steps) { return true }
            }
            guard position < input.count else { return false }
            if current.count == 0, anchoredAtStart { return false }
            let character = input[position]
            let variants = foldsCase ? Self.caseVariants(of: character) : []
            next.clear()
            let nextContext = Context(previous: character, next: position + 1 < input.count ? input[position + 1] : nil)
            for index in 0..<current.count {
                let pc = current.dense[index]
                guard case .char(let matcher) = program[pc], matcher.matches(character, variants: variants) else { continue }
                if addThread(pc + 1, to: &next, context: nextContext, stack: &stack, steps: &steps) { return true }
            }
            swap(&current, &next)
            position += 1
        }
    }

    /// Adds `pc` and everything reachable from it without consuming input; true when that
    /// reaches `match`. Each instruction enters a set at most once per position.
    private func addThread(_ pc: Int, to set: inout ThreadSet, context: Context, stack: inout [Int], steps: inout Int) -> Bool {
        stack.removeAll(keepingCapacity: true)
        stack.append(pc)
        while let pc = stack.popLast() {
            guard set.insert(pc) else { continue }
            steps += 1
            switch program[pc] {
            case .match: return true
            case .char: break
            case .jump(let target): stack.append(target)
            case .split(let first, let second):
                stack.append(second)
                stack.append(first)
            case .assert(let assertion):
                if assertion.holds(context) { stack.append(pc + 1) }
            }
        }
        return false
    }

    /// The other-case forms of `c` (simple case mappings that are one scalar).
    static func caseVariants(of c: Unicode.Scalar) -> [UInt32] {
        if c.isASCII {
            let v = c.value
            if (0x41...0x5A).contains(v) { return [v + 0x20] }
            if (0x61...0x7A).contains(v) { return [v - 0x20] }
            return []
        }
        var out: [UInt32] = []
        let properties = c.properties
        for mapping in [properties.lowercaseMapping, properties.uppercaseMapping, properties.titlecaseMapping] {
            let scalars = mapping.unicodeScalars
            if scalars.count == 1, let only = scalars.first, only != c, !out.contains(only.value) { out.append(only.value) }
        }
        return out
    }
}

// MARK: - Program

extension LinearRegex {
    enum Instruction: Sendable {
        /// Consumes one character that the matcher accepts.
        case char(CharMatcher)
        /// Continues at both targets.
        case split(Int, Int)
        case jump(Int)
        /// Continues only where the empty-width assertion holds.
        case assert(Assertion)
        case match
    }

    enum Assertion: Sendable, Hashable {
        case beginText, endText, beginLine, endLine, wordBoundary, notWordBoundary

        func holds(_ context: Context) -> Bool {
            switch self {
            case .beginText: return context.previous == nil
            case .endText: return context.next == nil
            case .beginLine: return context.previous == nil || context.previous == "\n"
            case .endLine: return context.next == nil || context.next == "\n"
            case .wordBoundary: return Self.isWord(context.previous) != Self.isWord(context.next)
            case .notWordBoundary: return Self.isWord(context.previous) == Self.isWord(context.next)
            }
        }

        /// ASCII word character, as Go's `\b` uses.
        static func isWord(_ c: Unicode.Scalar?) -> Bool {
            guard let c, c.isASCII else { return false }
            let v = c.value
            return (0x30...0x39).contains(v) || (0x41...0x5A).contains(v) || (0x61...0x7A).contains(v) || v == 0x5F
        }
    }

    /// The characters around a position.
    struct Context {
        var previous: Unicode.Scalar?
        var next: Unicode.Scalar?
    }

    /// One character test.
    struct CharMatcher: Sendable {
        enum Kind: Sendable {
            /// Exactly these scalars (one, or with case folding its case variants).
            case scalars([UInt32])
            /// `.`: anything, or anything but `\n`.
            case any(newline: Bool)
            case set(CharSet)
        }

        var kind: Kind
        var foldCase: Bool

        func matches(_ c: Unicode.Scalar, variants: [UInt32]) -> Bool {
            switch kind {
            case .any(let newline): return newline || c != "\n"
            case .scalars(let values):
                if values.contains(c.value) { return true }
                return foldCase && variants.contains { values.contains($0) }
            case .set(let set):
                guard foldCase else { return set.contains(c.value) }
                // Case-insensitive: `c` is in the class when it or one of its case forms is
                // among the members; so `(?i)[^a]` matches neither "a" nor "A".
                let member = set.hasMember(c.value) || variants.contains { set.hasMember($0) }
                return member != set.negated
            }
        }
    }

    /// A bracket class or a Perl class: items, possibly negated.
    struct CharSet: Sendable {
        indirect enum Item: Sendable {
            case range(UInt32, UInt32)
            case category(Set<Unicode.GeneralCategory>)
            case not([Item])

            func contains(_ v: UInt32) -> Bool {
                switch self {
                case .range(let lo, let hi): return lo <= v && v <= hi
                case .category(let categories):
                    guard let scalar = Unicode.Scalar(v) else { return false }
                    return categories.contains(scalar.properties.generalCategory)
                case .not(let items): return !items.contains { $0.contains(v) }
                }
            }
        }

        var items: [Item]
        var negated: Bool

        /// Whether `v` is one of the items (negation not applied).
        func hasMember(_ v: UInt32) -> Bool {
            items.contains { $0.contains(v) }
        }

        func contains(_ v: UInt32) -> Bool {
            hasMember(v) != negated
        }
    }

    /// Set of program counters with insertion order, cleared in O(1) (sparse-set).
    struct ThreadSet {
        var dense: [Int]
        var sparse: [Int]
        var count = 0

        init(size: Int) {
            dense = Array(repeating: 0, count: size)
            sparse = Array(repeating: 0, count: size)
        }

        mutating func insert(_ pc: Int) -> Bool {
            let slot = sparse[pc]
            if slot < count, dense[slot] == pc { return false }
            sparse[pc] = count
            dense[count] = pc
            count += 1
            return true
        }

        mutating func clear() { count = 0 }
    }
}

// MARK: - Syntax tree and compiler

extension LinearRegex {
    indirect enum Node {
        case empty
        case char(CharMatcher)
        case assert(Assertion)
        case concat([Node])
        case alternate([Node])
        /// `max` nil: unbounded.
        case repeated(Node, min: Int, max: Int?)
    }

    struct Compiler {
        var program: [Instruction] = []

        mutating func append(_ instruction: Instruction) throws(CompileError) {
            guard program.count < LinearRegex.maximumProgramSize else {
                throw CompileError(
                    description: "the pattern compiles to more than \(LinearRegex.maximumProgramSize) instructions; use smaller repetition counts")
            }
            program.append(instruction)
        }

        mutating func emit(_ node: Node) throws(CompileError) {
            switch node {
            case .empty: break
            case .char(let matcher): try append(.char(matcher))
            case .assert(let assertion): try append(.assert(assertion))
            case .concat(let nodes):
                for node in nodes { try emit(node) }
            case .alternate(let nodes):
                // split L1, next; L1: a; jmp end; next: split L2, next2; … last: z; end:
                var jumps: [Int] = []
                for (index, node) in nodes.enumerated() {
                    if index < nodes.count - 1 {
                        let split = program.count
                        try append(.split(split + 1, 0))
                        try emit(node)
                        jumps.append(program.count)
                        try append(.jump(0))
                        program[split] = .split(split + 1, program.count)
                    } else {
                        try emit(node)
                    }
                }
                for jump in jumps { program[jump] = .jump(program.count) }
            case .repeated(let node, let min, let max):
                if let max {
                    for _ in 0..<min { try emit(node) }
                    for _ in min..<max {
                        // e?: split body, out
                        let split = program.count
                        try append(.split(split + 1, 0))
                        try emit(node)
                        program[split] = .split(split + 1, program.count)
                    }
                } else if min == 0 {
                    // e*: L: split body, out; body: e; jmp L; out:
                    let split = program.count
                    try append(.split(split + 1, 0))
                    try emit(node)
                    try append(.jump(split))
                    program[split] = .split(split + 1, program.count)
                } else {
                    // e{n,}: e (n-1 times), then L: e; split L, out
                    for _ in 0..<(min - 1) { try emit(node) }
                    let start = program.count
                    try emit(node)
                    try append(.split(start, program.count + 1))
                }
            }
        }
    }
}

// MARK: - Parser

extension LinearRegex {
    struct Flags {
        var caseInsensitive = false
        var multiLine = false
        var dotAll = false
    }

    struct Parser {
        let s: [Unicode.Scalar]
        var i = 0
        var depth = 0

        init(_ s: [Unicode.Scalar]) { self.s = s }

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
                    if peek() == "?" {
                        i += 1  // lazy: the same yes/no answer
                    } else if peek() == "+" {
                        throw error("possessive quantifiers are not supported (RE2 syntax)")
                    }
                    atom = .repeated(atom, min: min, max: max)
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
                case "U": break  // ungreedy: the same yes/no answer
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
            if peek() == "?" {
                switch peek(1) {
                case "=", "!": throw error("lookahead (?\(peek(1)!) is not supported (RE2 syntax)")
                case "<" where peek(2) == "=" || peek(2) == "!":
                    throw error("lookbehind (?<\(peek(2)!) is not supported (RE2 syntax)")
                case ">": throw error("atomic groups (?> are not supported (RE2 syntax)")
                case "P" where peek(2) == "=": throw error("backreferences (?P=name) are not supported (RE2 syntax)")
                case "P" where peek(2) == "<":
                    i += 3
                    try skipGroupName()
                case "<":
                    i += 2
                    try skipGroupName()
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
            return node
        }

        mutating func skipGroupName() throws(CompileError) {
            let start = i
            while let c = peek(), c != ">" {
                guard Assertion.isWord(c) else { throw error("invalid group name at offset \(start)") }
                i += 1
            }
            guard peek() == ">", i > start else { throw error("invalid group name at offset \(start)") }
            i += 1
        }

        // MARK: Escapes

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

        // MARK: Classes

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
}
