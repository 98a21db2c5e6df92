import Foundation
import KubeAPI
import Testing

/// Ages read as kubectl's AGE column reads them (`duration.HumanDuration`).
@Suite("Ages and time left, written as kubectl writes them")
struct HumanDurationTests {
    @Test(
        "each range of kubectl's HumanDuration",
        arguments: [
            (0.0, "0s"), (-0.9, "0s"), (-1.5, "0s"), (-2.0, "<invalid>"), (5, "5s"), (5.9, "5s"), (119, "119s"),
            (120, "2m"), (125, "2m5s"), (599, "9m59s"), (600, "10m"), (179 * 60, "179m"), (3 * 3600, "3h"),
            (3 * 3600 + 20 * 60, "3h20m"), (8 * 3600 + 59 * 60, "8h"), (47 * 3600, "47h"), (48 * 3600, "2d"),
            (3 * 86400 + 5 * 3600, "3d5h"), (8 * 86400, "8d"), (729 * 86400, "729d"), (730 * 86400, "2y"),
            (800 * 86400, "2y70d"), (9 * 365 * 86400, "9y"),
        ] as [(TimeInterval, String)])
    func ranges(seconds: TimeInterval, expected: String) {
        #expect(HumanDuration.format(seconds) == expected)
    }

    @Test("an age is the time from the moment to now")
    func age() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(HumanDuration.age(of: now.addingTimeInterval(-3 * 3600), now: now) == "3h")
        #expect(HumanDuration.age(of: now.addingTimeInterval(-5), now: now) == "5s")
    }
}
