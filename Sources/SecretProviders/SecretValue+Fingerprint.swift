import Crypto

extension SecretValue {
    /// A keyed fingerprint: `hmac-sha256:` + hex of HMAC-SHA256(key, bytes).
    ///
    /// Safe to show in annotations, status, logs and audit lines: without the key it
    /// cannot be checked against guessed values, unlike a plain hash.
    public func fingerprint(key: SymmetricKey) -> String {
        let mac = withUnsafeBytes { buffer in
            HMAC<SHA256>.authenticationCode(for: buffer, using: key)
        }
        return SecretFingerprint.prefix + SecretFingerprint.hex(mac)
    }
}

/// Keyed fingerprints of whole sets of values (e.g. all data of a rendered Secret).
public enum SecretFingerprint {
    /// Every fingerprint starts with this.
    public static let prefix = "hmac-sha256:"

    /// One fingerprint over all `values`, independent of dictionary order.
    ///
    /// Each name and value is length-prefixed, so `{"ab": "c"}` and `{"a": "bc"}`
    /// differ.
    public static func combined(_ values: [String: SecretValue], key: SymmetricKey) -> String {
        var hmac = HMAC<SHA256>(key: key)
        for name in values.keys.sorted() {
            let nameBytes = Array(name.utf8)
            hmac.update(data: lengthPrefix(nameBytes.count))
            hmac.update(data: nameBytes)
            let value = values[name]!
            hmac.update(data: lengthPrefix(value.count))
            value.withUnsafeBytes { hmac.update(data: $0) }
        }
        return prefix + hex(hmac.finalize())
    }

    private static func lengthPrefix(_ count: Int) -> [UInt8] {
        withUnsafeBytes(of: UInt64(count).bigEndian) { Array($0) }
    }

    static func hex(_ mac: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in mac {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
