import Foundation
import RotorAPI
import Testing

@Suite("KubeDuration")
struct RotorKubeDurationTests {
    @Test("Go-style durations parse to nanoseconds", arguments: [
        ("0", Int64(0)), ("0s", 0), ("-0", 0), ("1h", 3_600_000_000_000), ("15m", 900_000_000_000),
        ("90s", 90_000_000_000), ("1h30m", 5_400_000_000_000), ("1.5h", 5_400_000_000_000),
        ("2h45m30.5s", 9_930_500_000_000), ("250ms", 250_000_000), ("10us", 10_000), ("10µs", 10_000),
        ("7ns", 7), (".5s", 500_000_000), ("1.s", 1_000_000_000), ("-1m", -60_000_000_000), ("+2s", 2_000_000_000),
        ("2562047h47m16.854775807s", Int64.max),
    ])
    func parses(text: String, nanoseconds: Int64) {
        #expect(KubeDuration(text)?.nanoseconds == nanoseconds)
    }

    @Test("text that is not a Go duration is refused", arguments: [
        "", "1", "10", "h", "1d", "1 h", "1h ", "-", ".", ".s", "1.2.3s", "1hm", "abc", "2562047h47m16.854775808s",
        "99999999999999999999h",
    ])
    func refuses(text: String) {
        #expect(KubeDuration(text) == nil)
    }

    @Test("durations print like Go's Duration.String", arguments: [
        (Int64(0), "0s"), (3_600_000_000_000, "1h0m0s"), (5_400_000_000_000, "1h30m0s"), (90_000_000_000, "1m30s"),
        (1_500_000_000, "1.5s"), (250_000_000, "250ms"), (1_500, "1.5µs"), (7, "7ns"), (-60_000_000_000, "-1m0s"),
        (9_930_500_000_000, "2h45m30.5s"), (1_000_050_000, "1.00005s"),
    ])
    func formats(nanoseconds: Int64, text: String) {
        #expect(KubeDuration(nanoseconds: nanoseconds).description == text)
    }

    @Test("printing then parsing gives the same duration")
    func roundTrips() {
        var generator = SeededGenerator(seed: 42)
        for _ in 0..<1_000 {
            let d = KubeDuration(nanoseconds: Int64.random(in: -1_000_000_000_000_000...1_000_000_000_000_000, using: &generator))
            #expect(KubeDuration(d.description) == d)
        }
    }

    @Test("the schema pattern accepts the durations users write and refuses signs")
    func schemaPattern() throws {
        let regex = try Regex(KubeDuration.pattern)
        for ok in ["0", "1h", "15m", "1h30m", "1.5h", "250ms", "90s"] { #expect(ok.wholeMatch(of: regex) != nil, "\(ok)") }
        for bad in ["", "-1h", "1", "1d", "h"] { #expect(bad.wholeMatch(of: regex) == nil, "\(bad)") }
    }
}
