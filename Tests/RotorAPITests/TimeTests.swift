import Foundation
import JSONCore
import KubeAPI
import Testing

@Suite("RFC 3339 times")
struct TimeTests {
    @Test("formats in UTC with a Z suffix")
    func formatsUTC() {
        #expect(RFC3339.format(Date(timeIntervalSince1970: 0), fractionalDigits: 0) == "1970-01-01T00:00:00Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: 1_795_946_400), fractionalDigits: 0) == "2026-11-29T10:00:00Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: 1_709_251_199), fractionalDigits: 0) == "2024-02-29T23:59:59Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: 2_147_483_648), fractionalDigits: 0) == "2038-01-19T03:14:08Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: -1), fractionalDigits: 0) == "1969-12-31T23:59:59Z")
    }

    @Test("formats a fraction with the requested digits, truncating whole seconds")
    func formatsFractions() {
        let date = Date(timeIntervalSince1970: 1_795_946_400.5)
        #expect(RFC3339.format(date, fractionalDigits: 0) == "2026-11-29T10:00:00Z")
        #expect(RFC3339.format(date, fractionalDigits: 3) == "2026-11-29T10:00:00.500Z")
        #expect(RFC3339.format(date, fractionalDigits: 6) == "2026-11-29T10:00:00.500000Z")
    }

    @Test("parses UTC times, with or without a fraction")
    func parsesUTC() throws {
        #expect(RFC3339.parse("2026-11-29T10:00:00Z") == Date(timeIntervalSince1970: 1_795_946_400))
        #expect(RFC3339.parse("1999-12-31T23:59:59Z") == Date(timeIntervalSince1970: 946_684_799))
        #expect(RFC3339.parse("2026-11-29t10:00:00z") == Date(timeIntervalSince1970: 1_795_946_400))
        let withFraction = try #require(RFC3339.parse("2026-11-29T10:00:00.25Z"))
        #expect(withFraction.timeIntervalSince1970 == 1_795_946_400.25)
    }

    @Test("applies a numeric offset to get UTC")
    func parsesOffsets() {
        let utc = Date(timeIntervalSince1970: 1_795_946_400)
        #expect(RFC3339.parse("2026-11-29T11:30:00+01:30") == utc)
        #expect(RFC3339.parse("2026-11-29T05:00:00-05:00") == utc)
        #expect(RFC3339.parse("2026-11-29T10:00:00+00:00") == utc)
        #expect(RFC3339.parse("2026-11-30T00:00:00+14:00") == utc)
        #expect(RFC3339.parse("2026-11-28T23:00:00.000-11:00") == utc)
    }

    @Test("rejects text that is not an RFC 3339 time", arguments: [
        "", "2026-11-29", "2026-11-29T10:00:00", "2026-11-29 10:00:00Z", "2026-13-01T00:00:00Z",
        "2026-00-10T00:00:00Z", "2026-11-31T00:00:00Z", "2026-02-29T00:00:00Z", "2100-02-29T00:00:00Z",
        "2026-11-29T24:00:00Z", "2026-11-29T10:60:00Z", "2026-11-29T10:00:00.Z", "2026-11-29T10:00:00+0100",
        "2026-11-29T10:00:00+25:00", "2026-11-29T10:00:00+01:60", "2026-11-29T10:00:00Zjunk", "26-11-29T10:00:00Z",
    ])
    func rejectsInvalid(text: String) {
        #expect(RFC3339.parse(text) == nil)
    }

    @Test("accepts the 29th of February in leap years")
    func leapDays() {
        #expect(RFC3339.parse("2024-02-29T00:00:00Z") != nil)
        #expect(RFC3339.parse("2000-02-29T00:00:00Z") != nil)
    }

    @Test("KubeTime drops the fraction of a second, as metav1.Time does")
    func kubeTimeTruncates() throws {
        let time = try #require(KubeTime(rfc3339: "2026-11-29T10:00:00.999Z"))
        #expect(time.rfc3339 == "2026-11-29T10:00:00Z")
        #expect(time == KubeTime(Date(timeIntervalSince1970: 1_795_946_400)))
    }

    @Test("KubeMicroTime keeps every microsecond through format and parse")
    func microTimeKeepsMicroseconds() throws {
        let one = try #require(KubeMicroTime(rfc3339: "2026-11-29T10:00:00.000001Z"))
        #expect(one.rfc3339 == "2026-11-29T10:00:00.000001Z")
        #expect(KubeMicroTime(Date(timeIntervalSince1970: 1_795_946_400.000001)).rfc3339 == "2026-11-29T10:00:00.000001Z")
        var generator = SeededGenerator(seed: 42)
        for _ in 0..<2000 {
            let seconds = Int64.random(in: 0..<4_102_444_800, using: &generator)
            let micros = Int64.random(in: 0..<1_000_000, using: &generator)
            let text = RFC3339.format(Date(timeIntervalSince1970: Double(seconds)), fractionalDigits: 0)
                .replacingOccurrences(of: "Z", with: "." + String(format: "%06lld", micros) + "Z")
            let parsed = try #require(KubeMicroTime(rfc3339: text))
            #expect(parsed.rfc3339 == text)
        }
    }

    @Test("KubeMicroTime rounds digits beyond the microsecond, which a Date cannot hold exactly")
    func microTimeDropsNanoseconds() throws {
        #expect(KubeMicroTime(rfc3339: "2026-11-29T10:00:00.123456789Z")?.rfc3339 == "2026-11-29T10:00:00.123457Z")
        #expect(KubeMicroTime(rfc3339: "2026-11-29T10:00:00.5+01:00")?.rfc3339 == "2026-11-29T09:00:00.500000Z")
    }

    @Test("times are JSON strings, and a malformed one fails to decode")
    func jsonCoding() throws {
        struct Times: Codable, Equatable {
            var at: KubeTime
            var micro: KubeMicroTime
        }
        let json = #"{"at":"2026-11-29T10:00:00Z","micro":"2026-11-29T10:00:00.123456Z"}"#
        let times = try KubeJSON.decoder.decode(Times.self, from: Data(json.utf8))
        #expect(String(decoding: try KubeJSON.encoder.encode(times), as: UTF8.self) == json)
        #expect(throws: DecodingError.self) {
            try KubeJSON.decoder.decode(Times.self, from: Data(#"{"at":"yesterday","micro":"2026-11-29T10:00:00Z"}"#.utf8))
        }
    }

    @Test("orders times chronologically")
    func ordering() throws {
        let earlier = try #require(KubeTime(rfc3339: "2026-11-29T10:00:00+01:00"))
        let later = try #require(KubeTime(rfc3339: "2026-11-29T09:30:00Z"))
        #expect(earlier < later)
    }
}
