import Crypto
import Foundation
import RotorAPI

/// The key recorded in `status.syncedResourceVersion` after a successful sync: what the
/// values were synced *for*. When the key of the object as it is now differs, the
/// ExternalSecret is due whatever its refresh schedule (except `CreatedOnce`).
///
/// It combines the ExternalSecret's generation (any spec change), the store's identity
/// and generation (a store edit, e.g. new fake data or credentials) and the value of the
/// `rotor.dev/force-sync` annotation. Recording the annotation here is how a reconcile
/// tells a *new* force-sync value from one already handled, without another status field:
/// the controller's `urgent` hook (``ForceSync/isRequested(old:new:)``) only decides
/// queue priority; the reconcile decides from this key. Because the key is only written on
/// success, a failed sync stays due on every retry.
///
/// Format: `es=<generation>;store=<kind>/<namespace>/<name>@<generation>` followed by
/// `;force=<value>` when the annotation is set (values longer than 64 bytes as
/// `sha256:<16 hex>`). Only compared for equality, never parsed.
public struct SyncedVersion: Sendable, Hashable, CustomStringConvertible {
    /// The part that changes with the spec or the store.
    public var specPart: String
    /// The force-sync part, `nil` without the annotation.
    public var forceSyncPart: String?

    public init(externalSecret: ExternalSecret, store: ResolvedStore) {
        specPart = "es=\(externalSecret.metadata.generation ?? 0);store=\(store.identity)@\(store.generation ?? 0)"
        forceSyncPart = externalSecret.metadata.annotations?[ExternalSecretAnnotations.forceSync].map(Self.compact)
    }

    /// The text for `status.syncedResourceVersion`.
    public var description: String {
        guard let forceSyncPart else { return specPart }
        return "\(specPart);force=\(forceSyncPart)"
    }

    /// Whether `recorded` (from status) was written for a different spec or store, ignoring force-sync.
    func specDiffers(from recorded: String) -> Bool {
        recorded != specPart && !recorded.hasPrefix(specPart + ";force=")
    }

    private static func compact(_ value: String) -> String {
        guard value.utf8.count > 64 else { return value }
        let digest = SHA256.hash(data: Data(value.utf8))
        return "sha256:" + digest.prefix(8).map { String(format: "%02x", $0) }.joined()
    }
}

/// The `rotor.dev/force-sync` annotation: any new value asks for a sync now.
public enum ForceSync {
    /// For the controller's `urgent` hook: the annotation was set or changed to a non-empty
    /// value between two versions of the object. Removing it asks for nothing.
    public static func isRequested(old: ExternalSecret, new: ExternalSecret) -> Bool {
        let key = ExternalSecretAnnotations.forceSync
        guard let value = new.metadata.annotations?[key], !value.isEmpty else { return false }
        return old.metadata.annotations?[key] != value
    }
}
