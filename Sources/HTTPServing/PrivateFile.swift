#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Files that hold a credential (a kubeconfig with a token, `vault.env` with a root token),
/// written so that nobody but their owner can read them at any moment.
///
/// The bytes go to a new file in the same directory, created with
/// `open(O_WRONLY|O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC, 0600)`: it is owner-only from its
/// first byte (the mode is fixed on the open descriptor before anything is written, so a
/// restrictive umask cannot leave it unreadable either), and `O_EXCL`/`O_NOFOLLOW` refuse a
/// name someone planted. It is then renamed over `path`, so an existing file with wider
/// permissions (or a symbolic link) is replaced by the new owner-only file, never
/// `chmod`-ed after the fact, and readers see the old or the new content, never a part.
public enum PrivateFile {
    /// The mode of every file this writes: read and write for its owner only.
    public static let mode: mode_t = 0o600

    /// Why a private file could not be written: names the file and the failing call.
    public struct WriteError: Error, CustomStringConvertible, Sendable {
        public let path: String
        public let operation: String
        public let errorNumber: Int32
        public var description: String {
            "cannot write \(path): \(operation) failed: \(String(cString: strerror(errorNumber)))"
        }
    }

    /// Writes `contents` to `path` (creating its directory), owner-only (0600) from the start.
    public static func write(_ contents: String, to path: String) throws {
        try write(Array(contents.utf8), to: path)
    }

    /// Writes `bytes` to `path` (creating its directory), owner-only (0600) from the start.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        try write(bytes, to: path, afterCreating: { _ in })
    }

    /// As ``write(_:to:)-([UInt8],_)``; `afterCreating` is called with the new file's path
    /// once it exists and before any byte is written (tests look at its mode there).
    static func write(_ bytes: [UInt8], to path: String, afterCreating: (String) throws -> Void) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let name = (path as NSString).lastPathComponent
        let temporary = (directory.isEmpty ? "" : directory + "/") + ".\(name).\(UUID().uuidString.prefix(8)).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw WriteError(path: temporary, operation: "open", errorNumber: errno) }
        var renamed = false
        defer { if !renamed { unlink(temporary) } }
        do {
            defer { close(descriptor) }
            // Only ever narrows (the file was created with at most 0600): fixes a umask
            // that dropped the owner's bits, before the first byte.
            guard fchmod(descriptor, mode) == 0 else { throw WriteError(path: temporary, operation: "fchmod", errorNumber: errno) }
            try afterCreating(temporary)
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { buffer in
                    systemWrite(descriptor, buffer.baseAddress, buffer.count)
                }
                if written < 0 {
                    if errno == EINTR { continue }
                    throw WriteError(path: temporary, operation: "write", errorNumber: errno)
                }
                offset += written
            }
            guard fsync(descriptor) == 0 else { throw WriteError(path: temporary, operation: "fsync", errorNumber: errno) }
        }
        guard rename(temporary, path) == 0 else { throw WriteError(path: path, operation: "rename", errorNumber: errno) }
        renamed = true
    }
}

/// The C `write(2)`, out of the way of ``PrivateFile/write(_:to:)``'s name.
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(descriptor, buffer, count)
    #elseif canImport(Musl)
    Musl.write(descriptor, buffer, count)
    #else
    Darwin.write(descriptor, buffer, count)
    #endif
}
