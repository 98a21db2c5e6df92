import AWSProvider
import Foundation

/// A `moto_server` (AWS service mocks from PyPI) on a free loopback port, for one test.
/// Shared by the provider tests and the operator's scheduled-rotation tests.
///
/// Started by a small python launcher that prints the bound port and serves until its
/// stdin closes, so the server also goes away when the test process dies.
public final class MotoServer: Sendable {
    public let port: Int
    private let process: Process
    private let stdin: FileHandle
    private let stderrDrain: ChildProcess.PipeDrain

    public var endpoint: String { "http://127.0.0.1:\(port)" }

    static let launcher = """
        import os, sys
        from moto.server import ThreadedMotoServer
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        print(server.get_host_and_port()[1], flush=True)
        sys.stdin.read()
        os._exit(0)
        """

    /// Whether python3 can import moto and botocore here.
    public static let isAvailable: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import moto.server, botocore"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    private init(port: Int, process: Process, stdin: FileHandle, stderrDrain: ChildProcess.PipeDrain) {
        self.port = port
        self.process = process
        self.stdin = stdin
        self.stderrDrain = stderrDrain
    }

    /// Throws ``MotoError/notInstalled`` (saying how `hack/test` installs moto) unless
    /// python3 can import moto and botocore: a test that needs them fails without them,
    /// it is never skipped.
    public static func requireInstalled() throws {
        guard isAvailable else { throw MotoError.notInstalled }
    }

    /// Starts one and waits until it answers; fails with ``MotoError/notInstalled`` without moto.
    public static func start() async throws -> MotoServer {
        try requireInstalled()
        let server = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<MotoServer, any Error>) in
            Thread.detachNewThread {
                do {
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                    process.arguments = ["python3", "-c", launcher]
                    var environment = ProcessInfo.processInfo.environment
                    environment["PYTHONUNBUFFERED"] = "1"
                    process.environment = environment
                    let stdin = Pipe()
                    let stdout = Pipe()
                    let stderr = Pipe()
                    process.standardInput = stdin
                    process.standardOutput = stdout
                    process.standardError = stderr
                    try process.run()
                    let drain = ChildProcess.PipeDrain(stderr.fileHandleForReading)
                    // The first line is the port.
                    var line = Data()
                    let reader = stdout.fileHandleForReading
                    while true {
                        let byte = ChildProcess.readChunk(reader, count: 1)
                        if byte.isEmpty || byte.first == UInt8(ascii: "\n") { break }
                        line.append(byte)
                    }
                    guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespaces)) else {
                        try? stdin.fileHandleForWriting.close()
                        process.waitUntilExit()
                        let message = String(decoding: drain.wait().suffix(2000), as: UTF8.self)
                        throw MotoError.failedToStart(message)
                    }
                    continuation.resume(returning: MotoServer(port: port, process: process, stdin: stdin.fileHandleForWriting, stderrDrain: drain))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
        // The server thread is up once the port is printed; one request proves it answers.
        for _ in 0..<100 {
            if (try? await server.moto(path: "/moto-api/data.json", method: "GET")) != nil { return server }
            try await Task.sleep(for: .milliseconds(50))
        }
        await server.stop()
        throw MotoError.failedToStart("no answer")
    }

    /// Stops it and waits for the process to end.
    public func stop() async {
        try? stdin.close()
        let process = self.process
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                process.waitUntilExit()
                continuation.resume()
            }
        }
    }

    /// A call to moto's own API (`/moto-api/…`).
    @discardableResult
    public func moto(path: String, method: String = "POST", body: String = "") async throws -> Data {
        let response = try await AsyncHTTPClientTransport(timeout: .seconds(10)).send(
            AWSHTTPRequest(method: method, url: endpoint + path, headers: [], body: Array(body.utf8)))
        guard response.status < 300 else { throw MotoError.failedToStart("moto-api \(path) answered \(response.status)") }
        return Data(response.body)
    }

    /// Turns on moto's request-signature and IAM checks for every request from now on.
    public func enableAuthentication() async throws {
        try await moto(path: "/moto-api/reset-auth", body: "0")
    }

    public enum MotoError: Error, CustomStringConvertible {
        case failedToStart(String)
        case notInstalled
        public var description: String {
            switch self {
            case .failedToStart(let message): "moto_server did not start: \(message)"
            case .notInstalled:
                "python3 cannot import moto and botocore: run the tests with hack/test, which installs them "
                    + "(python3 -m pip install 'moto[server]')"
            }
        }
    }
}

/// Runs `body` with a fresh moto server, stopping it afterwards.
public func withMoto<T>(_ body: (MotoServer) async throws -> T) async throws -> T {
    let server = try await MotoServer.start()
    do {
        let result = try await body(server)
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}
