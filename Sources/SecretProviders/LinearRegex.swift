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
    let program: [Instruction]
    /// The program starts with `\A` (or `^` without `m`): only a match starting at 0 counts.
    let anchoredAtStart: Bool
    /// Some instruction compares case-insensitively (so input case variants are needed).
    let foldsCase: Bool
    /// Capturing groups, numbered from 1 (for replacements).
    public let captureCount: Int
    /// Named groups and their numbers.
    public let captureNames: [String: Int]

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
        self.captureCount = parser.captureCount
        self.captureNames = parser.captureNames
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
            case .save: stack.append(pc + 1)
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
