import Foundation
import Testing
@testable import SealedState

/// What a state key file may hold: 32 raw bytes, or their base64 with an optional newline.
@Suite("StateKeyFile")
struct StateKeyFileTests {
    static let raw = (0..<32).map { UInt8($0 * 7 & 0xff) }
    static let base64 = Data(raw).base64EncodedString()

    @Test func thirtyTwoRawBytesAreAKey() throws {
        #expect(try StateKeyFile.parse(Self.raw).get() == StateKey(bytes: Self.raw))
    }

    @Test func base64OfThirtyTwoBytesIsTheSameKeyWithOrWithoutANewline() throws {
        for text in [Self.base64, Self.base64 + "\n", Self.base64 + "\r\n"] {
            #expect(try StateKeyFile.parse(Array(text.utf8)).get() == StateKey(bytes: Self.raw))
        }
    }

    @Test func anythingElseIsRefusedWithItsLengthOnly() {
        #expect(StateKeyFile.parse([]) == .failure(.wrongLength(0)))
        #expect(StateKeyFile.parse(Array(Self.raw.prefix(31))) == .failure(.wrongLength(31)))
        #expect(StateKeyFile.parse(Self.raw + [10]) == .failure(.wrongLength(33)))
        #expect(StateKeyFile.parse(Array((Self.base64 + "\n\n").utf8)) == .failure(.wrongLength(46)))
        #expect(StateKeyFile.parse(Array(String(repeating: "!", count: 44).utf8)) == .failure(.notBase64))
        // 44 characters of base64 of 33 bytes is not a 32-byte key.
        #expect(StateKeyFile.parse(Array(Data(Self.raw + [1]).base64EncodedString().prefix(44).utf8)) == .failure(.notBase64))
        #expect(StateKeyFile.parse([UInt8](repeating: 65, count: 5000)) == .failure(.tooLarge))
        let problem = "\(StateKeyFile.Problem.wrongLength(31))"
        #expect(problem.contains("31 bytes") && !problem.contains(Self.base64))
    }

    @Test func aFileIsReadAndAMissingOneIsUnreadable() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rotor-state-key-\(UUID().uuidString)").path
        #expect(StateKeyFile.load(path: path) == .failure(.unreadable))
        try Data((Self.base64 + "\n").utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try StateKeyFile.load(path: path).get() == StateKey(bytes: Self.raw))
    }

    @Test func aKeyRingNeverPrintsAKey() {
        let key = StateKey(bytes: Self.raw)!
        let ring = StateKeyRing(current: key, previous: [key, .random()])
        #expect(ring.previous.count == 1, "the current key is not also a previous one")
        for text in ["\(key)", "\(ring)", String(reflecting: ring)] {
            let hex = Self.raw.map { String(format: "%02x", $0) }.joined()
            #expect(!text.contains(Self.base64) && !text.contains(hex))
            #expect(text.contains(key.idHex))
        }
    }
}
