import Foundation
import Testing
@testable import SealedState

/// The state Secret's planner: load, warn, re-seal, render; never emptied by a failure.
@Suite("StateStore")
struct StateStoreTests {
    static let canary = SealedRecordTests.canary
    static let scope = "rotor-system/rotor-state"

    static func data(_ records: [String: String], keys: StateKeyRing) throws -> [String: [UInt8]] {
        var data: [String: [UInt8]] = [:]
        for (name, value) in records {
            data[name] = try SealedRecord.seal(SealedPlaintext(value), for: RecordIdentity(scope: scope, path: name), keys: keys)
        }
        return data
    }

    @Test func renderedStateLoadsBackToTheSameRecords() throws {
        let keys = StateKeyRing(current: .random())
        let empty = StateStore.load([:], scope: Self.scope, keys: keys)
        let records = ["vault-token": SealedPlaintext(Self.canary), "lease.db": SealedPlaintext(#"{"id":"database/creds/app/x","ttl":3600}"#)]
        let data = try #require(try StateStore.render(empty, records: records, keys: keys).get())
        let loaded = StateStore.load(data, scope: Self.scope, keys: keys)
        #expect(loaded.records == records)
        #expect(loaded.warnings.isEmpty && loaded.reseal.isEmpty)
        #expect(try StateStore.render(loaded, records: records, keys: keys).get() == nil, "unchanged state: nothing to write")
    }

    @Test func aRecordThatFailsIsDroppedWithAWarningAndKeptInTheSecret() throws {
        let keys = StateKeyRing(current: .random())
        var data = try Self.data(["vault-token": Self.canary, "lease.db": "lease"], keys: keys)
        data["lease.db"]![20] ^= 0x80
        data["truncated"] = [1, 2, 3]
        data["moved"] = data["vault-token"]
        data["future"] = [9] + Array(repeating: 0, count: 40)
        let loaded = StateStore.load(data, scope: Self.scope, keys: keys)
        #expect(loaded.records == ["vault-token": SealedPlaintext(Self.canary)])
        #expect(loaded.warnings == [
            .init(name: "future", refusal: .unknownVersion(9)), .init(name: "lease.db", refusal: .notAuthentic),
            .init(name: "moved", refusal: .notAuthentic), .init(name: "truncated", refusal: .truncated(3)),
        ])
        // The caller keeps what it read: the records that failed stay as they are.
        let rendered = try #require(try StateStore.render(loaded, records: ["vault-token": SealedPlaintext("new")], keys: keys).get())
        for name in ["lease.db", "truncated", "moved", "future"] { #expect(rendered[name] == data[name]) }
    }

    @Test func aWrongKeyDropsEveryRecordButNeverEmptiesTheSecret() throws {
        let data = try Self.data(["vault-token": Self.canary, "lease.db": "lease"], keys: StateKeyRing(current: .random()))
        let wrong = StateKeyRing(current: .random())
        let loaded = StateStore.load(data, scope: Self.scope, keys: wrong)
        #expect(loaded.records.isEmpty)
        #expect(loaded.warnings.count == 2 && loaded.warnings.allSatisfy { if case .unknownKey = $0.refusal { true } else { false } })
        #expect(try StateStore.render(loaded, records: [:], keys: wrong).get() == nil, "nothing opened, nothing removed")
    }

    @Test func keyRotationResealsRecordsUnderTheCurrentKey() throws {
        let old = StateKey.random()
        let data = try Self.data(["vault-token": Self.canary, "lease.db": "lease"], keys: StateKeyRing(current: old))
        let rotated = StateKeyRing(current: .random(), previous: [old])
        let loaded = StateStore.load(data, scope: Self.scope, keys: rotated)
        #expect(loaded.reseal == ["vault-token", "lease.db"])
        let resealed = try #require(try StateStore.render(loaded, records: loaded.records, keys: rotated).get())
        // Once re-sealed, the old key is no longer needed.
        let afterDrop = StateStore.load(resealed, scope: Self.scope, keys: StateKeyRing(current: rotated.current))
        #expect(afterDrop.warnings.isEmpty && afterDrop.reseal.isEmpty)
        #expect(afterDrop.records == loaded.records)
    }

    @Test func recordsLeftOutAreRemovedAndChangedOnesResealed() throws {
        let keys = StateKeyRing(current: .random())
        let data = try Self.data(["a": "1", "b": "2", "c": "3"], keys: keys)
        let loaded = StateStore.load(data, scope: Self.scope, keys: keys)
        let rendered = try #require(try StateStore.render(loaded, records: ["a": SealedPlaintext("1"), "b": SealedPlaintext("two")], keys: keys).get())
        #expect(rendered["a"] == data["a"], "an unchanged record keeps its bytes")
        #expect(rendered["b"] != data["b"] && rendered["c"] == nil)
        #expect(StateStore.load(rendered, scope: Self.scope, keys: keys).records == ["a": SealedPlaintext("1"), "b": SealedPlaintext("two")])
    }

    @Test func aNameThatIsNoSecretDataKeyIsRefused() {
        let keys = StateKeyRing(current: .random())
        let loaded = StateStore.load([:], scope: Self.scope, keys: keys)
        #expect(StateStore.render(loaded, records: ["vault/token": SealedPlaintext("x")], keys: keys) == .failure(.invalidName("vault/token")))
    }

    @Test func hostileSecretDataNeverCrashesAndOnlyWarns() {
        var generator = SplitMix64(seed: 0xDA7A)
        let keys = StateKeyRing(current: .random())
        for _ in 0..<200 {
            var data: [String: [UInt8]] = [:]
            for index in 0..<Int(generator.next() % 6) {
                let length = Int(generator.next() % 128)
                data["r\(index)"] = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            }
            data["huge"] = [UInt8](repeating: 1, count: SealedRecord.maximumSize + Int(generator.next() % 4096) + 1)
            let loaded = StateStore.load(data, scope: Self.scope, keys: keys)
            #expect(loaded.records.isEmpty)
            #expect(loaded.warnings.count == data.count)
        }
    }

    @Test func theCanaryNeverShowsInRenderedDataWarningsOrErrors() throws {
        let keys = StateKeyRing(current: .random())
        let empty = StateStore.load([:], scope: Self.scope, keys: keys)
        var data = try #require(try StateStore.render(empty, records: ["vault-token": SealedPlaintext(Self.canary)], keys: keys).get())
        data["tampered"] = data["vault-token"]
        data["tampered"]![30] ^= 1
        let loaded = StateStore.load(data, scope: Self.scope, keys: StateKeyRing(current: .random(), previous: [keys.current]))
        let canaryBytes = Array(Self.canary.utf8)
        for value in data.values {
            #expect(!value.containsSubsequence(canaryBytes))
            #expect(!Data(value).base64EncodedString().contains(Self.canary))
        }
        var texts = loaded.warnings.map(\.description) + loaded.warnings.map { String(reflecting: $0) }
        texts.append("\(loaded)")
        texts.append(String(reflecting: loaded))
        let tooLarge = StateStore.render(loaded, records: ["big": SealedPlaintext(Self.canary + String(repeating: "x", count: SealedRecord.maximumSize))], keys: keys)
        if case .failure(let error) = tooLarge { texts.append("\(error)") } else { Issue.record("an oversized record is refused") }
        for text in texts { #expect(!text.contains(Self.canary)) }
    }
}

extension Array where Element == UInt8 {
    func containsSubsequence(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, count >= needle.count else { return needle.isEmpty }
        return (0...(count - needle.count)).contains { Array(self[$0..<($0 + needle.count)]) == needle }
    }
}
