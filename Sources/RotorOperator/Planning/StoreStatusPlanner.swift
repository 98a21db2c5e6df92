import Foundation
import KubeAPI
import RotorAPI
import SecretProviders

/// What checking a store's configuration and credentials with its provider came to.
public enum StoreCheck: Sendable, Hashable {
    /// The provider accepted the configuration and the credentials; `warnings` (e.g. an
    /// allowed cleartext endpoint) are shown in the `Ready` message.
    case valid(SecretStoreCapabilities, warnings: [String] = [])
    /// The check failed; `reason` is one of ``SecretStoreConditions/Reason``.
    case invalid(reason: String, message: String)

    /// A failed check from the provider's error: refused credentials are `Forbidden`, a
    /// configuration the provider rejects is `InvalidSpec`, anything else `ProviderError`.
    /// The message names the store and the error's code, never a value.
    public static func failed(_ error: ProviderError, store: StoreIdentity) -> StoreCheck {
        let reason: String = switch error.class {
        case .permissionDenied: SecretStoreConditions.Reason.forbidden
        case .invalidRequest, .unsupported: SecretStoreConditions.Reason.invalidSpec
        default: SecretStoreConditions.Reason.providerError
        }
        return .invalid(reason: reason, message: SyncFailure.provider(error, store: store).message)
    }
}

/// Builds a SecretStore's or ClusterSecretStore's status after a check. As for
/// ExternalSecrets, an unchanged outcome gives an equal status (compare with `!=` before
/// writing).
public enum StoreStatusPlanner {
    public static func desiredStatus(
        current: SecretStoreStatus?, generation: Int64?, check: StoreCheck, now: Date
    ) -> SecretStoreStatus {
        var status = current ?? SecretStoreStatus()
        status.observedGeneration = generation
        let ready: Condition
        switch check {
        case .valid(let capabilities, let warnings):
            status.capabilities = capabilities
            let accepted = "the provider accepted the store's configuration and credentials"
            ready = Condition(
                type: SecretStoreConditions.ready, status: .true, observedGeneration: generation,
                reason: SecretStoreConditions.Reason.valid,
                message: warnings.isEmpty ? accepted : accepted + "; warning: " + warnings.joined(separator: "; warning: "))
        case .invalid(let reason, let message):
            ready = Condition(
                type: SecretStoreConditions.ready, status: .false, observedGeneration: generation, reason: reason,
                message: message)
        }
        status.conditions = ConditionPlanner.setting(ready, in: status.conditions, now: now)
        return status
    }
}
