import Foundation
import SecretProviders
import Testing

@testable import AWSProvider

/// Counts how often credentials were fetched; each fetch yields credentials expiring `life` after `now`.
final class CountingSource: AWSCredentialSource, @unchecked Sendable {
    // @unchecked Sendable: `count` and `generationValue` are only touched under `lock`.
    private let lock = NSLock()
    private var count = 0
    private var generationValue = "1"
    let life: TimeInterval?
    let clock: TestClock

    init(life: TimeInterval?, clock: TestClock) {
        self.life = life
        self.clock = clock
    }

    func credentials() async throws -> AWSCredentials {
        try await Task.sleep(for: .milliseconds(20))
        let number = lock.withLock { count += 1; return count }
        return AWSCredentials(
            accessKeyID: "ASIA\(number)", secretAccessKey: "secret-\(number)", sessionToken: "token",
            expiration: life.map { clock.now.addingTimeInterval($0) })
    }

    func generation() -> String { lock.withLock { generationValue } }
    func bump() { lock.withLock { generationValue += "+" } }
    var fetches: Int { lock.withLock { count } }
}

/// A settable wall clock. `@unchecked Sendable`: `value` is only touched under `lock`.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var value = Date(timeIntervalSince1970: 1_800_000_000)
    var now: Date { lock.withLock { value } }
    func advance(_ seconds: TimeInterval) { lock.withLock { value = value.addingTimeInterval(seconds) } }
}

struct CredentialCacheTests {
    @Test("temporary credentials are fetched once for concurrent callers and refreshed before they expire")
    func refreshBeforeExpiry() async throws {
        let clock = TestClock()
        let source = CountingSource(life: 3600, clock: clock)
        let cache = CachedCredentialSource(source, refreshMargin: .seconds(300), now: { clock.now })
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<20 { group.addTask { _ = try? await cache.credentials() } }
        }
        #expect(source.fetches == 1)
        clock.advance(3000)  // 10 minutes before expiry: still good
        _ = try await cache.credentials()
        #expect(source.fetches == 1)
        clock.advance(400)  // inside the 5-minute margin
        let fresh = try await cache.credentials()
        #expect(source.fetches == 2)
        #expect(fresh.accessKeyID == SecretValue(utf8: "ASIA2"))
    }

    @Test("long-lived keys are re-read after their reuse period; a changed generation refreshes at once")
    func reuseAndGeneration() async throws {
        let clock = TestClock()
        let source = CountingSource(life: nil, clock: clock)
        let cache = CachedCredentialSource(source, reuseFor: .seconds(60), now: { clock.now })
        _ = try await cache.credentials()
        clock.advance(30)
        _ = try await cache.credentials()
        #expect(source.fetches == 1)
        clock.advance(31)
        _ = try await cache.credentials()
        #expect(source.fetches == 2)
        source.bump()
        _ = try await cache.credentials()
        #expect(source.fetches == 3)
        await cache.invalidate()
        _ = try await cache.credentials()
        #expect(source.fetches == 4)
    }

    @Test("the rate limiter lets a burst through, then spaces requests at the rate")
    func rateLimiter() async {
        let limiter = RequestRateLimiter(ratePerSecond: 10, burst: 3)
        var waits: [Duration] = []
        for _ in 0..<5 { waits.append(await limiter.reserve()) }
        #expect(waits[0] == .zero && waits[1] == .zero && waits[2] == .zero)
        #expect(waits[3] > .milliseconds(80) && waits[3] <= .milliseconds(100))
        #expect(waits[4] > .milliseconds(180) && waits[4] <= .milliseconds(200))
    }

    @Test("after a throttle the limiter holds every caller back for the pause")
    func rateLimiterPause() async {
        let limiter = RequestRateLimiter(ratePerSecond: 100, burst: 50)
        let before = await limiter.reserve()
        await limiter.pause(for: .milliseconds(200))
        let after = await limiter.reserve()
        #expect(before == .zero)
        #expect(after > .milliseconds(190) && after <= .milliseconds(220))
    }
}

/// Answers from a script, recording the operations asked.
final class ScriptedTransport: AWSTransport, @unchecked Sendable {
    // @unchecked Sendable: `answers` and `seen` are only touched under `lock`.
    private let lock = NSLock()
    private var answers: [AWSHTTPResponse]
    private var seen: [String] = []

    init(_ answers: [AWSHTTPResponse]) { self.answers = answers }

