import Foundation
import SecretProviders

/// How a provider paces and retries its calls to AWS.
public struct AWSCallPolicy: Sendable, Hashable {
    /// Attempts per call (the first included) when AWS throttles or fails transiently.
    public var maxAttempts: Int
    /// The first backoff; doubled per attempt, with full jitter.
    public var baseBackoff: Duration
    /// The longest single backoff.
    public var maxBackoff: Duration

    public init(maxAttempts: Int = 6, baseBackoff: Duration = .milliseconds(100), maxBackoff: Duration = .seconds(5)) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseBackoff = baseBackoff
        self.maxBackoff = maxBackoff
    }

    /// The wait before attempt `attempt + 1` (0-based `attempt` just failed): the provider's
    /// hint if larger, else a random share of `min(maxBackoff, baseBackoff · 2^attempt)`.
    func backoff(afterAttempt attempt: Int, hint: Duration?, random: Double) -> Duration {
        let ceiling = min(maxBackoff, baseBackoff * (1 << min(attempt, 20)))
        let jittered = ceiling * max(0.1, min(1, random))
        if let hint, hint > jittered { return min(hint, maxBackoff * 4) }
        return jittered
    }
}

/// Signs and sends calls to one AWS service endpoint: rate limit, concurrency cap,
/// retries with backoff on throttling and transient failures, one credential refresh
/// when AWS says the credentials expired.
struct AWSServiceClient: Sendable {
    var endpoint: AWSEndpoint
    var signer: SigV4Signer
    var transport: any AWSTransport
    var policy: AWSCallPolicy
    var rateLimiter: RequestRateLimiter?
    var limiter: ConcurrencyLimiter?
    var now: @Sendable () -> Date = { Date() }
    var sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    var onRequest: (@Sendable (String) -> Void)?

    /// POSTs `body` to the endpoint's root; returns the 2xx answer or throws a ``ProviderError``
    /// (or `CancellationError`). `operation` names the call for counters; `key`/`version`
    /// attribute errors. An answer over `maximumResponseBytes` is
    /// ``ProviderError/answerTooLarge(store:key:version:limit:what:)``, not retried.
    /// A store's check: credentials resolve, and one cheap signed `operation` is accepted.
    /// `AccessDenied` still proves the key and signature (the role may lack only that
    /// action), so it passes; any other failure is the store's, named `storeName`.
    func validate(
        operation: String, headers: [(name: String, value: String)], body: [UInt8], credentials: any AWSCredentialSource, storeName: String
    ) async throws {
        do {
            _ = try await credentials.credentials()
            _ = try await post(operation: operation, headers: headers, body: body, credentials: credentials)
        } catch let error as ProviderError {
            if error.class == .permissionDenied, error.detail?.contains("AWS AccessDenied") == true { return }
            throw error.inStore(storeName)
        }
    }

    func post(
        operation: String, headers extra: [(name: String, value: String)], body: [UInt8], credentials: (any AWSCredentialSource)?,
        key: String? = nil, version: String? = nil, maximumResponseBytes: Int = ResponseLimits.secretAnswerBytes
    ) async throws -> AWSHTTPResponse {
        var refreshedCredentials = false
        var attempt = 0
        while true {
            try Task.checkCancellation()
            try await rateLimiter?.acquire()
            let path = endpoint.basePath.isEmpty ? "/" : endpoint.basePath + "/"
            var headers: [(name: String, value: String)] = [("Host", endpoint.hostHeader)] + extra
            if let credentials {
                let current = try await credentials.credentials()
                let request = SigV4Request(method: "POST", path: path, headers: headers, body: body)
                headers = signer.sign(request, credentials: current, date: now())
            }
            let request = AWSHTTPRequest(
                method: "POST", url: endpoint.url(path: "/"), headers: headers, body: body, maximumResponseBytes: maximumResponseBytes)
            onRequest?(operation)
            let failure: ProviderError
            do {
                let response: AWSHTTPResponse
                if let limiter {
                    response = try await limiter.withPermit { try await transport.send(request) }
                } else {
                    response = try await transport.send(request)
                }
                if (200..<300).contains(response.status) { return response }
                let code = AWSErrorMapping.errorCode(response)
                failure = AWSErrorMapping.providerError(response, key: key, version: version)
                if let credentials, !refreshedCredentials, code == "ExpiredTokenException" || code == "ExpiredToken" {
                    refreshedCredentials = true
                    await credentials.invalidate()
                    continue
                }
            } catch is CancellationError {
                throw CancellationError()
            } catch let error as ResponseTooLarge {
                throw ProviderError.answerTooLarge(key: key, version: version, limit: error.limit, what: "aws \(operation)")
            } catch let error as ProviderError {
                throw error
            } catch {
                // No answer: a refused connection, a reset, a timeout. Only the type is named.
                failure = .transient(key: key, version: version, detail: "\(endpoint.host): no answer (\(type(of: error)))")
            }
            attempt += 1
            guard failure.isRetryable, attempt < policy.maxAttempts else { throw failure }
            let delay = policy.backoff(afterAttempt: attempt - 1, hint: failure.retryAfter, random: Double.random(in: 0...1))
            if failure.class == .throttled {
                // The whole store slows down, not only this call: AWS throttles per account and operation.
                await rateLimiter?.pause(for: policy.backoff(afterAttempt: 0, hint: failure.retryAfter, random: 1))
            }
            try await sleep(delay)
        }
    }
}
