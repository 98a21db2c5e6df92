/// A credential (token, private key) that must never reach a log line.
///
/// Configuration values are printed while debugging; wrapping the secret parts
/// makes `print(config)`, string interpolation and `dump` show `<redacted>`.
public struct Redacted<Value: Sendable & Hashable>: Sendable, Hashable, CustomStringConvertible,
    CustomDebugStringConvertible, CustomReflectable
{
    /// The secret itself, for the few places that must send it.
    public var value: Value

    public init(_ value: Value) { self.value = value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: []) }
}
