import Foundation
import HTTPServing
import Logging
import NIOCore
import NIOPosix
import RotorConsumer

// rotor-example-api-keys: an HTTP service that authenticates API keys from a Secret
// mounted by Rotor, and keeps accepting the previous key during a rotation's grace
// window while telling the client to move on.
//
//   rotor-example-api-keys [--directory /etc/api-keys] [--key api-key] [--port 8081]
//
// The Secret is mounted as a volume (kubelet's `..data` layout); Rotor writes `api-key`
// and, during the overlap window, `api-key_previous`. Clients send `Authorization:
// Bearer KEY` (or `X-API-Key: KEY`) to GET /hello.

func option(_ name: String, default value: String) -> String {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: "--\(name)"), index + 1 < arguments.count else { return value }
    return arguments[index + 1]
}

let directory = option("directory", default: "/etc/api-keys")
let key = option("key", default: "api-key")
let port = Int(option("port", default: "8081")) ?? 8081
let logger = Logger(label: "api-keys")

let watcher: MountedSecretWatcher
do {
    // Refuses to start without the credential; follows kubelet's updates afterwards.
    watcher = try MountedSecretWatcher(
        directory: URL(fileURLWithPath: directory), options: .init(requiredKeys: [key]), interval: .seconds(1))
} catch {
    FileHandle.standardError.write(Data("rotor-example-api-keys: \(error)\n".utf8))
    exit(1)
}
let polling = Task { await watcher.run() }

/// The key a request presents, from `Authorization: Bearer` or `X-API-Key`.
func presentedKey(_ request: HTTPServerRequest) -> String? {
    request.bearerToken ?? request.headers.first(name: "x-api-key")
}

let server = try await HTTPServer(host: "127.0.0.1", port: port, group: MultiThreadedEventLoopGroup.singleton, logger: logger) { request in
    guard request.path == "/hello" else {
        return .bytes(Array("not found\n".utf8), status: .notFound, contentType: "text/plain")
    }
    switch watcher.verify(presented: presentedKey(request) ?? "", key: key) {
    case .current:
        return .bytes(Array("hello\n".utf8), contentType: "text/plain")
    case .previous:
        // Accepted during the grace window; the client must switch before it ends.
        logger.warning("a client authenticated with the previous \(key); it must move to the new one")
        var response = HTTPServerResponse.bytes(Array("hello\n".utf8), contentType: "text/plain")
        response.headers.append(("Warning", #"299 - "this API key was rotated; switch to the new one""#))
        return response
    case .invalid:
        return .bytes(Array("unauthorized\n".utf8), status: .unauthorized, contentType: "text/plain")
    }
}
// Written unbuffered: scripts and tests wait for this line.
FileHandle.standardOutput.write(Data("listening on http://127.0.0.1:\(server.port)\n".utf8))

signal(SIGTERM, SIG_IGN)
signal(SIGINT, SIG_IGN)
let (signals, continuation) = AsyncStream<Void>.makeStream()
let sources = [SIGTERM, SIGINT].map { number in
    let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
    source.setEventHandler { continuation.yield() }
    source.resume()
    return source
}
for await _ in signals { break }
sources.forEach { $0.cancel() }
polling.cancel()
await server.shutdown()
