/// The bytes of a secret. Never printed, never encoded by accident.
///
/// `description`, `debugDescription`, `dump` and string interpolation all show
/// `<redacted>`, also inside arrays, dictionaries and optionals. There is no
/// `Codable` conformance (it is declared unavailable, so none can be added by
/// accident elsewhere). The few places that must see the bytes say so with
/// ``withUnsafeBytes(_:)``, ``revealedBytes()`` or ``revealedString()``, names
/// a reviewer notices.
///
/// Equality compares in constant time for values of equal length.
public struct SecretValue: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    private let bytes: [UInt8]

    /// A secret made of `bytes`.
    public init(bytes: some Sequence<UInt8>) {
        self.bytes = Array(bytes)
    }

    /// A secret holding the UTF-8 encoding of `string`.
    public init(utf8 string: String) {
        self.bytes = Array(string.utf8)
    }

    /// The empty secret.
    public static let empty = SecretValue(bytes: [])

    /// Number of bytes. Lengths are not secret in this design (they show in Secret sizes anyway).
    public var count: Int { bytes.count }

    public var isEmpty: Bool { bytes.isEmpty }

    // MARK: Redaction

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }

    // MARK: Access to the bytes

    /// Calls `body` with the secret's bytes. The pointer must not escape `body`.
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        // A typed-throws closure cannot be passed to Array.withUnsafeBytes directly; capture its outcome.
        var outcome: Result<R, E>!
        bytes.withUnsafeBytes { buffer in
            do throws(E) { outcome = .success(try body(buffer)) } catch { outcome = .failure(error) }
        }
        return try outcome.get()
    }

    /// A copy of the bytes. Every call site is a place where the secret leaves this wrapper.
    public func revealedBytes() -> [UInt8] { bytes }

    /// The bytes as a UTF-8 string, or `nil` when they are not valid UTF-8.
    /// Every call site is a place where the secret leaves this wrapper.
    public func revealedString() -> String? {
        String(validating: bytes, as: UTF8.self)
    }

    // MARK: Equality

    /// Constant-time for equal lengths: every byte is compared, whatever differs first.
    public static func == (lhs: SecretValue, rhs: SecretValue) -> Bool {
        constantTimeEquals(lhs.bytes, rhs.bytes)
    }

    /// Appends two secrets (e.g. to build a rendered value) without revealing either.
    public static func + (lhs: SecretValue, rhs: SecretValue) -> SecretValue {
        SecretValue(bytes: lhs.bytes + rhs.bytes)
    }
}

/// `true` when both byte sequences are equal; the time taken depends only on their lengths.
@inline(never)
public func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
    guard lhs.count == rhs.count else { return false }
    var difference: UInt8 = 0
    for index in lhs.indices {
        difference |= lhs[index] ^ rhs[index]
    }
    return difference == 0
}

// Declared unavailable so that no file can make SecretValue Codable by accident: an
// encoder would write the bytes into whatever is being encoded (status, logs, JSON).
// Direct use does not compile. Synthesised Codable of a type holding a SecretValue still
// compiles, so the witnesses throw instead of writing anything.
@available(*, unavailable, message: "SecretValue must never be encoded; reveal its bytes explicitly where a provider must send them")
extension SecretValue: Encodable {
    public func encode(to encoder: any Encoder) throws {
        throw EncodingError.invalidValue(
            "<redacted>", EncodingError.Context(codingPath: encoder.codingPath, debugDescription: "SecretValue is never encoded"))
    }
}

@available(*, unavailable, message: "SecretValue must never be decoded from an arbitrary document")
extension SecretValue: Decodable {
    public init(from decoder: any Decoder) throws {
        throw DecodingError.dataCorrupted(
            DecodingError.Context(codingPath: decoder.codingPath, debugDescription: "SecretValue is never decoded"))
    }
}
