import Foundation
import Testing
@testable import SealedState

/// The record format: what opens, what is refused and how, never a crash.
@Suite("SealedRecord")
struct SealedRecordTests {
    static let canary = "hvs.CANARY-token-4b1d-do-not-print"
    static let identity = RecordIdentity(scope: "0b6f-uid", path: "vault-token")

    @Test func aSealedRecordOpensToItsPlaintext() throws {
        let keys = StateKeyRing(current: .random())
        let record = try SealedRecord.seal(SealedPlaintext(Self.canary), for: Self.identity, keys: keys)
        let opened = try SealedRecord.open(record, for: Self.identity, keys: keys).get()
        #expect(opened.plaintext == SealedPlaintext(Self.canary))
        #expect(!opened.needsReseal)
        #expect(record.count == Self.canary.utf8.count + SealedRecord.overhead)
        #expect(record[0] == SealedRecord.version)
    }

    @Test func everySealUsesAFreshNonce() throws {
        let keys = StateKeyRing(current: .random())
        let first = try SealedRecord.seal(SealedPlaintext(Self.canary), for: Self.identity, keys: keys)
        let second = try SealedRecord.seal(SealedPlaintext(Self.canary), for: Self.identity, keys: keys)
        #expect(first[5..<17] != second[5..<17])
        #expect(first != second)
    }

    @Test func anEmptyPlaintextRoundTrips() throws {
        let keys = StateKeyRing(current: .random())
        let record = try SealedRecord.seal(SealedPlaintext([]), for: Self.identity, keys: keys)
        #expect(try SealedRecord.open(record, for: Self.identity, keys: keys).get().plaintext.bytes.isEmpty)
    }

    @Test func everyChangedByteIsRefused() throws {
        let keys = StateKeyRing(current: .random())
        let record = try SealedRecord.seal(SealedPlaintext(Self.canary), for: Self.identity, keys: keys)
        for index in record.indices {
            var tampered = record
            tampered[index] ^= 0x01
            let result = SealedRecord.open(tampered, for: Self.identity, keys: keys)
            switch index {
            case 0: #expect(result == .failure(.unknownVersion(record[0] ^ 0x01)))
            case 1...4: #expect(result.isUnknownKey, "a changed key id names no key")
            default: #expect(result == .failure(.notAuthentic), "byte \(index)")
            }
        }
    }

    @Test func aRecordSealedWithAnotherKeyIsRefusedAsAnUnknownKey() throws {
        let sealer = StateKeyRing(current: .random())
        let record = try SealedRecord.seal(SealedPlaintext(Self.canary), for: Self.identity, keys: sealer)
        let result = SealedRecord.open(record, for: Self.identity, keys: StateKeyRing(current: .random()))
        #expect(result == .failure(.unknownKey(keyID: sealer.current.idHex)))
    }

    @Test func truncatedRecordsAreRefusedAtEveryLength() throws {
        let keys = StateKeyRing(current: .random())
        let record = try SealedRecord.seal(SealedPlaintext(Self.canary), for: Self.identity, keys: keys)
        for length in 0..<record.count {
            let result = SealedRecord.open(Array(record.prefix(length)), for: Self.identity, keys: keys)
            if length < SealedRecord.overhead {
                #expect(result == .failure(.truncated(length)), "length \(length)")
            } else {
                #expect(result == .failure(.notAuthentic), "length \(length)")
            }
        }
    }

    @Test func aRecordOpenedForAnotherIdentityIsRefused() throws {
        let keys = StateKeyRing(current: .random())
        let record = try SealedRecord.seal(SealedPlaintext(Self.canary), for: Self.identity, keys: keys)
        for other in [
            RecordIdentity(scope: "0b6f-uid", path: "vault-token2"), RecordIdentity(scope: "other-uid", path: "vault-token"),
            // The scope's length is authenticated: moving a character across the boundary fails.
            RecordIdentity(scope: "0b6f-ui", path: "dvault-token"),
        ] {
            #expect(SealedRecord.open(record, for: other, keys: keys) == .failure(.notAuthentic))
        }
    }

