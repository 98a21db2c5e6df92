import EmulatorTestSupport
import Foundation
import JSONCore
import KubeAPI
import KubeClient
import KubernetesEmulator
import Testing

/// The `OwnerReferencesPermissionEnforcement` admission plugin, as OpenShift runs it: the
/// chart's `externalsecrets/finalizers` rule exists for it, and the least-privilege test
/// turns it on to show that rule is needed.
@Suite("Owner-references permission enforcement")
struct OwnerReferencesAdmissionTests {
    private let robotUser = "system:serviceaccount:shop:robot"

    private func withRobot(plugin: Bool, _ body: (EmulatedCluster, HTTPKubernetesClient) async throws -> Void) async throws {
        try await EmulatedCluster.with({ $0.ownerReferencesPermissionEnforcement = plugin }) { cluster in
            let robot = try await cluster.serviceAccountClient(namespace: "shop", name: "robot")
            _ = try await cluster.client.create(.testRoles, namespace: "shop", body: roleBody("Role", "writer", rules: [
                rule(["get", "create", "update"], ["configmaps"]),
            ]))
            _ = try await cluster.client.create(.testRoleBindings, namespace: "shop", body: bindingBody(
                "RoleBinding", "writer", roleKind: "Role", role: "writer", subjects: [serviceAccountSubject("shop", "robot")]))
            do {
                try await body(cluster, robot)
                try await robot.shutdown()
            } catch {
                try? await robot.shutdown()
                throw error
            }
        }
    }

    private func owner(_ cluster: EmulatedCluster) async throws -> String {
        let created = try await cluster.client.create(
            .testConfigMaps, namespace: "shop", body: ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "owner"]])
        return try #require(created[path: ["metadata", "uid"]]?.stringValue)
    }

    private func dependent(_ name: String, ownerUID: String, blocking: Bool) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": [
                "name": .string(name),
                "ownerReferences": [["apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": .string(ownerUID), "blockOwnerDeletion": .bool(blocking)]],
            ],
        ]
    }

    @Test("setting blockOwnerDeletion needs update on the owner's finalizers: 403 worded as kube-apiserver words it, then allowed by that rule")
    func blockOwnerDeletionNeedsFinalizers() async throws {
        try await withRobot(plugin: true) { cluster, robot in
            let uid = try await owner(cluster)
            let refused = await apiError { try await robot.create(.testConfigMaps, namespace: "shop", body: dependent("blocking", ownerUID: uid, blocking: true)) }
            #expect(refused?.kind == .forbidden)
            #expect(refused?.status?.message == "configmaps \"blocking\" is forbidden: cannot set blockOwnerDeletion if an ownerReference refers to a resource you can't set finalizers on: , <nil>")
            #expect(cluster.emulator.authorizations.denials.map(\.verb) == ["create"], "the refusal is in the emulator's record of denials")
            // A reference that does not block is the creator's to set.
            _ = try await robot.create(.testConfigMaps, namespace: "shop", body: dependent("plain", ownerUID: uid, blocking: false))

            _ = try await cluster.client.create(.testRoles, namespace: "shop", body: roleBody("Role", "finalizer", rules: [
                rule(["update"], ["configmaps/finalizers"], names: ["owner"]),
            ]))
            _ = try await cluster.client.create(.testRoleBindings, namespace: "shop", body: bindingBody(
                "RoleBinding", "finalizer", roleKind: "Role", role: "finalizer", subjects: [serviceAccountSubject("shop", "robot")]))
            _ = try await robot.create(.testConfigMaps, namespace: "shop", body: dependent("blocking", ownerUID: uid, blocking: true))
            #expect(cluster.emulator.authorizations.usedRules(roleKind: "Role", roleName: "finalizer") == [0], "the finalizers rule allowed it")
            let check = try #require(cluster.emulator.authorizations.all.first { $0.roleName == "finalizer" })
            #expect(check.verb == "update" && check.resource == "configmaps/finalizers" && check.name == "owner" && check.namespace == "shop")
        }
    }

    @Test("changing ownerReferences of an existing object needs delete on it; an update that keeps them does not")
    func changingOwnersNeedsDelete() async throws {
        try await withRobot(plugin: true) { cluster, robot in
            let uid = try await owner(cluster)
            _ = try await robot.create(.testConfigMaps, namespace: "shop", body: ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "orphan"]])
            var adopted = try #require(try await robot.get(.testConfigMaps, namespace: "shop", name: "orphan").objectValue)
            adopted.set(dependent("orphan", ownerUID: uid, blocking: false)[path: ["metadata", "ownerReferences"]], at: ["metadata", "ownerReferences"])
            let refused = await apiError { try await robot.update(.testConfigMaps, namespace: "shop", name: "orphan", body: .object(adopted)) }
            #expect(refused?.status?.message == "configmaps \"orphan\" is forbidden: cannot set an ownerRef on a resource you can't delete: , <nil>")

            _ = try await robot.create(.testConfigMaps, namespace: "shop", body: dependent("owned", ownerUID: uid, blocking: false))
            var relabelled = try #require(try await robot.get(.testConfigMaps, namespace: "shop", name: "owned").objectValue)
            relabelled.set(["team": "a"], at: ["metadata", "labels"])
            _ = try await robot.update(.testConfigMaps, namespace: "shop", name: "owned", body: .object(relabelled))
        }
    }

    @Test("with the plugin off (kube-apiserver's default) blockOwnerDeletion needs no finalizers permission")
    func pluginOff() async throws {
        try await withRobot(plugin: false) { cluster, robot in
            let uid = try await owner(cluster)
            _ = try await robot.create(.testConfigMaps, namespace: "shop", body: dependent("blocking", ownerUID: uid, blocking: true))
            #expect(cluster.emulator.authorizations.denials.isEmpty)
        }
    }
}
