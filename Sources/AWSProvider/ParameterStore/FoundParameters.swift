import Foundation
import NIOConcurrencyHelpers
import SecretProviders

/// Values `find` already read (`GetParametersByPath` returns them decrypted), held briefly so
/// that the reads which follow a `find` — the operator reads every name it found — cost no
/// second call. Each entry answers one read and expires after `lifetime`; at most `capacity`
/// entries are held (a `find` is itself bounded to that many parameters).
final class FoundParameters: Sendable {
    private struct Entry {
        var secret: RemoteSecret
        var expires: ContinuousClock.Instant
    }

    private let entries = NIOLockedValueBox<[String: Entry]>([:])
    private let lifetime: Duration
    private let capacity: Int

    init(lifetime: Duration, capacity: Int) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// Holds the values of one `find`, replacing expired entries.
    func hold(_ found: [String: RemoteSecret]) {
        let now = ContinuousClock.now
        entries.withLockedValue { entries in
            entries = entries.filter { $0.value.expires > now }
            for (name, secret) in found where entries.count < capacity || entries[name] != nil {
                entries[name] = Entry(secret: secret, expires: now + lifetime)
            }
        }
    }

    /// The held value of `name`, removed: `nil` when none or expired.
    func take(_ name: String) -> RemoteSecret? {
        let now = ContinuousClock.now
        return entries.withLockedValue { entries in
            guard let entry = entries.removeValue(forKey: name), entry.expires > now else { return nil }
            return entry.secret
        }
    }
}
