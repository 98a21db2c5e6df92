import Foundation
import Crypto
import SecretProviders
import Testing

@Suite("SecretValue equality and fingerprints")
struct SecretValueEqualityTests {
    @Test("equal bytes are equal; any differing byte or length is not")
    func constantTimeEquality() {
        let base = SecretValue(bytes: Array(0..<64) as [UInt8])
        #expect(base == SecretValue(bytes: Array(0..<64) as [UInt8]))
        for position in [0, 31, 63] {
            var bytes = Array(0..<64) as [UInt8]
            bytes[position] ^= 0x01
            #expect(base != SecretValue(bytes: bytes), "differs at \(position)")
        }
        #expect(base != SecretValue(bytes: Array(0..<63) as [UInt8]))
        #expect(SecretValue.empty == SecretValue(bytes: []))
        #expect(SecretValue(utf8: "a") != SecretValue.empty)
        #expect(constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!constantTimeEquals([1, 2, 3], [1, 2, 4]))
    }

    @Test("a fingerprint is keyed: same key same fingerprint, other key other fingerprint")
    func fingerprintIsKeyed() {
        let value = SecretValue(utf8: "s3cr3t")
        let key = SymmetricKey(data: Array(repeating: UInt8(7), count: 32))
        let otherKey = SymmetricKey(data: Array(repeating: UInt8(8), count: 32))
        let fingerprint = value.fingerprint(key: key)
        #expect(fingerprint.hasPrefix("hmac-sha256:"))
        #expect(fingerprint.count == "hmac-sha256:".count + 64)
        #expect(fingerprint == SecretValue(utf8: "s3cr3t").fingerprint(key: key))
        #expect(fingerprint != value.fingerprint(key: otherKey))
        #expect(fingerprint != SecretValue(utf8: "s3cr3u").fingerprint(key: key))
        // Not a plain hash of the value.
        let plain = SHA256.hash(data: Array("s3cr3t".utf8)).map { String(format: "%02x", $0) }.joined()
        #expect(!fingerprint.contains(plain))
    }

    @Test("the fingerprint matches HMAC-SHA256 of the bytes")
    func fingerprintIsHMAC() {
        let key = SymmetricKey(data: Array("key".utf8))
        // RFC 4231-style known answer computed independently: HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog").
        let value = SecretValue(utf8: "The quick brown fox jumps over the lazy dog")
        #expect(value.fingerprint(key: key) == "hmac-sha256:f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")
    }

    @Test("a combined fingerprint depends on every name and value, not on order")
    func combinedFingerprint() {
        let key = SymmetricKey(data: Array(repeating: UInt8(1), count: 32))
        let a = SecretFingerprint.combined(["user": .text("admin"), "password": .text("pw")], key: key)
        let b = SecretFingerprint.combined(["password": .text("pw"), "user": .text("admin")], key: key)
        #expect(a == b)
        #expect(a.hasPrefix(SecretFingerprint.prefix))
        #expect(a != SecretFingerprint.combined(["user": .text("admin"), "password": .text("pw2")], key: key))
        #expect(SecretFingerprint.combined(["ab": .text("c")], key: key) != SecretFingerprint.combined(["a": .text("bc")], key: key))
    }
}
