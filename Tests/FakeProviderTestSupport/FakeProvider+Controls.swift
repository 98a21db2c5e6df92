import FakeProvider
import SecretProviders

/// What tests do to a fake store: change its values, make it fail, throttle or wait, and
/// read its counters. Kept out of the FakeProvider library (which the operator ships for
/// store specs with static data): it reaches the provider's state through `package` access.
extension FakeProvider {
    // MARK: Data

    /// Makes `value` the current version of `key` (as `version`, or the next number);
    /// returns the version.
    @discardableResult
    public func setValue(_ value: SecretValue, for key: String, version: String? = nil) -> String {
        Self.add(Entry(key: key, value: value, version: version), to: &secrets)
    }

    /// Versions of `key`, oldest first.
    public func versions(of key: String) -> [String] {
        secrets[key]?.versions.map(\.version) ?? []
    }

    /// Keys held, sorted.
    public var keys: [String] { secrets.keys.sorted() }

    // MARK: Failures and timing

    /// The next `count` calls of `read`/`find` throw `error` as a whole call.
    public func failNextReads(_ count: Int, with error: ProviderError) {
        failures += Array(repeating: error, count: count)
    }

    /// The next `count` calls of `read`/`find` are throttled.
    public func throttleNextReads(_ count: Int, retryAfter: Duration? = nil) {
        failNextReads(count, with: .throttled(retryAfter: retryAfter, store: storeName, detail: "fake throttling"))
    }

    /// Every read of `key` fails with `error` (a per-key outcome; the call succeeds) until cleared with `nil`.
    public func failReads(of key: String, with error: ProviderError?) {
        keyFailures[key] = error
    }

    /// `validate()` throws `error` until cleared with `nil`.
    public func failValidation(with error: ProviderError?) {
        validationFailure = error
    }

    /// Each read and find waits `latency` through the injected sleep; `nil` for none.
    public func setLatency(_ latency: Duration?) {
        self.latency = latency
    }

    // MARK: Counters

    /// How many read calls asked for `key` (any version).
    public func readCount(for key: String) -> Int { readsPerKey[key] ?? 0 }

    /// Reads per key so far.
    public var readCounts: [String: Int] { readsPerKey }

    /// Zeroes the read, find and write counters (not the in-flight figures).
    public func resetCounters() {
        readsPerKey = [:]
        readCalls = 0
        findCalls = 0
        writeCount = 0
    }
}
