import SecretProviders
import Testing

/// `dataFrom.rewrite.regexp`: Go's `Regexp.ReplaceAllString` meaning, in linear time per match.
@Suite("LinearRegex: replacing")
struct LinearRegexReplaceTests {
    /// (pattern, input, template, what Go's `regexp.MustCompile(p).ReplaceAllString(in, t)` returns).
    static let table: [(String, String, String, String)] = [
        ("path/to/my/secrets/(.*)", "path/to/my/secrets/db", "$1", "db"),
        ("^shop/", "shop/api-key", "", "api-key"),
        ("/", "a/b/c", "_", "a_b_c"),
        ("(?P<env>[a-z]+)-(?P<name>[a-z]+)", "prod-db", "${name}_${env}", "db_prod"),
        ("(a)(b)?", "ac", "[$1|$2]", "[a|]c"),
        ("a", "banana", "$$", "b$n$n$"),
        ("x*", "abc", "-", "-a-b-c-"),
        ("a*", "baaac", "-", "-b-c-"),
        ("(a+)", "caaat", "${1}x", "caaaxt"),
        ("(a+)", "caaat", "$1x", "ct"),
        ("a+?", "aaa", "b", "bbb"),
        ("(a+?)(a*)", "aaa", "$2", "aa"),
        ("(?U)(a+)", "aaa", "<$1>", "<a><a><a>"),
        ("(foo|foobar)", "foobar", "[$1]", "[foo]bar"),
        (#"\bkey\b"#, "key keys key", "K", "K keys K"),
        ("(?i)DB", "db_Db", "x", "x_x"),
        ("nomatch", "unchanged", "x", "unchanged"),
        ("^", "abc", "p_", "p_abc"),
        ("$", "abc", "_s", "abc_s"),
    ]

    @Test("replaces as Go's ReplaceAllString", arguments: table)
    func replaces(_ pattern: String, _ input: String, _ template: String, _ expected: String) throws {
        let regex = try LinearRegex(pattern)
        var steps = 0
        #expect(try regex.replacingAll(in: input, with: template, steps: &steps, budget: 1_000_000) == expected)
    }

    @Test("hostile: a pathological pattern over a long key costs linear steps, and a budget stops the work")
    func pathologicalPatternIsBounded() throws {
        let regex = try LinearRegex("^(a+)+$")
        let key = String(repeating: "a", count: 1000) + "!"
        var steps = 0
        #expect(try regex.replacingAll(in: key, with: "x", steps: &steps, budget: 10_000_000) == key)
        #expect(steps < 200_000, "steps grow linearly with the key, not exponentially (took \(steps))")
        var limited = 0
        #expect(throws: LinearRegex.ReplaceError.tooCostly(budget: 100)) {
            try regex.replacingAll(in: key, with: "x", steps: &limited, budget: 100)
        }
    }
}
