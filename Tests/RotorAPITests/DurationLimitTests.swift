import Foundation
import JSONCore
import KubeAPI
import RotorAPI
import Testing

/// Every duration a spec carries has one documented maximum, 8760h, enforced by the CRD
/// schema (this suite) and by the operator (RotorOperatorTests' HostileInputTests).
@Suite("Duration maximum in the CRDs")
struct DurationLimitTests {
    /// Every schema level that is a duration (it carries the duration pattern), with its path.
    static func durationFields(_ schema: JSONValue, at path: String, into found: inout [(String, [String: JSONValue])]) {
        switch schema {
        case .object(let members):
            if members["pattern"]?.stringValue == KubeDuration.pattern { found.append((path, members)) }
            for (name, member) in members { durationFields(member, at: path + "." + name, into: &found) }
        case .array(let items):
            for item in items { durationFields(item, at: path + "[]", into: &found) }
        default:
            break
        }
    }

    @Test("every duration field of every CRD is at most 64 characters and at most 8760h (a CEL rule)")
    func everyDurationIsBounded() throws {
        var found: [(String, [String: JSONValue])] = []
        for definition in RotorCRDs.all {
            Self.durationFields(definition.object, at: definition.name, into: &found)
        }
        let names = Set(found.map { $0.0.split(separator: ".").last.map(String.init) ?? "" })
        #expect(names.isSuperset(of: ["refreshInterval", "gracePeriod", "every"]), "\(names)")
        for (path, field) in found {
            #expect(field["maxLength"] == .int(64), "\(path)")
            let rules = field["x-kubernetes-validations"]?.arrayValue?.compactMap { $0["rule"]?.stringValue } ?? []
            #expect(rules == ["duration(self) <= duration('8760h')"], "\(path)")
        }
        #expect(KubeDuration(KubeDuration.specMaximumText) == KubeDuration.specMaximum)
        #expect(KubeDuration.specMaximum == .hours(8760))
    }
}

@Suite("RFC 3339 formatting of extreme dates")
struct ExtremeDateFormattingTests {
    @Test("dates beyond what RFC 3339 can write are written as its first or last second, never a trap")
    func extremeDatesAreClamped() {
        #expect(RFC3339.format(Date(timeIntervalSince1970: 1e300), fractionalDigits: 0) == "9999-12-31T23:59:59Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: .infinity), fractionalDigits: 6) == "9999-12-31T23:59:59.000000Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: -1e300), fractionalDigits: 0) == "0001-01-01T00:00:00Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: .nan), fractionalDigits: 0) == "1970-01-01T00:00:00Z")
    }
}