    @Test func anUnknownVersionIsRefusedBeforeAnythingElse() {
        let keys = StateKeyRing(current: .random())
        #expect(SealedRecord.open([2] + Array(repeating: 0, count: 40), for: Self.identity, keys: keys) == .failure(.unknownVersion(2)))
        #expect(SealedRecord.open([0], for: Self.identity, keys: keys) == .failure(.unknownVersion(0)))
    }

    @Test func recordsOverTheSizeLimitAreRefusedUnread() throws {
        let keys = StateKeyRing(current: .random())
        let huge = [UInt8](repeating: 1, count: SealedRecord.maximumSize + 1)
        #expect(SealedRecord.open(huge, for: Self.identity, keys: keys) == .failure(.tooLarge(huge.count)))
        #expect(throws: SealedRecord.SealError.plaintextTooLarge(SealedRecord.maximumPlaintext + 1)) {
            try SealedRecord.seal(SealedPlaintext([UInt8](repeating: 0, count: SealedRecord.maximumPlaintext + 1)), for: Self.identity, keys: keys)
        }
        let largest = try SealedRecord.seal(SealedPlaintext([UInt8](repeating: 7, count: SealedRecord.maximumPlaintext)), for: Self.identity, keys: keys)
        #expect(largest.count == SealedRecord.maximumSize)
        #expect(SealedRecord.open(largest, for: Self.identity, keys: keys).isSuccess)
    }

    @Test func aRecordSealedWithAPreviousKeyOpensAndAsksToBeResealed() throws {
        let old = StateKey.random()
        let record = try SealedRecord.seal(SealedPlaintext(Self.canary), for: Self.identity, keys: StateKeyRing(current: old))
        let rotated = StateKeyRing(current: .random(), previous: [old])
        let opened = try SealedRecord.open(record, for: Self.identity, keys: rotated).get()
        #expect(opened.needsReseal)
        #expect(opened.plaintext == SealedPlaintext(Self.canary))
    }

    @Test func hostileRecordsNeverCrashAndAreRefused() {
        var generator = SplitMix64(seed: 0x5EA1)
        let keys = StateKeyRing(current: .random())
        // Some with a valid header (version 1, the current key's id) so the GCM path runs too.
        let header: [UInt8] = [1] + withUnsafeBytes(of: keys.current.id.bigEndian) { Array($0) }
        for round in 0..<2_000 {
            let length = Int(generator.next() % 300)
            var bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            if round % 2 == 0 { bytes = header + bytes }
            let result = SealedRecord.open(bytes, for: Self.identity, keys: keys)
            #expect(!result.isSuccess, "random bytes do not authenticate")
        }
    }

    @Test func refusalsAndDescriptionsNeverHoldThePlaintextOrTheKey() throws {
        let key = StateKey.random()
        let keys = StateKeyRing(current: key)
        let record = try SealedRecord.seal(SealedPlaintext(Self.canary), for: Self.identity, keys: keys)
        var texts = ["\(key)", "\(keys)", String(reflecting: key), "\(SealedPlaintext(Self.canary))", String(reflecting: SealedPlaintext(Self.canary))]
        var tampered = record
        tampered[20] ^= 1
        for attempt in [tampered, Array(record.prefix(10)), record] {
            for ring in [keys, StateKeyRing(current: .random())] {
                switch SealedRecord.open(attempt, for: Self.identity, keys: ring) {
                case .success(let opened): texts.append("\(opened)")
                case .failure(let refusal): texts += ["\(refusal)", String(reflecting: refusal), refusal.localizedDescription]
                }
            }
        }
        let keyHex = key.bytes.map { String(format: "%02x", $0) }.joined()
        let keyBase64 = Data(key.bytes).base64EncodedString()
        for text in texts {
            #expect(!text.contains(Self.canary))
            #expect(!text.contains(keyHex) && !text.contains(keyBase64))
        }
    }
}

extension Result {
    var isSuccess: Bool {
        if case .success = self { return true }
        return false
    }
}

extension Result where Failure == SealedRecordRefusal {
    var isUnknownKey: Bool {
        if case .failure(.unknownKey) = self { return true }
        return false
    }
}

/// A small deterministic generator, so a failing hostile case can be replayed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
