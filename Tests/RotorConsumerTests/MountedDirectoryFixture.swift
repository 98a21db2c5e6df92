import Foundation

/// A temporary directory laid out the way kubelet's atomic writer projects a Secret volume:
/// `..<timestamp>/KEY` files, a `..data` symlink to the live version, and `KEY -> ..data/KEY`.
final class MountedDirectoryFixture {
    let url: URL
    private let fileManager = FileManager.default

    init() throws {
        url = fileManager.temporaryDirectory.appendingPathComponent("rotor-consumer-\(UUID().uuidString)")
        try fileManager.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? fileManager.removeItem(at: url) }

    /// Writes a complete version directory and publishes it the way kubelet does: a new
    /// `..data_tmp` symlink renamed over `..data`, then per-key symlinks, then the old
    /// version directory removed.
    func publish(_ files: [String: String], version: String) throws {
        let versionURL = url.appendingPathComponent(version)
        try fileManager.createDirectory(at: versionURL, withIntermediateDirectories: false)
        for (key, content) in files {
            try Data(content.utf8).write(to: versionURL.appendingPathComponent(key))
        }
        let oldVersion = try? fileManager.destinationOfSymbolicLink(atPath: path("..data"))
        try swapDataLink(to: version)
        for key in files.keys where (try? fileManager.destinationOfSymbolicLink(atPath: path(key))) == nil {
            try fileManager.createSymbolicLink(atPath: path(key), withDestinationPath: "..data/\(key)")
        }
        if let oldVersion, oldVersion != version {
            try? fileManager.removeItem(atPath: path(oldVersion))
        }
    }

    /// Atomically points `..data` at `target` (which need not exist).
    func swapDataLink(to target: String) throws {
        try? fileManager.removeItem(atPath: path("..data_tmp"))
        try fileManager.createSymbolicLink(atPath: path("..data_tmp"), withDestinationPath: target)
        guard rename(path("..data_tmp"), path("..data")) == 0 else {
            throw CocoaError(.fileWriteUnknown)
        }
    }

    /// Writes a plain file directly in the directory (no kubelet layout).
    func writePlain(_ key: String, _ content: String) throws {
        try Data(content.utf8).write(to: url.appendingPathComponent(key))
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}
