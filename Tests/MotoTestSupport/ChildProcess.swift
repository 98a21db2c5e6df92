import Foundation

/// Runs child processes for the tests (python3 with botocore, moto_server) with their
/// pipes served on dedicated threads, never on the cooperative pool.
public enum ChildProcess {
    /// One `read(2)` of at most `count` bytes from `handle`, retried when a signal
    /// interrupts it: Foundation's `FileHandle` reads end in `try!` and crash the whole
    /// test process on `EINTR`. Empty at end of file (or on another error).
    public static func readChunk(_ handle: FileHandle, count: Int = 65_536) -> Data {
        var buffer = [UInt8](repeating: 0, count: count)
        while true {
            let read = Foundation.read(handle.fileDescriptor, &buffer, count)
            if read >= 0 { return Data(buffer[0..<read]) }
            if errno != EINTR { return Data() }
        }
    }

    /// Writes all of `data` to `handle` with `write(2)`, retrying on `EINTR` (see ``readChunk(_:count:)``).
    public static func writeAll(_ data: Data, to handle: FileHandle) {
        var bytes = [UInt8](data)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Foundation.write(handle.fileDescriptor, $0.baseAddress, $0.count) }
            if written > 0 { bytes = bytes.dropFirst(written) } else if written < 0 && errno == EINTR { continue } else { return }
        }
    }

    /// Everything `handle` delivers until end of file, read with ``readChunk(_:count:)``.
    public static func readAll(_ handle: FileHandle) -> Data {
        var data = Data()
        while true {
            let chunk = readChunk(handle)
            if chunk.isEmpty { return data }
            data.append(chunk)
        }
    }
    public struct Output: Sendable {
        public var status: Int32
        public var stdout: Data
        public var stderr: Data
    }

    /// Collects one pipe's bytes on its own thread.
    /// `@unchecked Sendable`: `data` is written once by the reading thread before `done`
    /// is signalled and read only after waiting on `done`.
    public final class PipeDrain: @unchecked Sendable {
        private var data = Data()
        private let done = DispatchSemaphore(value: 0)

        init(_ handle: FileHandle) {
            Thread.detachNewThread { [self] in
                data = ChildProcess.readAll(handle)
                done.signal()
            }
        }

        public func wait() -> Data {
            done.wait()
            return data
        }
    }

    /// Runs `executable` (looked up on PATH) with `arguments`, feeding `input` to its stdin.
    public static func run(_ executable: String, _ arguments: [String], input: Data = Data(), environment: [String: String]? = nil) async throws -> Output {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Output, any Error>) in
            Thread.detachNewThread {
                do {
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                    process.arguments = [executable] + arguments
                    if let environment { process.environment = environment }
                    let stdin = Pipe()
                    let stdout = Pipe()
                    let stderr = Pipe()
                    process.standardInput = stdin
                    process.standardOutput = stdout
                    process.standardError = stderr
                    try process.run()
                    let out = PipeDrain(stdout.fileHandleForReading)
                    let err = PipeDrain(stderr.fileHandleForReading)
                    ChildProcess.writeAll(input, to: stdin.fileHandleForWriting)
                    try? stdin.fileHandleForWriting.close()
                    let outData = out.wait()
                    let errData = err.wait()
                    process.waitUntilExit()
                    continuation.resume(returning: Output(status: process.terminationStatus, stdout: outData, stderr: errData))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}
