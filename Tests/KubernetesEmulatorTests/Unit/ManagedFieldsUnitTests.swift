import JSONCore
import Testing

@testable import KubernetesEmulator

/// Field ownership as server-side apply keeps it, checked without a server.
@Suite("managed fields")
struct ManagedFieldsUnitTests {
    static let atomic: ManagedFields.ListKinds = { _ in .atomic }
    static let ports: ManagedFields.ListKinds = { $0 == ["spec", "ports"] ? .map(keys: ["name"]) : $0 == ["spec", "tags"] ? .set : .atomic }
    static let time = "2026-12-07T10:00:00Z"

    static func apply(_ config: JSONValue, to live: JSONObject?, entries: [ManagedFields.Entry] = [], as manager: String, force: Bool = false, kinds: ManagedFields.ListKinds = atomic) -> ManagedFields.ApplyOutcome {
        ManagedFields.apply(
            config: config.objectValue!, to: live, entries: entries, manager: manager, apiVersion: "v1", subresource: nil, force: force,
            scope: { _ in true }, kinds: kinds, time: time)
    }

    @Test("an apply owns exactly the leaves it sets; identity metadata is never owned")
    func applyOwnsItsLeaves() throws {
        guard case .applied(let object, let entries) = Self.apply(
            ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "cfg", "labels": ["app": "x"]], "data": ["a": "1"]], to: nil, as: "alice")
        else { Issue.record("conflict"); return }
        #expect(object["data"] == ["a": "1"])
        #expect(entries.map(\.manager) == ["alice"])
        #expect(ManagedFields.tree(entries[0].fields) == ["f:data": ["f:a": [:]], "f:metadata": ["f:labels": ["f:app": [:]]]])
    }

    @Test("changing another manager's field conflicts, naming an update's manager with its version; force takes only the conflicting fields")
    func conflictsAndForce() throws {
        let live: JSONObject = ["metadata": ["name": "cfg"], "data": ["a": "1", "b": "1"]]
        let alice = ManagedFields.Entry(manager: "alice", operation: "Apply", apiVersion: "v1", time: Self.time, subresource: nil, fields: [["f:data", "f:a"], ["f:data", "f:b"]])
        let carol = ManagedFields.Entry(manager: "carol", operation: "Update", apiVersion: "v1", time: Self.time, subresource: nil, fields: [["f:data", "f:c"]])
        guard case .conflicts(let conflicts) = Self.apply(["data": ["a": "2", "b": "2", "c": "2"]], to: live, entries: [alice, carol], as: "bob")
        else { Issue.record("no conflict"); return }
        #expect(ManagedFields.conflictMessage(conflicts) == "Apply failed with 3 conflicts: conflicts with \"alice\":\n- .data.a\n- .data.b\nconflicts with \"carol\" using v1:\n- .data.c")
        #expect(ManagedFields.conflictMessage([conflicts[0]]) == "Apply failed with 1 conflict: conflict with \"alice\": .data.a")

        guard case .applied(let object, let entries) = Self.apply(["data": ["a": "2", "b": "1"]], to: live, entries: [alice], as: "bob", force: true)
        else { Issue.record("conflict under force"); return }
        #expect(object["data"] == ["a": "2", "b": "1"])
        #expect(entries.first { $0.manager == "alice" }?.fields == [["f:data", "f:b"]], "a field applied with the same value stays shared")
    }

    @Test("keyed lists merge item by item, sets by union; an item only its applier owned goes when it stops applying it")
    func keyedListsAndSets() throws {
        let first: JSONValue = ["spec": ["ports": [["name": "http", "port": 80]], "tags": ["a"]]]
        guard case .applied(let afterAlice, let aliceEntries) = Self.apply(first, to: nil, as: "alice", kinds: Self.ports) else { return }
        #expect(ManagedFields.describe(["f:spec", "f:ports", #"k:{"name":"http"}"#, "f:port"]) == #".spec.ports[name="http"].port"#)
        let second: JSONValue = ["spec": ["ports": [["name": "https", "port": 443]], "tags": ["b"]]]
        guard case .applied(let afterBob, let bothEntries) = Self.apply(second, to: afterAlice, entries: aliceEntries, as: "bob", kinds: Self.ports) else { return }
        #expect(afterBob.value(at: ["spec", "ports"]) == [["name": "http", "port": 80], ["name": "https", "port": 443]])
        #expect(afterBob.value(at: ["spec", "tags"]) == ["a", "b"])
        guard case .applied(let afterDrop, _) = Self.apply(["spec": ["tags": ["a"]]], to: afterBob, entries: bothEntries, as: "alice", kinds: Self.ports) else { return }
        #expect(afterDrop.value(at: ["spec", "ports"]) == [["name": "https", "port": 443]])
    }

    @Test("an update owns what it added or changed, objects it created included; others lose what it changed")
    func updatesTrackChanges() {
        let created = ManagedFields.update(
            old: nil, new: ["metadata": ["name": "n"], "data": ["a": "1"]], entries: [], manager: "creator", apiVersion: "v1", subresource: nil,
            scope: { _ in true }, kinds: Self.atomic, time: Self.time)
        #expect(ManagedFields.tree(created[0].fields) == ["f:data": [".": [:], "f:a": [:]]])
        let changed = ManagedFields.update(
            old: ["metadata": ["name": "n"], "data": ["a": "1"]], new: ["metadata": ["name": "n", "labels": ["x": "y"]], "data": ["a": "2"]],
            entries: created, manager: "editor", apiVersion: "v1", subresource: nil, scope: { _ in true }, kinds: Self.atomic, time: Self.time)
        #expect(changed.map(\.manager) == ["creator", "editor"])
        #expect(changed[0].fields == [["f:data", "."]])
        #expect(ManagedFields.tree(changed[1].fields) == ["f:data": ["f:a": [:]], "f:metadata": ["f:labels": [".": [:], "f:x": [:]]]])
    }
}
