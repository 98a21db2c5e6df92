import Foundation

/// A secret value read from a mounted Secret that never shows its content when printed.
///
/// `description`, `debugDescription`, `customMirror` (and therefore `print`, `dump`,
/// string interpolation and debugger summaries) all render as `<redacted>`, so a value
/// that ends up in a log line or an error message by accident does not leak. Reading the
/// content takes an explicit call to ``revealString()``, ``revealData()`` or
/// ``revealBytes()``, which makes every place that handles the plaintext easy to find in
/// review.
///
/// Equality (`==`) compares in constant time, like ``MountedSecret/verify(presented:key:)``.
/// The type is deliberately not `Hashable` or `Codable`: both would hand the content to
/// code that does not treat it as secret.
public struct RedactedValue: Sendable {
    /// The text shown instead of the value wherever it would be printed.
    public static let placeholder = "<redacted>"

    let bytes: [UInt8]

    /// Wraps raw bytes.
    public init<Bytes: Sequence>(bytes: Bytes) where Bytes.Element == UInt8 {
        self.bytes = Array(bytes)
    }

    /// Wraps the UTF-8 encoding of `string`.
    public init(_ string: String) {
        self.bytes = Array(string.utf8)
    }

    /// The value as UTF-8 text, or `nil` when it is not valid UTF-8 (binary keys such as
    /// keystores). Explicit on purpose: this is the plaintext.
    public func revealString() -> String? {
        String(bytes: bytes, encoding: .utf8)
    }

    /// The value as `Data`. Explicit on purpose: this is the plaintext.
    public func revealData() -> Data {
        Data(bytes)
    }

    /// The value as bytes. Explicit on purpose: this is the plaintext.
    public func revealBytes() -> [UInt8] {
        bytes
    }

    /// Whether the value is empty (after trimming, when it was read from a file).
    public var isEmpty: Bool { bytes.isEmpty }
}

extension RedactedValue: Equatable {
    /// Constant-time equality: the running time depends on the lengths only, never on
    /// where the contents differ.
    public static func == (lhs: RedactedValue, rhs: RedactedValue) -> Bool {
        constantTimeEquals(lhs.bytes, rhs.bytes)
    }
}

extension RedactedValue: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Always `<redacted>`.
    public var description: String { Self.placeholder }
    /// Always `<redacted>`.
    public var debugDescription: String { Self.placeholder }
    /// A mirror with no children, so `dump` and debuggers show only `<redacted>`.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: nil) }
}

extension DefaultStringInterpolation {
    /// Interpolating a ``RedactedValue`` always produces `<redacted>`, so a value dropped
    /// into a log message by mistake does not leak.
    public mutating func appendInterpolation(_ value: RedactedValue) {
        appendLiteral(RedactedValue.placeholder)
    }
}

/// Compares `presented` with `expected` in time that depends only on `presented.count`.
///
/// Every byte of `presented` is XOR-ed with a byte of `expected` (cycled, so no index is
/// out of range and no branch depends on the expected length) and accumulated with `|`;
/// the length difference is folded into the same accumulator. There is no early exit, so
/// the time does not reveal how long a matching prefix was.
@inline(never)
func constantTimeEquals(_ presented: [UInt8], _ expected: [UInt8]) -> Bool {
    // Fold the length difference into a non-zero byte when lengths differ.
    let lengthDifference = UInt(bitPattern: presented.count) ^ UInt(bitPattern: expected.count)
    var accumulator: UInt = lengthDifference
    let expectedCount = expected.count
    presented.withUnsafeBufferPointer { presentedBuffer in
        expected.withUnsafeBufferPointer { expectedBuffer in
            if expectedCount == 0 {
                // Still touch every presented byte so the time does not depend on this case.
                for byte in presentedBuffer {
                    accumulator |= UInt(byte ^ byte)
                }
                return
            }
            var j = 0
            for byte in presentedBuffer {
                accumulator |= UInt(byte ^ expectedBuffer[j])
                j &+= 1
                // Wrap without a data-dependent branch on the secret content.
                j = j == expectedCount ? 0 : j
            }
        }
    }
    return accumulator == 0
}
