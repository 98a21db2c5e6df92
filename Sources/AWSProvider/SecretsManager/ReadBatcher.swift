import SecretProviders

/// Gathers reads of current versions that arrive within a short window and hands them
/// over in groups of at most `maxBatch` keys (one `BatchGetSecretValue` each; for
/// Parameter Store one `GetParameters`).
///
/// The operator reconciles ExternalSecrets one by one, so reads of different keys of one
/// store arrive as separate calls a few milliseconds apart; without a window each would
/// be its own request. A group is sent as soon as it is full, or when the window ends.
actor ReadBatcher {
    typealias Outcome = Result<RemoteSecret, ProviderError>

    private let window: Duration
    private let maxBatch: Int
    private let fetch: @Sendable ([String]) async -> [String: Outcome]
    private var waiting: [String: [CheckedContinuation<Outcome, Never>]] = [:]
    private var order: [String] = []
    private var timerArmed = false

    init(window: Duration, maxBatch: Int, fetch: @escaping @Sendable ([String]) async -> [String: Outcome]) {
        self.window = window
        self.maxBatch = max(1, maxBatch)
        self.fetch = fetch
    }

    /// The outcome of reading the current version of `key`, read together with its neighbours in time.
    func read(_ key: String) async -> Outcome {
        await withCheckedContinuation { continuation in
            if waiting[key] == nil {
                order.append(key)
                waiting[key] = [continuation]
            } else {
                waiting[key]!.append(continuation)
            }
            if order.count >= maxBatch {
                sendGroup()
            } else if !timerArmed {
                timerArmed = true
                let window = self.window
                Task {
                    try? await Task.sleep(for: window)
                    self.windowEnded()
                }
            }
        }
    }

    private func windowEnded() {
        timerArmed = false
        while !order.isEmpty { sendGroup() }
    }

    /// Sends the oldest `maxBatch` keys.
    private func sendGroup() {
        let keys = Array(order.prefix(maxBatch))
        order.removeFirst(keys.count)
        var continuations: [String: [CheckedContinuation<Outcome, Never>]] = [:]
        for key in keys { continuations[key] = waiting.removeValue(forKey: key) }
        let fetch = self.fetch
        Task {
            let outcomes = await fetch(keys)
            for (key, waiters) in continuations {
                let outcome = outcomes[key]
                    ?? .failure(.invalidResponse(key: key, detail: "the provider returned no result for this key"))
                for waiter in waiters { waiter.resume(returning: outcome) }
            }
        }
    }
}
