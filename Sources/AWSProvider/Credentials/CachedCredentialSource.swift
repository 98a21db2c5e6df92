import Foundation
import Logging
import SecretProviders

/// Keeps a source's credentials until shortly before they expire (temporary credentials)
/// or for `reuseFor` (long-lived keys, so an edited Secret is picked up), and refreshes
/// them once for all concurrent callers.
actor CachedCredentialSource: AWSCredentialSource {
    private let source: any AWSCredentialSource
    private let refreshMargin: TimeInterval
    private let reuseFor: TimeInterval
    private let now: @Sendable () -> Date
    private let label: String
    private let logger: Logger?
    private let refreshes = SingleFlight<Int, AWSCredentials>()
    private var cached: (credentials: AWSCredentials, validUntil: Date, generation: String)?

    /// - Parameters:
    ///   - label: names the source in log lines (`AssumeRole arn:…`, `secretRef aws/…`); never a credential.
    init(
        _ source: any AWSCredentialSource, refreshMargin: Duration = .seconds(300), reuseFor: Duration = .seconds(60),
        label: String = "credentials", logger: Logger? = nil, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.source = source
        self.label = label
        self.logger = logger
        self.refreshMargin = Double(refreshMargin.components.seconds)
        self.reuseFor = Double(reuseFor.components.seconds)
        self.now = now
    }

    func credentials() async throws -> AWSCredentials {
        let generation = source.generation()
        if let cached, cached.validUntil > now(), cached.generation == generation { return cached.credentials }
        return try await refreshes.run(0) { [self] in try await self.refresh(generation: generation) }
    }

    private func refresh(generation: String) async throws -> AWSCredentials {
        if let cached, cached.validUntil > now(), cached.generation == generation { return cached.credentials }
        let fresh = try await source.credentials()
        let time = now()
        let validUntil: Date
        if let expiration = fresh.expiration {
            // Refresh before expiry; for very short-lived credentials, at half their life.
            let life = expiration.timeIntervalSince(time)
            validUntil = time.addingTimeInterval(max(0, life > 2 * refreshMargin ? life - refreshMargin : life / 2))
        } else {
            validUntil = time.addingTimeInterval(reuseFor)
        }
        cached = (fresh, validUntil, generation)
        logger?.debug(
            "aws credentials refreshed",
            metadata: ["source": "\(label)", "expires": "\(fresh.expiration.map { "\($0)" } ?? "never")", "refreshAfter": "\(validUntil)"])
        return fresh
    }

    func invalidate() async {
        cached = nil
        await source.invalidate()
    }

    nonisolated func generation() -> String { source.generation() }
}
