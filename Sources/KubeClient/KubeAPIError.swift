import KubeAPI

/// A failed Kubernetes API call: refused by the server, lost on the way, or
/// answered with something that could not be read.
///
/// Callers branch on ``kind`` (or the stable string ``code``), never on the
/// message. The message names the verb, resource, namespace/name and the
/// server's own message, and never a request body: bodies carry Secret data.
public struct KubeAPIError: Error, Sendable, CustomStringConvertible {
    /// The class of failure, stable across releases.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// 404 / `NotFound`.
        case notFound
        /// 409 `AlreadyExists`: a create found the name taken.
        case alreadyExists
        /// 409 `Conflict`: a stale resourceVersion or a failed precondition; re-read and retry.
        case conflict
        /// 410 `Gone` / `Expired`: the resourceVersion is too old; relist.
        case gone
        /// 403 / `Forbidden`: RBAC says no.
        case forbidden
        /// 401 / `Unauthorized`: the credentials were not accepted.
        case unauthorized
        /// 422 / `Invalid`: the object failed validation; see ``KubeAPIError/causes``.
        case invalid
        /// 429 / `TooManyRequests`: back off for ``KubeAPIError/retryAfter``.
        case tooManyRequests
        /// Another 4xx (400, 405, 406, 413, 415, …) or a request this client refused to send.
        case badRequest
        /// 5xx: the server failed or timed out.
        case server
        /// No answer: connection refused, TLS failure, timeout, connection lost.
        case transport
        /// An answer that is not the JSON expected.
        case decoding
    }

    private enum Failure: Sendable {
        case response(status: Status, httpStatus: Int?, retryAfterSeconds: Int?)
        case transport(message: String, underlying: (any Error)?)
        case decoding(message: String)
        case refused(message: String)
        case credentials(message: String)
    }

    private let failure: Failure
    /// The class of failure.
    public let kind: Kind
    /// What was asked, for messages and logs.
    public let request: KubeRequestDescription?

    /// A stable machine-readable code, e.g. `kube.notFound`.
    public var code: String { "kube.\(kind.rawValue)" }

    /// Longest `Retry-After` honoured, in seconds (10 minutes); longer hints are cut to it.
    public static let maximumRetryAfterSeconds = 600

    /// The error the API server sent (or the `Status` of a watch `ERROR` event).
    public init(status: Status, httpStatus: Int? = nil, retryAfterSeconds: Int? = nil, request: KubeRequestDescription? = nil) {
        let code = httpStatus ?? status.code ?? 0
        let headerDelay = retryAfterSeconds.flatMap { $0 > 0 ? $0 : nil }
        let bodyDelay = status.details?.retryAfterSeconds.flatMap { $0 > 0 ? $0 : nil }
        // A hint is at most `maximumRetryAfterSeconds`: no server answer parks a caller for long.
        let delay = (headerDelay ?? bodyDelay).map { min($0, Self.maximumRetryAfterSeconds) }
        self.failure = .response(status: status, httpStatus: code == 0 ? nil : code, retryAfterSeconds: delay)
        self.kind = KubeAPIError.kind(reason: status.reason, httpStatus: code, verb: request?.verb)
        self.request = request
    }

    /// The server could not be reached or the exchange broke off.
    public static func transport(_ message: String, underlying: (any Error)? = nil, request: KubeRequestDescription? = nil) -> KubeAPIError {
        KubeAPIError(failure: .transport(message: message, underlying: underlying), kind: .transport, request: request)
    }

    /// The server answered with something that could not be decoded.
    public static func decoding(_ message: String, request: KubeRequestDescription? = nil) -> KubeAPIError {
        KubeAPIError(failure: .decoding(message: message), kind: .decoding, request: request)
    }

    /// The client refused to send the request (e.g. an object name that is not a valid path segment).
    public static func refused(_ message: String, request: KubeRequestDescription? = nil) -> KubeAPIError {
        KubeAPIError(failure: .refused(message: message), kind: .badRequest, request: request)
    }

    /// The client has no usable credentials (e.g. the token file cannot be read).
    public static func credentials(_ message: String, request: KubeRequestDescription? = nil) -> KubeAPIError {
        KubeAPIError(failure: .credentials(message: message), kind: .unauthorized, request: request)
    }

    private init(failure: Failure, kind: Kind, request: KubeRequestDescription?) {
        self.failure = failure
        self.kind = kind
        self.request = request
    }

    /// The `Status` the server sent, if it sent one.
    public var status: Status? {
        if case .response(let status, _, _) = failure { return status }
        return nil
    }

    /// The HTTP status code, if there was a response.
    public var httpStatus: Int? {
        if case .response(_, let code, _) = failure { return code }
        return nil
    }

    /// The `Status.reason`, e.g. `NotFound`, `Expired`.
    public var reason: String? { status?.reason }

    /// Field-level causes of an `Invalid` (or other) failure.
    public var causes: [StatusCause] { status?.details?.causes ?? [] }

    /// How long the server asked us to wait, from `Retry-After` or `details.retryAfterSeconds`.
    public var retryAfter: Duration? {
        if case .response(_, _, let seconds?) = failure { return .seconds(seconds) }
        return nil
    }

    /// The underlying transport error, for diagnostics.
    public var underlyingError: (any Error)? {
        if case .transport(_, let underlying) = failure { return underlying }
        return nil
    }

    /// Whether retrying the same request later may succeed without changing it.
    public var isTransient: Bool {
        switch kind {
        case .tooManyRequests, .server, .transport: return true
        default: return false
        }
    }

    /// The server's message, or what went wrong on the way.
    public var message: String {
        switch failure {
        case .response(let status, let code, _):
            if let message = status.message, !message.isEmpty { return message }
            return code.map { "HTTP \($0)" } ?? "no message"
        case .transport(let message, _), .decoding(let message), .refused(let message), .credentials(let message):
            return message
        }
    }

    public var description: String {
        var text = request.map { "\($0): " } ?? ""
        switch failure {
        case .response(let status, let code, let retry):
            text += status.reason ?? kind.rawValue
            if let code { text += " (\(code))" }
            text += ": \(message)"
            text += causesNotInMessage
            if let retry { text += " (retry after \(retry)s)" }
        case .transport:
            text += "transport error: \(message)"
        case .decoding:
            text += "undecodable response: \(message)"
        case .refused:
            text += "refused: \(message)"
        case .credentials:
            text += "no credentials: \(message)"
        }
        return text
    }

    /// The causes of a failure, when the server's message does not already list them.
    private var causesNotInMessage: String {
        let serverMessage = status?.message ?? ""
        let missing = causes.filter { cause in !(cause.field.map { serverMessage.contains($0) } ?? false) }
        guard !missing.isEmpty else { return "" }
        return " [" + missing.map { "\($0.field ?? "-"): \($0.message ?? $0.reason ?? "")" }.joined(separator: "; ") + "]"
    }
}
