import Foundation

/// What the Kubernetes API server accepts in a Secret, checked before Rotor writes one so
/// that a bad key or an oversize Secret is a clear `Ready=False` (`InvalidKey`, `TooLarge`)
/// and the existing Secret stays as it is, rather than a write the API server refuses.
///
/// The figures are the API server's own validation of a Secret:
/// - a data key matches `[-._a-zA-Z0-9]+`, has at most 253 characters, and is not `.` or
///   `..` nor starts with `..` (`IsConfigMapKey`);
/// - the decoded bytes of all `data` values together are at most 1 MiB (1,048,576 bytes);
///   rotation's previous values are data too, so an overlap window roughly doubles it;
/// - the annotations' keys and values together are at most 256 KiB (`TotalAnnotationSizeLimitB`).
///
/// Messages name keys (shortened and escaped, as a key may come from a provider) and sizes,
/// never a value.
public enum SecretLimits {
    /// The API server's limit on the decoded bytes of a Secret's `data`.
    public static let maximumDataBytes = 1_048_576
    /// The API server's limit on the bytes of all annotation keys and values of an object.
    public static let maximumAnnotationBytes = 262_144
    /// The longest Secret data key.
    public static let maximumKeyLength = 253

    /// Why `key` cannot be a Secret data key, or `nil` when it can.
    public static func keyProblem(_ key: String) -> String? {
        let bytes = key.utf8
        if bytes.isEmpty { return "a Secret key cannot be empty" }
        if bytes.count > maximumKeyLength { return "a Secret key has at most \(maximumKeyLength) characters (this one has \(bytes.count) bytes)" }
        if key == "." || key == ".." || key.hasPrefix("..") { return "a Secret key cannot be '.' or '..' or start with '..'" }
        let allowed = bytes.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
        }
        if !allowed { return "a Secret key may hold only letters, digits, '-', '_' and '.' ([-._a-zA-Z0-9]+)" }
        return nil
    }

    /// `key` quoted for a message: at most 64 characters, control and non-ASCII characters
    /// escaped, so a hostile key cannot flood or forge a condition.
    public static func shown(_ key: String) -> String {
        var text = ""
        var count = 0
        for scalar in key.unicodeScalars {
            if count == 64 {
                text += "…"
                break
            }
            text += scalar.isASCII && scalar.value >= 0x20 && scalar.value < 0x7F && scalar != "\"" && scalar != "\\"
                ? String(scalar) : scalar.escaped(asASCII: true)
            count += 1
        }
        return "\"\(text)\""
    }

    /// The bytes the API server counts for `annotations`.
    public static func annotationBytes(_ annotations: [String: String]) -> Int {
        annotations.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
    }
}
