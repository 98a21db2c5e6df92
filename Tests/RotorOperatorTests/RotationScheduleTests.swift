import Foundation
import KubeAPI
import RotorAPI
import RotorOperator
import SecretProviders
import Testing

/// Cron and interval schedules, value generation and the scheduled-rotation decisions (pure).
@Suite("Rotation schedule")
struct RotationScheduleTests {
    static func date(_ text: String) -> Date { KubeTime(rfc3339: text)!.date }

    static func next(_ cron: String, after: String) -> String? {
        guard let schedule = try? CronSchedule(parsing: cron) else { return "unparsable" }
        return schedule.next(after: date(after)).map { KubeTime($0).rfc3339 }
    }

    // MARK: Cron

    @Test("cron: known cases in UTC", arguments: [
        ("0 3 * * *", "2027-01-15T08:00:00Z", "2027-01-16T03:00:00Z"),
        ("0 3 * * *", "2027-01-15T02:59:59Z", "2027-01-15T03:00:00Z"),
        ("*/15 * * * *", "2027-01-15T08:00:00Z", "2027-01-15T08:15:00Z"),
        ("*/15 * * * *", "2027-01-15T08:07:30Z", "2027-01-15T08:15:00Z"),
        ("0 0 1 * *", "2027-01-15T08:00:00Z", "2027-02-01T00:00:00Z"),
        ("0 0 1 1 *", "2027-01-15T08:00:00Z", "2028-01-01T00:00:00Z"),
        ("0 0 29 2 *", "2027-01-15T08:00:00Z", "2028-02-29T00:00:00Z"),
        ("30 4 * * mon", "2027-01-15T08:00:00Z", "2027-01-18T04:30:00Z"),
        ("0 0 * * 7", "2027-01-15T08:00:00Z", "2027-01-17T00:00:00Z"),
        ("0 0 * * 0", "2027-01-15T08:00:00Z", "2027-01-17T00:00:00Z"),
        ("0 0 13 * fri", "2027-01-15T08:00:00Z", "2027-01-22T00:00:00Z"),
        ("0 12 * jan-mar/2 *", "2027-01-31T13:00:00Z", "2027-03-01T12:00:00Z"),
        ("5,10 1-2 * * *", "2027-01-15T01:10:00Z", "2027-01-15T02:05:00Z"),
        ("30 2 * * *", "2027-03-14T00:00:00Z", "2027-03-14T02:30:00Z"),
        ("0 1 * * *", "2027-10-31T00:30:00Z", "2027-10-31T01:00:00Z"),
        ("@hourly", "2027-01-15T08:00:00Z", "2027-01-15T09:00:00Z"),
        ("@daily", "2027-12-31T23:59:00Z", "2028-01-01T00:00:00Z"),
        ("59 23 31 12 *", "2027-12-31T23:59:00Z", "2028-12-31T23:59:00Z"),
    ])
    func cronKnownCases(_ cron: String, _ after: String, _ expected: String) {
        #expect(Self.next(cron, after: after) == expected)
    }

    @Test("cron: a date that never comes has no next time")
    func cronNever() {
        #expect(Self.next("0 0 30 2 *", after: "2027-01-15T08:00:00Z") == nil)
    }

    @Test("cron: malformed expressions are refused", arguments: ["61 * * * *", "* * * *", "*/0 * * * *", "0 0 32 * *", "a b c d e", "0 0 * * 8", "5-1 * * * *", ""])
    func cronRefused(_ cron: String) {
        let parsed = try? CronSchedule(parsing: cron)
        #expect(parsed == nil)
    }

    // MARK: Schedule decisions

    static let generate = [RotationGenerator(property: "password", length: 24)]

