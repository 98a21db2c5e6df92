import SecretProviders

/// What tests (and `rotor dev` demos) do to a fake store.
extension FakeProvider {
    // MARK: Data

    /// Makes `value` the current version of `key` (as `version`, or the next number);
    /// returns the version.
    @discardableResult
    public func setValue(_ value: SecretValue, for key: String, version: String? = nil) -> String {
        Self.add(Entry(key: key, value: value, version: version), to: &secrets)
    }

    /// Removes `key` and all its versions.
    public func removeSecret(_ key: String) {
        secrets[key] = nil
    }

    /// Sets the tags `find` sees on `key`.
    public func setTags(_ tags: [String: String], for key: String) {
        secrets[key]?.tags = tags
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
