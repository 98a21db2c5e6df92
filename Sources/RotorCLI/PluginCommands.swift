import Foundation
import KubeAPI
import KubeClient
import RotorAPI

/// What each `kubectl rotor` subcommand does with a client, apart from parsing its
/// arguments: the executable parses, these read and write. Each returns the text for
/// standard output (and, for an empty list, standard error), so tests can call them
/// against an emulator without a process in between.
public enum PluginCommands {
    /// `status`: the table of ExternalSecrets in `namespace`, or in every namespace when nil.
    public static func status(client: any KubernetesClient, namespace: String?, now: Date) async throws -> (stdout: String, stderr: String) {
        let list: KubeList<ExternalSecret>
        do {
            list = try await client.list(ExternalSecret.self, namespace: namespace)
        } catch let error as KubeAPIError where error.kind == .notFound {
            // A list answers 404 only when the resource type itself is unknown.
            throw PluginError(
                "the server doesn't have a resource type \"\(ExternalSecret.resourceType.plural)\" (are Rotor's CRDs installed? kubectl apply -f manifests/crds/)")
        }
        guard !list.items.isEmpty else { return ("", StatusTable.emptyMessage(namespace: namespace) + "\n") }
        return (StatusTable.make(list.items, allNamespaces: namespace == nil, now: now).render(), "")
    }

    /// `sync` and `rotate`: reads the ExternalSecret (a missing one fails as `kubectl get`
    /// does), then sets the request's annotation to a value it has not had with a JSON merge
    /// patch, and returns the confirmation line.
    public static func request(
        _ request: AnnotationRequest, client: any KubernetesClient, namespace: String, name: String, now: Date
    ) async throws -> String {
        let current = try await client.get(ExternalSecret.self, namespace: namespace, name: name)
        if request == .rotate, current.spec.rotation?.generate?.isEmpty ?? true {
            throw PluginError(
                "externalsecret.\(RotorResourceTypes.group)/\(name) has no spec.rotation.generate, so rotor.dev/rotate would do nothing (a rotation writes generated values to the store); to read values changed in the store now: kubectl rotor sync \(name)")
        }
        let value = AnnotationRequest.value(now: now, previous: current.metadata.annotations?[request.annotation])
        _ = try await client.patch(ExternalSecret.resourceType, namespace: namespace, name: name, patch: .merge(request.patch(value: value)))
        return request.confirmation(name: name) + "\n"
    }

    /// `explain`: why the ExternalSecret is (not) ready.
    public static func explain(client: any KubernetesClient, namespace: String, name: String, now: Date) async throws -> String {
        ExplanationReport.render(try await ExplanationGatherer.gather(client: client, namespace: namespace, name: name), now: now)
    }
}
