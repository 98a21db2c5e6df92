import Foundation

/// Runs child processes for the tests (python3 with botocore, moto_server) with their
/// pipes served on dedicated threads, never on the cooperative pool.
public enum ChildProcess {
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
                data = handle.readDataToEndOfFile()
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
                    stdin.fileHandleForWriting.write(input)
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
