import FakeProvider
import SecretProviders
import Testing

/// `dataFrom.find.name.regexp`: RE2 (Go `regexp`) meaning, in time linear in the key.
@Suite("LinearRegex")
struct LinearRegexTests {
    /// (pattern, input, Go's `regexp.MatchString` result).
    static let table: [(String, String, Bool)] = [
        ("abc", "xabcx", true),
        ("abc", "ab", false),
        ("", "anything", true),
        // Anchors: `$` without (?m) is the end of the text only (Go; unlike Python and PCRE).
        ("^abc$", "abc", true),
        ("^abc$", "abc\n", false),
        ("^b", "a\nb", false),
        ("(?m)^b$", "a\nb\nc", true),
        (#"\Aprod/"#, "prod/x", true),
        (#"\Aprod/"#, "x/prod/", false),
        (#"x\z"#, "x\n", false),
        // Dot and newline.
        ("a.c", "abc", true),
        ("a.c", "a\nc", false),
        ("(?s)a.c", "a\nc", true),
        ("^.$", "日", true),
        ("日本", "こんにちは日本", true),
        // Classes.
        ("[a-c]+x", "zzbx", true),
        ("[^a-c]", "abc", false),
        ("[^a-c]", "abcd", true),
        ("[]a]", "]", true),
        ("[a-]", "-", true),
        ("[a-b-d]", "-", true),
        ("[[:digit:]]+", "ab12", true),
        ("[[:^alpha:]]", "abc", false),
        ("[\\d.]+", "v1.2", true),
        (#"\d{3}-\d{4}"#, "call 555-1234", true),
        (#"\d{3}-\d{4}"#, "555-123", false),
        (#"\d"#, "٣", false),  // \d is ASCII in Go
        (#"\w+@\w+"#, "me@host", true),
        (#"\s"#, "a b", true),
        (#"^\S+$"#, "a b", false),
        (#"\D"#, "123", false),
        (#"\W"#, "abc_1", false),
        (#"\W"#, "a-b", true),
        (#"\pL+"#, "élan", true),
        (#"^\p{Lu}"#, "élan", false),
        (#"^\PL"#, "1a", true),
        (#"\p{Nd}"#, "٣", true),
        // Word boundaries (ASCII words).
        (#"\bfoo\b"#, "a foo b", true),
        (#"\bfoo\b"#, "foobar", false),
        (#"\Bfoo"#, "xfoo", true),
        // Case-insensitive.
        ("(?i)SHOP/", "shop/api", true),
        ("(?i:ab)c", "ABc", true),
        ("(?i:ab)c", "ABC", false),
        ("(?i)[a-c]", "B", true),
        ("(?i)[^a]", "A", false),
        ("(?i)é", "É", true),
        ("(?i)a(?-i)b", "Ab", true),
        ("(?i)a(?-i)b", "AB", false),
        // Quantifiers, lazy forms and counts.
        ("colou?r", "color", true),
        ("colou?r", "colouur", false),
        ("a{2,3}", "caab", true),
        ("^a{2,3}$", "aaaa", false),
        ("^a{2,}$", "aaaaa", true),
        ("^a{2}$", "aa", true),
        ("^a{0}$", "", true),
        ("a*?b", "aaab", true),
        ("^a+?$", "aaa", true),
        ("^a??b$", "b", true),
        ("(?U)^a+$", "aa", true),
        // A brace that does not open a count is a literal (Go).
        ("x{", "x{", true),
        ("a{,2}", "a{,2}", true),
        ("a{x}", "a{x}", true),
        // Groups and alternation.
        ("^(?:ab|cd)+$", "abcdab", true),
        ("^(?:ab|cd)+$", "abca", false),
        ("db|api", "prod/api-key", true),
        ("^(db|api)$", "prod/api", false),
        ("(?P<env>prod|dev)/", "dev/key", true),
        ("(?<env>prod|dev)/", "test/key", false),
        ("(a|)+b", "b", true),
        ("()", "", true),
        // Escapes.
        (#"\."#, "a.b", true),
        (#"\."#, "ab", false),
        (#"\x41"#, "A", true),
        (#"\x{1F600}"#, "😀", true),
        (#"\101"#, "A", true),
        (#"\Qa.b\E"#, "a.b", true),
        (#"\Qa.b\E"#, "axb", false),
        (#"a\-b\_c"#, "a-b_c", true),
        (#"\t"#, "a\tb", true),
    ]

    @Test("matches as Go's regexp.MatchString does", arguments: table)
    func goSemantics(pattern: String, input: String, expected: Bool) throws {
        let regex = try LinearRegex(pattern)
        #expect(regex.matches(input) == expected, "/\(pattern)/ on \(input.debugDescription)")
    }

    /// Patterns that take exponential time with a backtracking engine, over 10,000-character
    /// keys: each character costs at most one visit of each instruction.
    @Test("catastrophic patterns over 10,000-character keys take at most programSize × (length + 1) steps", arguments: [
        ("^(a+)+$", String(repeating: "a", count: 10_000) + "!", false),
        ("^(a+)+$", String(repeating: "a", count: 10_000), true),
        ("(a|a)*b", String(repeating: "a", count: 10_000), false),
        ("(a*)*$", String(repeating: "a", count: 10_000) + "!", true),
        ("^(a*)*$", String(repeating: "a", count: 10_000) + "!", false),
        ("(x+x+)+y", String(repeating: "x", count: 10_000), false),
        ("^(\\w+\\s?)*$", String(repeating: "word ", count: 2_000) + "!", false),
        ("(.*a){20}", String(repeating: "a", count: 19) + String(repeating: "b", count: 9_981), false),
    ])
    func catastrophicPatternsAreLinear(pattern: String, input: String, expected: Bool) throws {
        let regex = try LinearRegex(pattern)
        var steps = 0
        #expect(regex.matches(input, steps: &steps) == expected)
        let length = input.unicodeScalars.count
        #expect(steps <= regex.programSize * (length + 1), "\(steps) steps for a program of \(regex.programSize)")
        #expect(steps > 0)
    }

    @Test("constructs RE2 lacks and malformed patterns are refused with the reason", arguments: [
        (#"(a)\1"#, "backreference"),
        (#"(?P<n>a)(?P=n)"#, "backreference"),
        (#"\k<n>"#, "backreference"),
        ("(?=a)", "lookahead"),
        ("(?!a)", "lookahead"),
        ("(?<=a)b", "lookbehind"),
        ("(?<!a)b", "lookbehind"),
        ("(?>a)", "atomic"),
        ("a++", "possessive"),
        (#"a\Z"#, #"\Z"#),
        (#"\p{Greek}"#, "Unicode class"),
        (#"\e"#, "escape"),
        ("(abc", "missing )"),
        ("abc)", "unexpected )"),
        ("[a", "missing closing ]"),
        ("[z-a]", "range"),
        ("*a", "missing argument"),
        ("a**", "nested repetition"),
        ("x{1001}", "repeat count"),
        ("x{2,1}", "repeat count"),
        ("(?z)", "group syntax"),
        ("a\\", "trailing backslash"),
    ])
    func refused(pattern: String, reason: String) {
        #expect {
            _ = try LinearRegex(pattern)
        } throws: { error in
            (error as? LinearRegex.CompileError)?.description.contains(reason) == true
        }
    }

    @Test("length, repetition and program size are bounded at compile time")
    func limits() throws {
        let atLimit = String(repeating: "a", count: LinearRegex.maximumPatternBytes)
        #expect(try LinearRegex(atLimit).matches(atLimit))
        #expect(throws: LinearRegex.CompileError.self) { try LinearRegex(atLimit + "a") }
        // Multi-byte characters count in bytes.
        #expect(throws: LinearRegex.CompileError.self) { try LinearRegex(String(repeating: "é", count: 513)) }
        #expect(try LinearRegex("^a{1000}$").matches(String(repeating: "a", count: 1000)))
        #expect(throws: LinearRegex.CompileError.self) { try LinearRegex("(a{1000}){1000}") }
        #expect(throws: LinearRegex.CompileError.self) { try LinearRegex("((a{100}){100}){100}") }
        let deep = String(repeating: "(", count: LinearRegex.maximumNesting + 1) + String(repeating: ")", count: LinearRegex.maximumNesting + 1)
        #expect(throws: LinearRegex.CompileError.self) { try LinearRegex(deep) }
        let nested = String(repeating: "(", count: LinearRegex.maximumNesting) + "a" + String(repeating: ")", count: LinearRegex.maximumNesting)
        #expect(try LinearRegex(nested).matches("a"))
    }

    @Test("a find's name pattern that does not compile is an invalidRequest naming the reason; a valid one filters keys")
    func findMatcher() throws {
        #expect {
            _ = try FindQuery(nameRegexp: "(?=x)").matcher()
        } throws: { error in
            (error as? ProviderError)?.class == .invalidRequest && "\(error)".contains("lookahead")
        }
        let matcher = try FindQuery(path: "shop/", nameRegexp: "^shop/(api|db)-").matcher()
        #expect(matcher.matches(key: "shop/api-key"))
        #expect(!matcher.matches(key: "shop/cache-key"))
        #expect(!matcher.matches(key: "other/api-key"))
    }

    @Test("a find with a catastrophic pattern over many long keys completes and yields exactly the matching keys")
    func findOverManyKeys() async throws {
        var entries: [FakeProvider.Entry] = []
        // Keys that make `^(a+)+$` backtrack for ever: many a's then a character that fails.
        for index in 0..<500 { entries.append(.init(key: String(repeating: "a", count: 40 + index % 7) + "-\(index)", value: "x")) }
        for length in 1...30 { entries.append(.init(key: String(repeating: "a", count: length), value: "y")) }
        let provider = FakeProvider(data: entries)
        let keys = try await provider.find(FindQuery(nameRegexp: "^(a+)+$"))
        #expect(keys == (1...30).map { String(repeating: "a", count: $0) }.sorted())
    }
}
