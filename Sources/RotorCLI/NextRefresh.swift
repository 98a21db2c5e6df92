import Foundation
import KubeAPI
import RotorAPI

/// When an ExternalSecret's values are next read from the provider, as far as its spec and
/// status tell.
///
/// The status records the last successful read (`refreshTime`) but not the next one, so it
/// is computed as the operator's `RefreshPlanner` schedules it: the last read plus
/// `refreshInterval`. The operator jitters each interval by ±10 %, so this is when the
/// refresh is nominally due, not the exact second it happens.
public enum NextRefresh: Sendable, Hashable {
    /// `refreshPolicy: CreatedOnce`: read while the target Secret does not exist, never again.
    case never
    /// `refreshPolicy: OnChange` or `refreshInterval: 0`: only when the spec, the store or
    /// `rotor.dev/force-sync` changes.
    case onChange
    /// A sync is due now: never synced yet, or the interval has passed.
    case due
    /// Nominally due at this time.
    case at(Date)
    /// `refreshInterval` is not a duration, or `refreshPolicy` unknown (the operator refuses
    /// the spec with `InvalidSpec`).
    case invalidSpec

    /// `refreshInterval` when the spec leaves it out (``ExternalSecretSpec/defaultRefreshInterval``).
    public static let defaultIntervalText = "1h"

    public init(spec: ExternalSecretSpec, status: ExternalSecretStatus?, now: Date) {
        guard let interval = spec.refreshIntervalDuration, interval >= .zero else {
            self = .invalidSpec
            return
        }
        switch spec.effectiveRefreshPolicy {
        case .createdOnce:
            self = .never
        case .onChange:
            self = .onChange
        case .periodic where interval == .zero:
            self = .onChange
        case .periodic:
            guard let last = status?.refreshTime?.date else {
                self = .due
                return
            }
            let next = last.addingTimeInterval(interval.timeInterval)
            self = next > now ? .at(next) : .due
        default:
            self = .invalidSpec
        }
    }

    /// The cell of the NEXT REFRESH column: the time left (`42m`), `due`, `never`,
    /// `on change` or `<invalid>`.
    public func cell(now: Date) -> String {
        switch self {
        case .never: return "never"
        case .onChange: return "on change"
        case .due: return "due"
        case .at(let date): return HumanDuration.format(date.timeIntervalSince(now))
        case .invalidSpec: return "<invalid>"
        }
    }
}