    @Test("every: the next rotation is one period after the last; a new schedule does not rotate at once")
    func everyNext() {
        let now = Self.date("2027-01-15T08:00:00Z")
        let schedule = RotationSchedule(every: "24h")
        #expect(ScheduledRotation.nextRotation(recorded: nil, schedule: schedule, now: now) == Self.date("2027-01-16T08:00:00Z"))
        let recorded = Self.date("2027-01-15T20:00:00Z")
        #expect(ScheduledRotation.nextRotation(recorded: recorded, schedule: schedule, now: now) == recorded)
        #expect(ScheduledRotation.nextRotation(recorded: recorded, schedule: RotationSchedule(every: "1h"), now: now) == Self.date("2027-01-15T09:00:00Z"),
            "a shorter schedule pulls the next rotation earlier")
        #expect(ScheduledRotation.nextRotation(recorded: recorded, schedule: nil, now: now) == nil)
    }

    @Test("due when the time has come, when rotor.dev/rotate has a new value, or to resume a recorded one")
    func decisions() {
        let now = Self.date("2027-01-15T08:00:00Z")
        let rotation = ExternalSecretRotation(gracePeriod: "1h", schedule: RotationSchedule(every: "24h"), generate: Self.generate)
        let notYet = ExternalSecretRotationStatus(nextRotation: KubeTime(now.addingTimeInterval(1)))
        let due = ExternalSecretRotationStatus(nextRotation: KubeTime(now))
        #expect(ScheduledRotation.decide(rotation: rotation, status: notYet, rotateAnnotation: nil, now: now) == .none)
        #expect(ScheduledRotation.decide(rotation: rotation, status: due, rotateAnnotation: nil, now: now) == .start)
        #expect(ScheduledRotation.decide(rotation: rotation, status: notYet, rotateAnnotation: "1", now: now) == .start)
        var handled = notYet
        handled.rotateRequest = "1"
        #expect(ScheduledRotation.decide(rotation: rotation, status: handled, rotateAnnotation: "1", now: now) == .none)
        #expect(ScheduledRotation.decide(rotation: rotation, status: handled, rotateAnnotation: "", now: now) == .none)
        var pending = notYet
        pending.pendingID = "id-1"
        #expect(ScheduledRotation.decide(rotation: rotation, status: pending, rotateAnnotation: nil, now: now) == .resume(pendingID: "id-1"))
        #expect(ScheduledRotation.decide(rotation: ExternalSecretRotation(gracePeriod: "1h"), status: pending, rotateAnnotation: nil, now: now) == .abandon)
        #expect(ScheduledRotation.decide(rotation: ExternalSecretRotation(gracePeriod: "1h"), status: due, rotateAnnotation: "1", now: now) == .none,
            "without generate there is nothing to write")
    }

    @Test("a schedule needs exactly one of every or cron, a sane period and a generator")
    func validation() {
        func problem(_ rotation: ExternalSecretRotation) -> String? { ScheduledRotation.validate(rotation)?.message }
        #expect(problem(ExternalSecretRotation(gracePeriod: "1h", schedule: RotationSchedule(every: "24h"), generate: Self.generate)) == nil)
        #expect(problem(ExternalSecretRotation(gracePeriod: "1h", schedule: RotationSchedule(cron: "0 3 * * *"), generate: Self.generate)) == nil)
        #expect(problem(ExternalSecretRotation(gracePeriod: "1h", schedule: RotationSchedule(every: "24h", cron: "0 3 * * *"), generate: Self.generate))?.hasPrefix("spec.rotation.schedule") == true)
        #expect(problem(ExternalSecretRotation(gracePeriod: "1h", schedule: RotationSchedule(every: "10s"), generate: Self.generate))?.hasPrefix("spec.rotation.schedule.every") == true)
        #expect(problem(ExternalSecretRotation(gracePeriod: "1h", schedule: RotationSchedule(cron: "0 3 * *"), generate: Self.generate))?.hasPrefix("spec.rotation.schedule.cron") == true)
        #expect(problem(ExternalSecretRotation(gracePeriod: "1h", schedule: RotationSchedule(every: "24h")))?.hasPrefix("spec.rotation.generate") == true)
        #expect(problem(ExternalSecretRotation(gracePeriod: "1h", generate: [RotationGenerator(property: "p", length: 4)]))?.hasPrefix("spec.rotation.generate[0].length") == true)
        #expect(problem(ExternalSecretRotation(gracePeriod: "1h", generate: [RotationGenerator(property: "p"), RotationGenerator(property: "p")])) != nil)
    }

    @Test("the remote secret written is the one the generated properties are read from")
    func remoteKey() throws {
        func spec(_ data: [(String, String, String?)], dataFrom: [String] = []) -> ExternalSecretSpec {
            var spec = ExternalSecretSpec(
                secretStoreRef: SecretStoreRef(name: "s"),
                data: data.map { ExternalSecretData(secretKey: $0.0, remoteRef: ExternalSecretRemoteRef(key: $0.1, property: $0.2)) })
            if !dataFrom.isEmpty { spec.dataFrom = dataFrom.map { ExternalSecretDataFromSource(extract: ExternalSecretExtract(key: $0)) } }
            spec.rotation = ExternalSecretRotation(gracePeriod: "1h", generate: Self.generate)
            return spec
        }
        #expect(try ScheduledRotation.remoteKey(for: spec([("password", "db/creds", "password"), ("user", "db/other", "user")])).get() == "db/creds")
        #expect(try ScheduledRotation.remoteKey(for: spec([], dataFrom: ["db/creds"])).get() == "db/creds")
        #expect((try? ScheduledRotation.remoteKey(for: spec([("password", "a", "password"), ("p2", "b", "password")])).get()) == nil)
        #expect((try? ScheduledRotation.remoteKey(for: spec([("password", "a", nil)])).get()) == nil)
    }

    /// A current secret with every kind of JSON value a rotation must keep as it is.
    static let typedSecret = #"{"user":"app","port":5432,"ratio":1.5,"thousand":1e3,"tenth":0.1,"negative":-7,"#
        + #""big":123456789012345678901234567890,"tls":true,"legacy":false,"proxy":null,"#
        + #""pool":{"min": 1, "max": [2, 3.0], "name": "p\/q"},"hosts":["db-1",{"port":6432}],"#
        + #""note":"caf\u00e9 \"quoted\" back\\slash \ud83d\ude00 tab\t","password":"old"}"#

    @Test("read-modify-write replaces only the generated properties; numbers, booleans, null, objects, arrays and strings are kept exactly")
    func mergeKeepsJSONTypes() throws {
        let current = SecretValue(utf8: Self.typedSecret)
        let generated: [String: SecretValue] = ["password": SecretValue(utf8: "new \"pw\"\n"), "token": SecretValue(utf8: "t0k")]
        let merged = try ScheduledRotation.merged(current: current, generated: generated, key: "db/creds")
        let text = try #require(merged.revealedString())
        // Members keep their order and their JSON text; a new generated property comes last.
        #expect(text == #"{"user":"app","port":5432,"ratio":1.5,"thousand":1e3,"tenth":0.1,"negative":-7,"#
            + #""big":123456789012345678901234567890,"tls":true,"legacy":false,"proxy":null,"#
            + #""pool":{"min": 1, "max": [2, 3.0], "name": "p\/q"},"hosts":["db-1",{"port":6432}],"#
            + #""note":"café \"quoted\" back\\slash 😀 tab\t","password":"new \"pw\"\n","token":"t0k"}"#)
        // Every kept property has the same value as before, read the way a sync reads it.
        let before = try current.extractProperties(key: "db/creds")
        let after = try merged.extractProperties(key: "db/creds")
        #expect(before.count == 14 && after.count == 15)
        for (name, value) in before where name != "password" {
            #expect(after[name] == value, "\(name) is kept")
        }
        #expect(after["password"] == SecretValue(utf8: "new \"pw\"\n"))
        #expect(after["token"] == SecretValue(utf8: "t0k"))
        // And with its JSON type, as an application parsing the secret sees it.
        let object = try #require(try JSONSerialization.jsonObject(with: Data(merged.revealedBytes())) as? [String: Any])
        #expect(object["port"] as? Int == 5432)
        #expect(object["ratio"] as? Double == 1.5)
        #expect(object["thousand"] as? Double == 1000)
        #expect(object["tls"] as? Bool == true)
        #expect(object["legacy"] as? Bool == false)
        #expect(object["proxy"] is NSNull)
        #expect((object["pool"] as? [String: Any])?["min"] as? Int == 1)
        #expect((object["hosts"] as? [Any])?.count == 2)
        #expect(object["password"] as? String == "new \"pw\"\n")
    }

    @Test("a remote already holding the generated values is not written again; a replay merges to the same document")
    func alreadyApplied() throws {
        let current = SecretValue(utf8: #"{"user":"app","port":5432,"password":"old"}"#)
        let generated: [String: SecretValue] = ["password": SecretValue(utf8: "new")]
        let merged = try ScheduledRotation.merged(current: current, generated: generated, key: "db/creds")
        #expect(merged.revealedString() == #"{"user":"app","port":5432,"password":"new"}"#)
        #expect(!ScheduledRotation.alreadyApplied(current: try current.extractProperties(key: "db/creds"), generated: generated))
        #expect(ScheduledRotation.alreadyApplied(current: try merged.extractProperties(key: "db/creds"), generated: generated))
        #expect(try ScheduledRotation.merged(current: merged, generated: generated, key: "db/creds") == merged)
    }

    @Test("a current value that is not a JSON object cannot be rotated: an invalid request naming the key, never the value", arguments: [
        #"["s3cr3t-in-array"]"#, #""s3cr3t-string""#, "s3cr3t-plain-text", #"{"password":"s3cr3t-unterminated"#, "",
    ])
    func mergeRefusesNonObject(_ value: String) throws {
        let error = try #require(throws: ProviderError.self) {
            try ScheduledRotation.merged(current: SecretValue(utf8: value), generated: ["password": SecretValue(utf8: "new")], key: "db/creds")
        }
        #expect(error.class == .invalidRequest)
        #expect(error.key == "db/creds")
        #expect(error.description.contains("db/creds"))
        #expect(error.description.contains("JSON"))
        #expect(!error.description.contains("s3cr3t"))
        #expect(!String(reflecting: error).contains("s3cr3t"))
    }

    // MARK: Generation

    @Test("generated values have the length and the character classes asked for")
    func generatedClasses() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            let value = SecretGenerator.generate(RotationGenerator(property: "p", length: 32, symbols: true, digits: 5), using: &random).revealedString() ?? ""
            #expect(value.count == 32)
            #expect(value.contains { $0.isLowercase } && value.contains { $0.isUppercase })
            #expect(value.filter(\.isNumber).count >= 5)
            #expect(value.contains { SecretGenerator.defaultSymbols.contains($0) })
            let plain = SecretGenerator.generate(RotationGenerator(property: "p", length: 12, noUpper: true), using: &random).revealedString() ?? ""
            #expect(plain.count == 12)
            #expect(!plain.contains { $0.isUppercase })
            #expect(plain.allSatisfy { $0.isLetter || $0.isNumber })
            let custom = SecretGenerator.generate(RotationGenerator(property: "p", length: 16, symbols: true, symbolCharacters: "#"), using: &random).revealedString() ?? ""
            #expect(custom.contains("#"))
            #expect(!custom.contains { !$0.isLetter && !$0.isNumber && $0 != "#" })
        }
    }

    @Test("the operator's stream is reproducible per rotation and property, and differs between them")
    func reproducibleStream() {
        let key = Array(repeating: UInt8(9), count: 32)
        let generators = [RotationGenerator(property: "password", length: 32), RotationGenerator(property: "token", length: 32)]
        let a = ScheduledRotation.generatedValues(generators, installKey: key, pendingID: "id-1")
        let again = ScheduledRotation.generatedValues(generators, installKey: key, pendingID: "id-1")
        let other = ScheduledRotation.generatedValues(generators, installKey: key, pendingID: "id-2")
        let otherKey = ScheduledRotation.generatedValues(generators, installKey: Array(repeating: 1, count: 32), pendingID: "id-1")
        #expect(a == again)
        #expect(a["password"] != other["password"])
        #expect(a["password"] != a["token"])
        #expect(a["password"] != otherKey["password"])
    }

    @Test("characters are spread evenly (no modulo bias)")
    func spread() {
        var random = RotationRandomStream(installKey: Array(repeating: 3, count: 32), pendingID: "spread", property: "p")
        var counts: [Character: Int] = [:]
        for _ in 0..<200 {
            for c in SecretGenerator.generate(RotationGenerator(property: "p", length: 64, noUpper: true), using: &random).revealedString() ?? "" {
                counts[c, default: 0] += 1
            }
        }
        // 36 characters, 12,800 draws: about 355 each; a biased generator would skew far more.
        #expect(counts.count == 36)
        #expect((counts.values.min() ?? 0) > 250)
        #expect((counts.values.max() ?? 0) < 480)
    }
}
