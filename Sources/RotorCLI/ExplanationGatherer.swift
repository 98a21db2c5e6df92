import Foundation
import KubeAPI
import KubeClient
import RotorAPI

/// Reads what `kubectl rotor explain` shows: the ExternalSecret (its absence fails the
/// command, as `kubectl get` fails), its store and its Events (whose absence or refusal is
/// part of the explanation, not a failure). Never reads a Secret.
public enum ExplanationGatherer {
    /// How many Events are shown, most recent first.
    public static let eventLimit = 5

    public static func gather(client: any KubernetesClient, namespace: String, name: String) async throws -> Explanation {
        let externalSecret = try await client.get(ExternalSecret.self, namespace: namespace, name: name)
        let store = await findStore(client: client, externalSecret: externalSecret, namespace: namespace)
        do {
            let events = try await client.list(Event.self, namespace: namespace, options: ListOptions(fieldSelector: eventSelector(name: name)))
            return Explanation(externalSecret: externalSecret, store: store, events: latest(events.items))
        } catch {
            return Explanation(externalSecret: externalSecret, store: store, events: [], eventsUnavailable: KubectlErrorMessage.text(for: error))
        }
    }

    /// The field selector of the Events about one ExternalSecret, as `kubectl describe` uses.
    public static func eventSelector(name: String) -> String {
        "involvedObject.name=\(name),involvedObject.kind=\(ExternalSecret.kind)"
    }

    /// At most ``eventLimit`` Events, most recently seen first (ties: by name, for a stable order).
    public static func latest(_ events: [Event]) -> [Event] {
        let sorted = events.sorted { left, right in
            let (l, r) = (left.lastSeen ?? .distantPast, right.lastSeen ?? .distantPast)
            return l != r ? l > r : (left.metadata.name ?? "") < (right.metadata.name ?? "")
        }
        return Array(sorted.prefix(eventLimit))
    }

    static func findStore(client: any KubernetesClient, externalSecret: ExternalSecret, namespace: String) async -> StoreFinding {
        let reference = externalSecret.spec.secretStoreRef
        let isCluster = reference.kind == .clusterSecretStore
        var finding = StoreFinding(
            kind: (reference.kind ?? .secretStore).rawValue, namespace: isCluster ? nil : namespace, name: reference.name, state: .notFound)
        guard !reference.name.isEmpty else {
            finding.state = .unreadable("spec.secretStoreRef.name is empty")
            return finding
        }
        do {
            if isCluster {
                finding.state = .found(try await client.get(ClusterSecretStore.self, namespace: nil, name: reference.name).status)
            } else if reference.kind == nil || reference.kind == .secretStore {
                finding.state = .found(try await client.get(SecretStore.self, namespace: namespace, name: reference.name).status)
            } else {
                finding.state = .unreadable("unknown store kind \"\(reference.kind?.rawValue ?? "")\"")
            }
        } catch let error as KubeAPIError where error.kind == .notFound {
            finding.state = .notFound
        } catch {
            finding.state = .unreadable(KubectlErrorMessage.text(for: error))
        }
        return finding
    }
}
