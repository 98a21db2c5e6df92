import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import JSONCore
import KubeAPI

extension HTTPKubernetesClient {
    /// Sends a non-watch request and returns its JSON body, or throws the error it carries.
    func send(_ request: APIRequest) async throws -> JSONValue {
        try await rateLimiter.acquire()
        let end = ContinuousClock.now + configuration.requestTimeout
        let response = try await execute(request, deadline: .now() + TimeAmount(configuration.requestTimeout))
        let body = try await collect(response, request, limit: configuration.maximumResponseBytes, within: ContinuousClock.now.duration(to: end))
        guard (200..<300).contains(response.status.code) else {
            throw Self.error(status: response.status, headers: response.headers, body: body, request: request.description)
        }
        do {
            return try JSONValue(parsing: body.readableBytesView)
        } catch {
            throw KubeAPIError.decoding("response is not JSON: \(error)", request: request.description)
        }
    }

    /// Opens a watch: returns once the server accepted it, then streams.
    func openWatch(_ request: APIRequest) async throws -> WatchEventStream {
        let response = try await execute(request, deadline: .now() + TimeAmount(configuration.requestTimeout))
        guard (200..<300).contains(response.status.code) else {
            let body = try await collect(response, request, limit: 1 << 20, within: configuration.requestTimeout)
            throw Self.error(status: response.status, headers: response.headers, body: body, request: request.description)
        }
        // timeoutSeconds 0 or unset lets the server pick its own (long) timeout: no client deadline then.
        let deadline = request.watchTimeoutSeconds.flatMap { seconds in
            seconds > 0 ? ContinuousClock.now + .seconds(seconds) + configuration.watchTimeoutSlack : nil
        }
        return WatchEventStream(HTTPWatchEvents(body: response.body, request: request.description, deadline: deadline))
    }

    /// Sends the request with the current token; after a 401, retries once if the
    /// token source has a different token by then (a rotated service-account token).
    /// `deadline` bounds the time to the response head.
    private func execute(_ request: APIRequest, deadline: NIODeadline) async throws -> HTTPClientResponse {
        let token = try await currentToken(for: request)
        let response = try await executeOnce(request, token: token, deadline: deadline)
        guard response.status == .unauthorized, let token, await tokens.refreshAfterRejection(of: token) else {
            return response
        }
        // The refused response's body is dropped unread, which closes that connection: rare enough.
        logger.debug("token refused; retrying with the re-read token", metadata: ["request": "\(request.description)"])
        return try await executeOnce(request, token: try await currentToken(for: request), deadline: deadline)
    }

    private func currentToken(for request: APIRequest) async throws -> String? {
        do {
            return try await tokens.token()
        } catch let error as KubeAPIError {
            throw KubeAPIError.credentials(error.message, request: request.description)
        }
    }

    private func executeOnce(_ request: APIRequest, token: String?, deadline: NIODeadline) async throws -> HTTPClientResponse {
        var http = HTTPClientRequest(url: request.url(server: requestServer))
        http.method = request.method
        http.headers.add(name: "Accept", value: "application/json")
        http.headers.add(name: "User-Agent", value: configuration.userAgent)
        if let token { http.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body = request.body {
            http.headers.add(name: "Content-Type", value: request.contentType ?? "application/json")
            http.body = .bytes(body)
        }
        do {
            let response = try await httpClient.execute(http, deadline: deadline, logger: logger)
            logger.trace(
                "\(request.method.rawValue) \(request.pathAndQuery) -> \(response.status.code)",
                metadata: ["request": "\(request.description)"])
            requestCounters.count(request.description, code: String(response.status.code))
            return response
        } catch {
            requestCounters.count(request.description, code: "error")
            try Task.checkCancellation()
            throw KubeAPIError.transport(Self.describe(error), underlying: error, request: request.description)
        }
    }

    private func collect(_ response: HTTPClientResponse, _ request: APIRequest, limit: Int, within timeout: Duration) async throws -> ByteBuffer {
        do {
            return try await withDeadline(max(timeout, .zero), request) {
                try await response.body.collect(upTo: limit)
            }
        } catch let error as KubeAPIError {
            throw error
        } catch is NIOTooManyBytesError {
            throw KubeAPIError.decoding("response larger than \(limit) bytes", request: request.description)
        } catch {
            try Task.checkCancellation()
            throw KubeAPIError.transport(Self.describe(error), underlying: error, request: request.description)
        }
    }

    /// Runs `operation`, cancelling it (which aborts the body read) after `timeout`:
    /// async-http-client's deadline only covers the response head.
    private func withDeadline<T: Sendable>(
        _ timeout: Duration, _ request: APIRequest, _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let result = try await group.next() ?? nil else {
                throw KubeAPIError.transport("no complete response within \(timeout)", request: request.description)
            }
            return result
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded: return "no response before the deadline"
            case .connectTimeout: return "connect timeout"
            case .remoteConnectionClosed: return "the server closed the connection"
            default: break
            }
        }
        return "\(error)"
    }

    /// The error an unsuccessful response stands for: its `Status` body when it
    /// has one, else a `Status` made from the HTTP status line.
    static func error(status: HTTPResponseStatus, headers: HTTPHeaders, body: ByteBuffer, request: KubeRequestDescription) -> KubeAPIError {
        let retryAfter = headers.first(name: "Retry-After").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let statusBody = (try? JSONValue(parsing: body.readableBytesView)).flatMap { json -> Status? in
            guard json["kind"]?.stringValue == "Status" || json["reason"] != nil || json["message"] != nil else { return nil }
            return try? json.decode(as: Status.self)
        }
        // Not an API server answer (a proxy, a load balancer): keep the start of its text.
        let text = String(decoding: body.readableBytesView.prefix(256), as: UTF8.self)
        let apiStatus = statusBody ?? Status(message: text.isEmpty ? status.reasonPhrase : text, code: Int(status.code))
        return KubeAPIError(status: apiStatus, httpStatus: Int(status.code), retryAfterSeconds: retryAfter, request: request)
    }
}
