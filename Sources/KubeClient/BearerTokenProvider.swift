import Foundation

/// Supplies the `Authorization: Bearer` token for each request.
protocol BearerTokenProvider: Sendable {
    /// The token to send now, or nil to send none.
    func token() async throws -> String?
    /// Called after a 401 with the token that was refused: re-reads the source and
    /// tells whether a different token is now available, so the request is worth
    /// one retry.
    func refreshAfterRejection(of rejected: String) async -> Bool
}

struct NoBearerToken: BearerTokenProvider {
    func token() async throws -> String? { nil }
    func refreshAfterRejection(of rejected: String) async -> Bool { false }
}

struct StaticBearerToken: BearerTokenProvider {
    let value: String
    func token() async throws -> String? { value }
    func refreshAfterRejection(of rejected: String) async -> Bool { false }
}

/// A token kept in a file that is replaced while we run (bound service-account
/// tokens rotate). The file is re-read at most once per `refreshInterval`, and
/// at once after the server refuses the token.
actor TokenFileSource<C: Clock>: BearerTokenProvider where C.Duration == Duration {
    let path: String
    let refreshInterval: Duration
    private let clock: C
    private var cached: String?
    private var readAt: C.Instant?

    init(path: String, refreshInterval: Duration, clock: C) {
        self.path = path
        self.refreshInterval = refreshInterval
        self.clock = clock
    }

    func token() throws -> String? {
        if let cached, let readAt, readAt.duration(to: clock.now) < refreshInterval {
            return cached
        }
        return try reread()
    }

    func refreshAfterRejection(of rejected: String) -> Bool {
        guard let fresh = try? reread() else { return false }
        return fresh != rejected
    }

    /// Reads the file; when that fails but a token was read before, keeps using it
    /// (a rotation in progress should not fail requests) and tries again next time.
    private func reread() throws -> String {
        do {
            let token = try Self.read(path)
            cached = token
            readAt = clock.now
            return token
        } catch {
            if let cached { return cached }
            throw error
        }
    }

    static func read(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KubeAPIError.credentials("cannot read token file \(path)")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw KubeAPIError.credentials("token file \(path) is empty") }
        return token
    }
}
