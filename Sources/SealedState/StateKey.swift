import Crypto
import Foundation

/// One AES-256 key for the operator's sealed state, with the id records name it by.
///
/// The id is the first four bytes of SHA-256 over a fixed label and the key: it lets a
/// record say which key sealed it (so a rotation can tell "sealed with the previous key"
/// from "forged") without revealing anything usable about the key. The key's bytes are
/// never printed: `description` shows the id only.
public struct StateKey: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The byte length of every state key (AES-256).
    public static let byteCount = 32

    /// The key's bytes (`SymmetricKey` is neither `Sendable` nor `Equatable`).
    let bytes: [UInt8]
    /// Names the key in each record it seals (``SealedRecord`` format, bytes 1…4).
    public let id: UInt32

    /// A key from exactly 32 bytes; `nil` for any other length.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == Self.byteCount else { return nil }
        self.bytes = Array(bytes)
        var hash = SHA256()
        hash.update(data: Array("rotor.dev/state-key-id\u{0}".utf8))
        hash.update(data: self.bytes)
        self.id = hash.finalize().prefix(4).reduce(UInt32(0)) { ($0 << 8) | UInt32($1) }
    }

    /// A fresh random key (tests, and `head -c 32 /dev/urandom` in spirit).
    public static func random() -> StateKey {
        StateKey(bytes: SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) })!
    }

    var symmetricKey: SymmetricKey { SymmetricKey(data: bytes) }

    /// The id as eight hex digits: safe to show (`rotor check-config`), never the key.
    public var idHex: String { String(format: "%08x", id) }

    public var description: String { "StateKey(id: \(idHex))" }
    public var debugDescription: String { description }
}

/// The keys the operator seals and opens its state with: records are sealed with
/// ``current`` only; ``previous`` keys are accepted for opening, so a key rotation is
/// "add the new key as current, keep the old as previous, let every record be re-sealed,
/// then drop the old key".
public struct StateKeyRing: Sendable, Equatable, CustomStringConvertible {
    public let current: StateKey
    public let previous: [StateKey]

    public init(current: StateKey, previous: [StateKey] = []) {
        self.current = current
        // A previous key equal to the current one is only the current one.
        self.previous = previous.filter { $0.id != current.id }
    }

    /// The key named `id`, and whether it is a previous one.
    func key(id: UInt32) -> (key: StateKey, isPrevious: Bool)? {
        if current.id == id { return (current, false) }
        return previous.first { $0.id == id }.map { ($0, true) }
    }

    public var description: String {
        "StateKeyRing(current: \(current.idHex), previous: [\(previous.map(\.idHex).joined(separator: ", "))])"
    }
}
