import Foundation
import Testing
@testable import RotorConsumer

@Suite("verify")
struct VerifyTests {
    let overlapping = MountedSecret(values: [
        "api-key": RedactedValue("new-key-123"),
        "api-key_previous": RedactedValue("old-key-456"),
        "solo": RedactedValue("only-current"),
        "blank": RedactedValue(""),
    ])

    @Test func presentedCurrentValueVerifiesAsCurrent() {
        #expect(overlapping.verify(presented: "new-key-123", key: "api-key") == .current)
        #expect(overlapping.verify(presented: Data("new-key-123".utf8), key: "api-key") == .current)
    }

    @Test func presentedPreviousValueVerifiesAsPrevious() {
        #expect(overlapping.verify(presented: "old-key-456", key: "api-key") == .previous)
        #expect(overlapping.verify(presented: "old-key-456", key: "api-key").isAccepted)
    }

    @Test func presentedUnknownValueIsAMismatch() {
        #expect(overlapping.verify(presented: "guess", key: "api-key") == .invalid)
        #expect(!overlapping.verify(presented: "guess", key: "api-key").isAccepted)
    }

    @Test func withoutAPreviousValueOnlyCurrentMatches() {
        #expect(overlapping.verify(presented: "only-current", key: "solo") == .current)
        #expect(overlapping.verify(presented: "", key: "solo") == .invalid)
        #expect(overlapping.verify(presented: "old-key-456", key: "solo") == .invalid)
    }

    @Test func unknownKeyAndEmptyValuesNeverMatch() {
        #expect(overlapping.verify(presented: "new-key-123", key: "missing") == .invalid)
        #expect(overlapping.verify(presented: "", key: "missing") == .invalid)
        #expect(overlapping.verify(presented: "", key: "blank") == .invalid)
    }

    @Test func equalPrefixesOfDifferentLengthAreMismatches() {
        #expect(overlapping.verify(presented: "new-key-12", key: "api-key") == .invalid)
        #expect(overlapping.verify(presented: "new-key-1234", key: "api-key") == .invalid)
        #expect(overlapping.verify(presented: "new-key-123new-key-123", key: "api-key") == .invalid)
        #expect(overlapping.verify(presented: "old-key-45", key: "api-key") == .invalid)
        #expect(!constantTimeEquals(Array("abc".utf8), Array("abcabc".utf8)))
        #expect(!constantTimeEquals(Array("abcabc".utf8), Array("abc".utf8)))
        #expect(!constantTimeEquals([], Array("abc".utf8)))
        #expect(!constantTimeEquals(Array("abc".utf8), []))
        #expect(constantTimeEquals(Array("abc".utf8), Array("abc".utf8)))
    }

    @Test func bytesDifferingAnywhereAreMismatches() {
        let expected = Array("0123456789".utf8)
        for index in expected.indices {
            var presented = expected
            presented[index] ^= 0x01
            #expect(!constantTimeEquals(presented, expected))
        }
    }

    @Test func redactedValuesCompareByContent() {
        #expect(RedactedValue("a") == RedactedValue(bytes: [0x61]))
        #expect(RedactedValue("a") != RedactedValue("ab"))
    }
}
