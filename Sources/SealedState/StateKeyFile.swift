import Foundation

/// What a state key file (`--state-key-file`, `--state-previous-key-file`) may hold, and
/// why one is refused.
///
/// Accepted, decided by length alone so nothing is ambiguous:
/// - exactly 32 bytes, raw (`head -c 32 /dev/urandom > key`);
/// - the base64 of 32 bytes: 44 characters ending in `=`, optionally followed by one
///   `\n` or `\r\n` (`head -c 32 /dev/urandom | base64 > key`, or a Kubernetes Secret's
///   value mounted as a file after `kubectl create secret generic --from-file`).
///
/// Anything else is a configuration error. Problems give lengths, never content.
public enum StateKeyFile {
    /// The largest file read at all: a key file is 32 to 46 bytes; more is not a key.
    public static let maximumFileSize = 1024

    public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        /// The file could not be read (missing, unreadable, a directory).
        case unreadable
        /// The file is larger than any key file could be.
        case tooLarge
        /// Neither 32 raw bytes nor 44 characters of base64 of 32 bytes.
        case wrongLength(Int)
        /// 44 characters (plus newline) that are not the base64 of 32 bytes.
        case notBase64

        public var description: String {
            switch self {
            case .unreadable: "cannot be read"
            case .tooLarge: "is larger than \(StateKeyFile.maximumFileSize) bytes, not a key"
            case .wrongLength(let count):
                "must hold exactly 32 bytes, raw or base64-encoded (44 characters, a trailing newline allowed); it holds \(count) bytes"
            case .notBase64: "holds 44 characters that are not the base64 of 32 bytes"
            }
        }
    }

    /// The key in a file's bytes.
    public static func parse(_ contents: [UInt8]) -> Result<StateKey, Problem> {
        if contents.count > maximumFileSize { return .failure(.tooLarge) }
        if contents.count == StateKey.byteCount { return .success(StateKey(bytes: contents)!) }
        var text = contents[...]
        if text.last == UInt8(ascii: "\n") { text = text.dropLast() }
        if text.last == UInt8(ascii: "\r") { text = text.dropLast() }
        guard text.count == 44 else { return .failure(.wrongLength(contents.count)) }
        guard let decoded = Data(base64Encoded: Data(text)), let key = StateKey(bytes: decoded) else {
            return .failure(.notBase64)
        }
        return .success(key)
    }

    /// The key in the file at `path` (at most ``maximumFileSize`` bytes are read).
    public static func load(path: String) -> Result<StateKey, Problem> {
        guard let handle = FileHandle(forReadingAtPath: path) else { return .failure(.unreadable) }
        defer { try? handle.close() }
        let contents: Data?
        do {
            contents = try handle.read(upToCount: maximumFileSize + 1)
        } catch {
            return .failure(.unreadable)
        }
        return parse(Array(contents ?? Data()))
    }
}
