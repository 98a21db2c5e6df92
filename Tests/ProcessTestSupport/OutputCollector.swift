import Foundation

/// A child's output, appended as it arrives by a thread of its own (never the
/// concurrency pool, and never `readabilityHandler`, whose dispatch sources have
/// crashed libdispatch on Linux when pipes close).
public final class OutputCollector: @unchecked Sendable {
    // Safe: every access holds `lock`.
    private let lock = NSLock()
    private var data = Data()

    /// Appends what `process` writes to stdout (or, with `standardError`, to stderr)
    /// until end of file. The reading thread keeps `process` alive (it closes its pipes
    /// when it goes away, and the number could be reused under a reader), and `process`
    /// reports its end only once this has read everything.
    public static func following(_ process: Subprocess, standardError: Bool = false) -> OutputCollector {
        let collector = OutputCollector()
        guard let descriptor = standardError ? process.standardError : process.standardOutput else { return collector }
        process.collectorStarted()
        Thread.detachNewThread {
            while true {
                let chunk = Subprocess.readChunk(descriptor)
                if chunk.isEmpty { break }
                collector.append(chunk)
            }
            process.collectorEnded()
        }
        return collector
    }

    public func append(_ chunk: Data) {
        lock.lock()
        data.append(chunk)
        lock.unlock()
    }

    public var text: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: data, as: UTF8.self)
    }
}
