import Crypto
import Foundation

/// Who a record is: bound into every seal as AES-GCM associated data, so a record copied
/// to another name or another store's state does not open there.
public struct RecordIdentity: Sendable, Hashable, CustomStringConvertible {
    /// The owner of the state (e.g. the state Secret's or a store's UID).
    public var scope: String
    /// The record's name within that scope (e.g. `vault-token`, `lease.db-creds`).
    public var path: String

    public init(scope: String, path: String) {
        self.scope = scope
        self.path = path
    }

    public var description: String { "\(scope)/\(path)" }
}

/// Bytes that came out of a record: printed as their length only, never their content.
public struct SealedPlaintext: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public let bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public init(_ text: String) { self.bytes = Array(text.utf8) }
    public var description: String { "<sealed plaintext, \(bytes.count) bytes>" }
    public var debugDescription: String { description }
}

/// Why a record did not open. Never holds the plaintext, the key or the record's bytes.
public enum SealedRecordRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// Over ``SealedRecord/maximumSize`` bytes: not even looked at.
    case tooLarge(Int)
    /// Shorter than the smallest record (``SealedRecord/overhead`` bytes).
    case truncated(Int)
    /// A version byte this build does not know.
    case unknownVersion(UInt8)
    /// Sealed with a key that is neither the current nor a previous one.
    case unknownKey(keyID: String)
    /// The tag does not verify: a changed byte, or the record belongs to another identity.
    case notAuthentic

    public var description: String {
        switch self {
        case .tooLarge(let size): "record of \(size) bytes is over the \(SealedRecord.maximumSize)-byte limit"
        case .truncated(let size): "record of \(size) bytes is truncated (at least \(SealedRecord.overhead) expected)"
        case .unknownVersion(let version): "record format version \(version) is unknown"
        case .unknownKey(let id): "record was sealed with key \(id), neither the current nor a previous state key"
        case .notAuthentic: "record failed authentication (altered, or sealed for another identity)"
        }
    }
}

/// A record opened.
public struct OpenedRecord: Sendable, Equatable {
    public let plaintext: SealedPlaintext
    /// Opened with a previous key: the caller should seal it again under the current one.
    public let needsReseal: Bool
}

/// AES-256-GCM sealing of one piece of operator state.
///
/// Format, version 1 (what a state Secret's data value holds; the API shows it base64):
///
/// | bytes        | content                                                 |
/// |--------------|---------------------------------------------------------|
/// | 0            | version, `0x01`                                         |
/// | 1…4          | key id, big-endian (``StateKey/id``)                     |
/// | 5…16         | nonce, 12 random bytes, fresh for every seal            |
/// | 17…n-17      | ciphertext (as long as the plaintext)                   |
/// | n-16…n-1     | GCM tag                                                 |
///
/// Associated data: `rotor.dev/sealed-state` ‖ 0 ‖ bytes 0…4 ‖ scope length (4 bytes BE)
/// ‖ scope ‖ path, so the header and the identity are authenticated with the content.
/// A record is at most ``maximumSize`` bytes, checked before anything is allocated.
public enum SealedRecord {
    public static let version: UInt8 = 1
    static let headerSize = 1 + 4 + 12
    static let tagSize = 16
    /// Bytes a record adds to its plaintext.
    public static let overhead = headerSize + tagSize
    /// The largest record opened or sealed: 64 KiB (a Vault token or lease record is a
    /// few hundred bytes; a Secret holds 1 MiB in all).
    public static let maximumSize = 64 * 1024
    /// The largest plaintext that can be sealed.
    public static let maximumPlaintext = maximumSize - overhead

    public enum SealError: Error, Sendable, Equatable, CustomStringConvertible {
        case plaintextTooLarge(Int)
        public var description: String {
            switch self {
            case .plaintextTooLarge(let size): "plaintext of \(size) bytes is over the \(SealedRecord.maximumPlaintext)-byte limit"
            }
        }
    }

    /// Seals `plaintext` for `identity` under the ring's current key, with a fresh nonce.
    public static func seal(_ plaintext: SealedPlaintext, for identity: RecordIdentity, keys: StateKeyRing) throws(SealError) -> [UInt8] {
        guard plaintext.bytes.count <= maximumPlaintext else { throw .plaintextTooLarge(plaintext.bytes.count) }
        let key = keys.current
        var header: [UInt8] = [version]
        header += withUnsafeBytes(of: key.id.bigEndian) { Array($0) }
        let nonce = AES.GCM.Nonce()
        let box: AES.GCM.SealedBox
        do {
            box = try AES.GCM.seal(plaintext.bytes, using: key.symmetricKey, nonce: nonce, authenticating: associatedData(header, identity))
        } catch {
            // Only a bad key size or nonce can fail here, and both are fixed above.
            preconditionFailure("AES-GCM seal with a 32-byte key and a 12-byte nonce failed")
        }
        return header + nonce.withUnsafeBytes { Array($0) } + Array(box.ciphertext) + Array(box.tag)
    }

    /// Opens a record sealed for `identity` with one of the ring's keys.
    public static func open(_ record: [UInt8], for identity: RecordIdentity, keys: StateKeyRing) -> Result<OpenedRecord, SealedRecordRefusal> {
        guard record.count <= maximumSize else { return .failure(.tooLarge(record.count)) }
        guard record.count >= 1 else { return .failure(.truncated(0)) }
        guard record[0] == version else { return .failure(.unknownVersion(record[0])) }
        guard record.count >= overhead else { return .failure(.truncated(record.count)) }
        let id = record[1..<5].reduce(UInt32(0)) { ($0 << 8) | UInt32($1) }
        guard let (key, isPrevious) = keys.key(id: id) else {
            return .failure(.unknownKey(keyID: String(format: "%08x", id)))
        }
        do {
            let nonce = try AES.GCM.Nonce(data: record[5..<headerSize])
            let box = try AES.GCM.SealedBox(
                nonce: nonce, ciphertext: record[headerSize..<(record.count - tagSize)], tag: record[(record.count - tagSize)...])
            let plaintext = try AES.GCM.open(box, using: key.symmetricKey, authenticating: associatedData(Array(record[0..<5]), identity))
            return .success(OpenedRecord(plaintext: SealedPlaintext(Array(plaintext)), needsReseal: isPrevious))
        } catch {
            return .failure(.notAuthentic)
        }
    }

    static func associatedData(_ header: [UInt8], _ identity: RecordIdentity) -> [UInt8] {
        let scope = Array(identity.scope.utf8)
        return Array("rotor.dev/sealed-state\u{0}".utf8) + header + withUnsafeBytes(of: UInt32(scope.count).bigEndian) { Array($0) }
            + scope + Array(identity.path.utf8)
    }
}
