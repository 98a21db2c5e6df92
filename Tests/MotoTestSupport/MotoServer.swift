import AWSProvider
import Foundation
import ProcessTestSupport

/// A `moto_server` (AWS service mocks from PyPI) on a free loopback port, for one test.
/// Shared by the provider tests and the operator's scheduled-rotation tests.
///
/// Started by a small python launcher that prints the bound port and serves until its
/// stdin closes, so the server also goes away when the test process dies.
public final class MotoServer: Sendable {
    public let port: Int
    private let process: Subprocess
    private let errors: OutputCollector

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

    /// Whether python3 can import moto and botocore here, asked once. Awaited, never
    /// computed in a `static let` initializer: importing moto takes seconds on a loaded
    /// machine, and every test touching a blocking initializer waits on a thread of the
    /// concurrency pool (two on two cores), which stalled every other test in CI.
    private static let availability = Task.detached { () -> Bool in
        guard let probe = try? Subprocess.spawn("python3", ["-c", "import moto.server, botocore"], stdin: .null, stdout: .null, stderr: .null)
        else { return false }
        return await probe.exit().succeeded
    }

    public static var isAvailable: Bool {
        get async { await availability.value }
    }

    private init(port: Int, process: Subprocess, errors: OutputCollector) {
        self.port = port
        self.process = process
        self.errors = errors
    }

    /// Throws ``MotoError/notInstalled`` (saying how `hack/test` installs moto) unless
    /// python3 can import moto and botocore: a test that needs them fails without them,
    /// it is never skipped.
    public static func requireInstalled() async throws {
        guard await isAvailable else { throw MotoError.notInstalled }
    }

    /// Starts one and waits until it answers; fails with ``MotoError/notInstalled`` without moto.
    public static func start() async throws -> MotoServer {
        try await requireInstalled()
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONUNBUFFERED"] = "1"
        let process = try Subprocess.spawn("python3", ["-c", launcher], environment: environment, stderr: .pipe)
        let errors = OutputCollector.following(process, standardError: true)
        // The first line is the port; read on a thread of its own, off the concurrency pool.
        let line = await withCheckedContinuation { (continuation: CheckedContinuation<Data, Never>) in
            Thread.detachNewThread {
                var line = Data()
                while true {
                    let byte = Subprocess.readChunk(process.standardOutput!, count: 1)
                    if byte.isEmpty || byte.first == UInt8(ascii: "\n") { break }
                    line.append(byte)
                }
                continuation.resume(returning: line)
            }
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespaces)) else {
            process.closeStandardInput()
            _ = await process.exit()
            throw MotoError.failedToStart(String(errors.text.suffix(2000)))
        }
        let server = MotoServer(port: port, process: process, errors: errors)
        // The server thread is up once the port is printed; one request proves it answers.
        for _ in 0..<100 {
            if (try? await server.moto(path: "/moto-api/data.json", method: "GET")) != nil { return server }
            try await Task.sleep(for: .milliseconds(50))
        }
        await server.stop()
        throw MotoError.failedToStart("no answer")
    }

    /// Stops it (its stdin closes) and waits for the process to end.
    public func stop() async {
        process.closeStandardInput()
        _ = await process.exit()
    }

    /// A call to moto's own API (`/moto-api/…`).
    @discardableResult
    public func moto(path: String, method: String = "POST", body: String = "") async throws -> Data {
        let response = try await AsyncHTTPClientTransport(timeout: .seconds(60)).send(
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