    func send(_ request: AWSHTTPRequest) async throws -> AWSHTTPResponse {
        let target = request.headers.first { $0.name == "X-Amz-Target" }?.value ?? "?"
        return lock.withLock {
            seen.append(target)
            return answers.isEmpty ? AWSHTTPResponse(status: 500, body: []) : answers.removeFirst()
        }
    }

    var operations: [String] { lock.withLock { seen } }
}

struct CallPolicyTests {
    static func json(_ status: Int, _ text: String, headers: [(name: String, value: String)] = []) -> AWSHTTPResponse {
        AWSHTTPResponse(status: status, headers: headers, body: Array(text.utf8))
    }

    static func provider(_ transport: ScriptedTransport, attempts: Int = 4) throws -> AWSSecretsManagerProvider {
        var options = AWSProviderOptions()
        options.transport = transport
        options.callPolicy = AWSCallPolicy(maxAttempts: attempts, baseBackoff: .milliseconds(1), maxBackoff: .milliseconds(5))
        let context = ProviderContext(
            storeName: "SecretStore/t/aws", config: .object(["region": .string("eu-west-1")]), ambientIdentity: .cloudIdentity)
        let environment = ["AWS_ACCESS_KEY_ID": "AKIATEST", "AWS_SECRET_ACCESS_KEY": "x", "AWS_ENDPOINT_URL": "http://127.0.0.1:1"]
        return try AWSProviderFactory(options: options, environment: { environment })
            .makeAWSProvider(context)
    }

    @Test("throttling and 5xx are retried until an answer; the result is the secret")
    func retriesThenSucceeds() async throws {
        let transport = ScriptedTransport([
            Self.json(400, #"{"__type":"ThrottlingException"}"#), Self.json(429, "slow down"), Self.json(503, "<html/>"),
            Self.json(200, #"{"Name":"k","SecretString":"v","VersionId":"1"}"#),
        ])
        let secret = try await Self.provider(transport).read(RemoteSecretID(key: "k", version: "AWSCURRENT"))
        #expect(secret.value == SecretValue(utf8: "v"))
        #expect(transport.operations.count == 4)
    }

    @Test("throttled on every attempt: a throttled error for the key, no more attempts than allowed")
    func givesUpThrottled() async throws {
        let transport = ScriptedTransport(Array(repeating: Self.json(400, #"{"__type":"ThrottlingException"}"#), count: 10))
        let outcome = try await Self.provider(transport, attempts: 3).read([RemoteSecretID(key: "k", version: "AWSCURRENT")])
        var failure: ProviderError?
        if case .failure(let error)? = outcome[RemoteSecretID(key: "k", version: "AWSCURRENT")] { failure = error }
        #expect(failure?.class == .throttled)
        #expect(failure?.store == "SecretStore/t/aws")
        #expect(transport.operations.count == 3)
    }

    @Test("not found and denied are not retried")
    func noRetryOnFinalErrors() async throws {
        let transport = ScriptedTransport([Self.json(400, #"{"__type":"ResourceNotFoundException"}"#)])
        let outcome = try await Self.provider(transport).read([RemoteSecretID(key: "gone", version: "AWSCURRENT")])
        var failure: ProviderError?
        if case .failure(let error)? = outcome[RemoteSecretID(key: "gone", version: "AWSCURRENT")] { failure = error }
        #expect(failure?.isSecretMissing == true)
        #expect(transport.operations.count == 1)
    }
}

struct ExpiredTokenTests {
    @Test("ExpiredTokenException: the credentials are refreshed once and the call repeated")
    func refreshesOnExpiredToken() async throws {
        let clock = TestClock()
        let source = CountingSource(life: 3600, clock: clock)
        let cache = CachedCredentialSource(source, now: { clock.now })
        let transport = ScriptedTransport([
            CallPolicyTests.json(400, #"{"__type":"ExpiredTokenException","message":"The security token included in the request is expired"}"#),
            CallPolicyTests.json(200, #"{"Name":"k","SecretString":"v"}"#),
        ])
        let client = AWSServiceClient(
            endpoint: try AWSEndpoint(url: "http://127.0.0.1:1"), signer: SigV4Signer(region: "eu-west-1", service: "secretsmanager"),
            transport: transport, policy: AWSCallPolicy(maxAttempts: 1), rateLimiter: nil, limiter: nil)
        let response = try await client.post(
            operation: "GetSecretValue", headers: SecretsManagerWire.headers("GetSecretValue"),
            body: SecretsManagerWire.getSecretValue(RemoteSecretID(key: "k")), credentials: cache, key: "k")
        #expect(response.status == 200)
        #expect(source.fetches == 2)
        #expect(transport.operations.count == 2)
    }
}
