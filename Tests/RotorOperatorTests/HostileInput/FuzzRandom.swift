import Foundation

/// A seeded, reproducible source of choices for the hostile-input property tests
/// (SplitMix64): the same seed gives the same cases on every machine.
///
/// The seed of a run is printed at its start; `ROTOR_FUZZ_SEED=<n>` replays it, and
/// `ROTOR_FUZZ_TRACE=1` prints every case's description before running it (to find the
/// input of a trap, which ends the process before any report).
struct FuzzRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniformly drawn integer in `range`.
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }

    /// True with probability `1/n`.
    mutating func oneIn(_ n: Int) -> Bool { int(1...n) == 1 }

    mutating func bool() -> Bool { next() & 1 == 0 }

    mutating func pick<T>(_ choices: [T]) -> T { choices[int(0...(choices.count - 1))] }

    /// The seed of case `index` of a run started with `seed`: each case can be replayed alone.
    static func caseSeed(run seed: UInt64, index: Int) -> UInt64 {
        var mixer = FuzzRandom(seed: seed ^ (UInt64(index) &* 0xD1B5_4A32_D192_ED03))
        return mixer.next()
    }

    /// The run's seed: `ROTOR_FUZZ_SEED` when set (a replay), else a fixed default so that
    /// an ordinary test run is reproducible; `ROTOR_FUZZ_SEED=random` draws a new one.
    static func runSeed(default fallback: UInt64) -> UInt64 {
        let text = ProcessInfo.processInfo.environment["ROTOR_FUZZ_SEED"]
        if text == "random" { return UInt64.random(in: 0...UInt64.max) }
        return text.flatMap { UInt64($0) } ?? fallback
    }

    /// Whether each case is printed before it runs.
    static var tracing: Bool { ProcessInfo.processInfo.environment["ROTOR_FUZZ_TRACE"] == "1" }

    /// How many cases to run: `ROTOR_FUZZ_CASES` (for longer local runs) or `fallback`.
    static func caseCount(_ fallback: Int) -> Int {
        ProcessInfo.processInfo.environment["ROTOR_FUZZ_CASES"].flatMap { Int($0) }.map { max($0, fallback) } ?? fallback
    }
}

/// Hostile values: extreme numbers, Unicode (non-ASCII digits, RTL overrides, NUL,
/// combining marks, emoji), Mustache, path tricks and huge strings.
enum Hostile {
    /// Short strings that have broken parsers before.
    static let tricky: [String] = [
        "", " ", "0", "-1", "a", "A", ".", "..", "-", "_", "a.b", "a/b", "../../etc/passwd", "%2e%2e%2f",
        "\u{0}", "a\u{0}b", "\u{202E}drowssap", "\u{200F}\u{200E}", "\u{200B}", "\u{FEFF}key",
        "e\u{301}\u{301}\u{301}\u{301}", "\u{0627}\u{0644}\u{0633}\u{0631}", "ключ", "密钥", "🔑", "👨‍👩‍👧‍👦",
        "\u{0663}\u{0664}", "\u{FF11}\u{FF12}", "\u{0967}", "𝟗", "\u{00B5}s", "\\", "\"", "'", "\n", "\r\n", "\t",
        "{{", "}}", "{{x}}", "{{{x}}}", "{{#a}}", "{{/a}}", "{{>partial}}", "{{=<% %>=}}", "{{!}}", "{{% CONTENT_TYPE: HTML}}",
        "1e300", "-1e300", "NaN", "inf", "-inf", "Infinity", "9223372036854775807", "9223372036854775808",
        "-9223372036854775809", "18446744073709551616", "0x10", "1_000", "+1", "١٢٣",
        "rotor.dev/managed", "kubernetes.io/service-account-token", "$(whoami)", "<script>", "null", "true",
    ]

    /// A key-like ASCII word that a Secret accepts (`[-._a-zA-Z0-9]+`).
    static func validKey(_ r: inout FuzzRandom) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        var text = String(r.pick(letters))
        for _ in 0..<r.int(0...10) { text.append(r.pick(alphabet)) }
        return text
    }

    /// A hostile string: mostly short and tricky, sometimes random Unicode, rarely huge.
    static func string(_ r: inout FuzzRandom, allowHuge: Bool = true) -> String {
        switch r.int(0...19) {
        case 0...8: return r.pick(tricky)
        case 9...11: return validKey(&r)
        case 12...14:
            var scalars = String.UnicodeScalarView()
            for _ in 0..<r.int(1...24) {
                let ranges: [ClosedRange<UInt32>] = [0x0...0x7F, 0x80...0x7FF, 0x300...0x36F, 0x590...0x6FF, 0x2000...0x206F, 0x4E00...0x4E80, 0x1F300...0x1F64F, 0xFF00...0xFFEF]
                let range = r.pick(ranges)
                if let scalar = Unicode.Scalar(UInt32.random(in: range, using: &r)) { scalars.append(scalar) }
            }
            return String(scalars)
        case 15...16:
            return r.pick(tricky) + validKey(&r) + r.pick(tricky)
        case 17:
            return String(repeating: r.pick(["a", "é", "🔑", "{{", "\u{0}", "a/"]), count: r.int(256...4096))
        default:
            guard allowHuge, r.oneIn(4) else { return validKey(&r) }
            // Huge: past Kubernetes' limits (a label value is 63, an object 1.5 MiB).
            return String(repeating: r.pick(["x", "ü", "0"]), count: r.pick([70_000, 300_000, 1_100_000]))
        }
    }

    /// A Go duration as a tenant might write it: valid, extreme, or garbage.
    static func duration(_ r: inout FuzzRandom) -> String {
        let fixed = [
            "1h", "15m", "0", "30s", "1h30m", "1.5h", ".5s", "250ms", "1ns", "1us", "\u{00B5}s", "1\u{00B5}s",
            "2562047h", "2562047h47m16.854775807s", "2562048h", "2329000h", "1000000h", "9223372036854775807ns",
            "9223372036854775808ns", "99999999999999999999h", "1e9h", "-1h", "-0", "+1h", "1d", "1w", "h", "", " 1h", "1h ",
            "1H", "١h", "\u{FF11}h", "𝟙h", "1h\u{0}", "0.0000000000000000001h", "1.h", "1..5h", "NaN", "inf", "1hm",
        ]
        if r.bool() { return r.pick(fixed) }
        var text = ""
        for _ in 0..<r.int(1...3) {
            let digits = String((0..<r.int(1...22)).map { _ in Character(String(r.int(0...9))) })
            text += digits + (r.oneIn(5) ? "." + String(r.int(0...999_999)) : "") + r.pick(["ns", "us", "ms", "s", "m", "h", "h", "m", "", "x", "\u{00B5}s"])
        }
        return text
    }

    /// How a string is shown in a failure report: escaped, and cut short when long.
    /// Only spec fields (names, durations, patterns) are shown this way, never values.
    static func show(_ text: String) -> String {
        let count = text.unicodeScalars.count
        guard count > 48 else { return text.debugDescription }
        return "<\(count) scalars, starting \(String(String.UnicodeScalarView(text.unicodeScalars.prefix(16))).debugDescription)>"
    }
}
