import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import JSONCore
import KubeAPI

extension HTTPKubernetesClient {
    /// Sends a non-watch request and returns its JSON body, or throws the error it carries.
    ///
    /// The request waits for the pacer first (unless it is a Lease request). A 429 is retried
    /// here, never before the server's `Retry-After` (the pacer meanwhile slows the whole
    /// class), up to ``PacingPolicy/maximumThrottleRetries`` times: the server did not run it.
    func send(_ request: APIRequest) async throws -> JSONValue {
        var retries = 0
        while true {
            do {
                return try await sendOnce(request)
            } catch let error as KubeAPIError where error.kind == .tooManyRequests {
                let delay = error.retryAfter ?? configuration.pacing.defaultRetryAfter
                // Lease requests are not retried here: the leader elector keeps its own deadlines.
                guard request.pacing != .control, retries < configuration.pacing.maximumThrottleRetries,
                    delay <= configuration.pacing.maximumRetryAfter
                else { throw error }
                retries += 1
                logger.debug(
                    "throttled by the API server; retrying after its Retry-After",
                    metadata: ["request": "\(request.description)", "retryAfter": "\(delay)", "retry": "\(retries)"])
                try await Task.sleep(until: .now + delay, tolerance: nil)
            }
        }
    }

    private func sendOnce(_ request: APIRequest) async throws -> JSONValue {
        let permit: PacingPermit?
        if case .paced(let requestClass, let priority) = request.pacing {
            permit = try await pacer.acquire(requestClass, priority: priority)
        } else {
            permit = nil
        }
        let started = ContinuousClock.now
        let (result, outcome) = await exchange(request, started: started)
        if let permit { await pacer.complete(permit, outcome) }
        let body = try result.get()
        do {
            return try JSONValue(parsing: body.readableBytesView)
        } catch {
            throw KubeAPIError.decoding("response is not JSON: \(error)", request: request.description)
        }
    }

    /// One request and its whole body (or the error it stands for), and what it says about
    /// the server's load.
    private func exchange(
        _ request: APIRequest, started: ContinuousClock.Instant
    ) async -> (Result<ByteBuffer, any Error>, PacingLane<ContinuousClock.Instant>.Outcome) {
        let end = started + configuration.requestTimeout
        do {
            let response = try await execute(request, deadline: .now() + TimeAmount(configuration.requestTimeout))
            let body = try await collect(response, request, limit: configuration.maximumResponseBytes, within: ContinuousClock.now.duration(to: end))
            let latency = started.duration(to: .now)
            let code = Int(response.status.code)
            guard (200..<300).contains(code) else {
                let error = Self.error(status: response.status, headers: response.headers, body: body, request: request.description)
                switch code {
                case 429: return (.failure(error), .throttled(retryAfter: error.retryAfter ?? configuration.pacing.defaultRetryAfter))
                case 500...: return (.failure(error), .failed)
                default: return (.failure(error), .answered(latency: latency))
                }
            }
            return (.success(body), .answered(latency: latency))
        } catch let error as KubeAPIError where error.kind == .transport && !Task.isCancelled {
            return (.failure(error), .failed)
        } catch {
            return (.failure(error), .abandoned)
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
            let pool = request.pacing == .control ? controlClient : httpClient
            let response = try await pool.execute(http, deadline: deadline, logger: logger)
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
