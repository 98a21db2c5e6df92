import EmulatorTestSupport
import Foundation
import KubeClient
import KubernetesEmulator
import JSONCore
import KubeAPI
import Testing

/// The API server semantics controllers rely on, checked through our client: code
/// that is wrong against a real API server must fail here too.
@Suite("API semantics")
struct APISemanticsTests {
    @Test("an update with a stale resourceVersion is refused with 409 Conflict")
    func staleUpdateConflicts() async throws {
        try await EmulatedCluster.with { cluster in
            let created = try await cluster.client.create(.testSecrets, namespace: "default", body: secretBody("db"))
            var first = created
            first["metadata"]?["labels"] = ["v": "1"]
            let updated = try await cluster.client.update(.testSecrets, namespace: "default", name: "db", body: first)
            #expect(updated.resourceVersion != created.resourceVersion)
            var stale = created
            stale["metadata"]?["labels"] = ["v": "2"]
            let error = await apiError { try await cluster.client.update(.testSecrets, namespace: "default", name: "db", body: stale) }
            #expect(error?.kind == .conflict)
            #expect(error?.message.contains("the object has been modified") == true)
            // Without a resourceVersion the update is unconditional.
            stale["metadata"]?["resourceVersion"] = nil
            _ = try await cluster.client.update(.testSecrets, namespace: "default", name: "db", body: stale)
        }
    }

    @Test("a write that changes nothing keeps the resourceVersion")
    func noOpWriteKeepsResourceVersion() async throws {
        try await EmulatedCluster.with { cluster in
            let created = try await cluster.client.create(.testSecrets, namespace: "default", body: secretBody("db"))
            let again = try await cluster.client.update(.testSecrets, namespace: "default", name: "db", body: created)
            #expect(again.resourceVersion == created.resourceVersion)
        }
    }

    @Test("typed writes returning a receipt name the stored object and its new resourceVersion; failures still throw")
    func receiptsCarryTheStoredVersion() async throws {
        try await EmulatedCluster.with { cluster in
            let client = cluster.client
            var secret = Secret(metadata: ObjectMeta(name: "db", namespace: "default"), data: ["k": Data("v".utf8)])
            let created = try await client.createReturningReceipt(secret)
            let stored = try await client.get(Secret.self, namespace: "default", name: "db")
            #expect(created == WriteReceipt(namespace: "default", name: "db", resourceVersion: stored.metadata.resourceVersion, uid: stored.metadata.uid))
            secret = stored
            secret.data = ["k": Data("w".utf8)]
            let updated = try await client.updateReturningReceipt(secret)
            let reread = try await client.get(Secret.self, namespace: "default", name: "db")
            #expect(updated.resourceVersion == reread.metadata.resourceVersion && updated.resourceVersion != created.resourceVersion)
            // The stale version is refused, as by `update`.
            let stale = await apiError { try await client.updateReturningReceipt(secret) }
            #expect(stale?.kind == .conflict)
            let duplicate = await apiError { try await client.createReturningReceipt(Secret(metadata: ObjectMeta(name: "db", namespace: "default"))) }
            #expect(duplicate?.kind == .alreadyExists)
        }
    }

    @Test("generation counts spec changes only; status goes through the status subresource")
    func generationAndStatus() async throws {
        try await EmulatedCluster.with { cluster in
            _ = try await cluster.client.create(.testCRDs, namespace: nil, body: try JSONValue(yamlLikeJSON: widgetCRDJSON))
            let created = try await cluster.client.create(
                .widgets, namespace: "default",
                body: ["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": "w"], "spec": ["size": 1], "status": ["phase": "ignored"]])
            #expect(created[path: ["metadata", "generation"]] == 1)
            #expect(created["status"] == nil, "status is dropped on create when the status subresource exists")
            // A metadata change does not bump generation.
            let labelled = try await cluster.client.patch(.widgets, namespace: "default", name: "w", patch: .merge(["metadata": ["labels": ["a": "b"]]]))
            #expect(labelled[path: ["metadata", "generation"]] == 1)
            // A spec change does.
            let resized = try await cluster.client.patch(.widgets, namespace: "default", name: "w", patch: .merge(["spec": ["size": 2]]))
            #expect(resized[path: ["metadata", "generation"]] == 2)
            // Status written on the main resource is ignored...
            let ignored = try await cluster.client.patch(.widgets, namespace: "default", name: "w", patch: .merge(["status": ["phase": "Ready"]]))
            #expect(ignored["status"] == nil)
            // ...and through /status it is taken, while spec there is ignored, generation unchanged.
            let status = try await cluster.client.patch(
                .widgets, namespace: "default", name: "w", patch: .merge(["spec": ["size": 99], "status": ["phase": "Ready"]]), subresource: "status")
            #expect(status[path: ["status", "phase"]] == "Ready")
            #expect(status[path: ["spec", "size"]] == 2)
            #expect(status[path: ["metadata", "generation"]] == 2)
        }
    }

    @Test("finalizers hold a deletion until the last one is removed")
    func finalizersHoldDeletion() async throws {
        try await EmulatedCluster.with { cluster in
            _ = try await cluster.client.create(.testSecrets, namespace: "default", body: secretBody("db", finalizers: ["rotor.dev/cleanup", "other/x"]))
            let deleting = try await cluster.client.delete(.testSecrets, namespace: "default", name: "db")
            #expect(deleting[path: ["metadata", "deletionTimestamp"]] != nil)
            let still = try await cluster.client.get(.testSecrets, namespace: "default", name: "db")
            #expect(still[path: ["metadata", "deletionTimestamp"]] != nil)
            // New finalizers may not be added while deleting.
            let addMore = await apiError {
                try await cluster.client.patch(.testSecrets, namespace: "default", name: "db", patch: .merge(["metadata": ["finalizers": ["rotor.dev/cleanup", "other/x", "late/y"]]]))
            }
            // As kube-apiserver answers it: 422 Invalid with a Forbidden cause on metadata.finalizers.
            #expect(addMore?.kind == .invalid)
            #expect(addMore?.causes.map(\.field) == ["metadata.finalizers"])
            #expect(addMore?.causes.first?.reason == "FieldValueForbidden")
            #expect(addMore?.message.hasSuffix(#"metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"late/y"}"#) == true)
            _ = try await cluster.client.patch(.testSecrets, namespace: "default", name: "db", patch: .merge(["metadata": ["finalizers": ["other/x"]]]))
            let kind1 = await errorKind { try await cluster.client.get(.testSecrets, namespace: "default", name: "db") }
            #expect(kind1 == nil)
            _ = try await cluster.client.patch(.testSecrets, namespace: "default", name: "db", patch: .json([["op": "remove", "path": "/metadata/finalizers"]]))
            let kind2 = await errorKind { try await cluster.client.get(.testSecrets, namespace: "default", name: "db") }
            #expect(kind2 == .notFound)
        }
    }

    @Test("deleting an owner garbage-collects its dependents (background)")
    func ownerReferenceGarbageCollection() async throws {
        try await EmulatedCluster.with { cluster in
            let owner = try await cluster.client.create(.testConfigMaps, namespace: "default", body: ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "owner"]])
            let other = try await cluster.client.create(.testConfigMaps, namespace: "default", body: ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "other"]])
            _ = try await cluster.client.create(.testSecrets, namespace: "default", body: secretBody("only-child", owners: [ownerReference(to: owner)]))
            _ = try await cluster.client.create(.testSecrets, namespace: "default", body: secretBody("shared", owners: [ownerReference(to: owner), ownerReference(to: other)]))
            _ = try await cluster.client.delete(.testConfigMaps, namespace: "default", name: "owner")
            let kind3 = await errorKind { try await cluster.client.get(.testSecrets, namespace: "default", name: "only-child") }
            #expect(kind3 == .notFound)
            let shared = try await cluster.client.get(.testSecrets, namespace: "default", name: "shared")
            #expect(shared[path: ["metadata", "ownerReferences"]]?.arrayValue?.count == 1, "the dangling reference is removed, the object kept")
        }
    }

    @Test("a dependent written after its owner is gone is garbage-collected")
    func lateDependentIsCollected() async throws {
        try await EmulatedCluster.with { cluster in
            let owner = try await cluster.client.create(.testConfigMaps, namespace: "default", body: ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "owner"]])
            _ = try await cluster.client.delete(.testConfigMaps, namespace: "default", name: "owner")
            // A controller that has not seen the deletion yet writes a dependent.
            _ = try await cluster.client.create(.testSecrets, namespace: "default", body: secretBody("late", owners: [ownerReference(to: owner)]))
            let kind = await errorKind { try await cluster.client.get(.testSecrets, namespace: "default", name: "late") }
            #expect(kind == .notFound)
        }
    }

    @Test("foreground deletion waits for dependents; orphan deletion keeps them")
    func foregroundAndOrphanDeletion() async throws {
        try await EmulatedCluster.with { cluster in
            let owner = try await cluster.client.create(.testConfigMaps, namespace: "default", body: ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "owner"]])
            _ = try await cluster.client.create(.testSecrets, namespace: "default", body: secretBody("child", finalizers: ["test/hold"], owners: [ownerReference(to: owner, blockOwnerDeletion: true)]))
            _ = try await cluster.client.delete(.testConfigMaps, namespace: "default", name: "owner", options: DeleteOptions(propagationPolicy: .foreground))
            let waiting = try await cluster.client.get(.testConfigMaps, namespace: "default", name: "owner")
            #expect(waiting[path: ["metadata", "finalizers"]] == ["foregroundDeletion"])
            let child = try await cluster.client.get(.testSecrets, namespace: "default", name: "child")
            #expect(child[path: ["metadata", "deletionTimestamp"]] != nil)
            _ = try await cluster.client.patch(.testSecrets, namespace: "default", name: "child", patch: .merge(["metadata": ["finalizers": nil]]))
            let kind4 = await errorKind { try await cluster.client.get(.testConfigMaps, namespace: "default", name: "owner") }
            #expect(kind4 == .notFound)

            let owner2 = try await cluster.client.create(.testConfigMaps, namespace: "default", body: ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "owner2"]])
            _ = try await cluster.client.create(.testSecrets, namespace: "default", body: secretBody("orphan", owners: [ownerReference(to: owner2)]))
            _ = try await cluster.client.delete(.testConfigMaps, namespace: "default", name: "owner2", options: DeleteOptions(propagationPolicy: .orphan))
            let kind5 = await errorKind { try await cluster.client.get(.testConfigMaps, namespace: "default", name: "owner2") }
            #expect(kind5 == .notFound)
            let orphan = try await cluster.client.get(.testSecrets, namespace: "default", name: "orphan")
            #expect(orphan[path: ["metadata", "ownerReferences"]] == nil)
        }
    }

    @Test("delete preconditions on uid and resourceVersion are enforced")
    func deletePreconditions() async throws {
        try await EmulatedCluster.with { cluster in
            let created = try await cluster.client.create(.testSecrets, namespace: "default", body: secretBody("db"))
            let wrongUID = await apiError {
                try await cluster.client.delete(.testSecrets, namespace: "default", name: "db", options: DeleteOptions(preconditions: .init(uid: "not-it")))
            }
            #expect(wrongUID?.kind == .conflict)
            let wrongRV = await apiError {
                try await cluster.client.delete(.testSecrets, namespace: "default", name: "db", options: DeleteOptions(preconditions: .init(resourceVersion: "1")))
            }
            #expect(wrongRV?.kind == .conflict)
            _ = try await cluster.client.delete(
                .testSecrets, namespace: "default", name: "db",
                options: DeleteOptions(preconditions: .init(uid: created[path: ["metadata", "uid"]]?.stringValue)))
            let kind6 = await errorKind { try await cluster.client.get(.testSecrets, namespace: "default", name: "db") }
            #expect(kind6 == .notFound)
        }
    }

    @Test("a watch resumes from a resourceVersion with exactly the later changes")
    func watchResumes() async throws {
        try await EmulatedCluster.with { cluster in
            _ = try await cluster.client.create(.testSecrets, namespace: "default", body: secretBody("a"))
            let list = try await cluster.client.list(.testSecrets, namespace: "default")
            let listRV = try #require(list["metadata"]?["resourceVersion"]?.stringValue)
            _ = try await cluster.client.create(.testSecrets, namespace: "default", body: secretBody("b"))
            _ = try await cluster.client.patch(.testSecrets, namespace: "default", name: "a", patch: .merge(["metadata": ["labels": ["x": "y"]]]))
            _ = try await cluster.client.delete(.testSecrets, namespace: "default", name: "b")
            let stream = try await cluster.client.watch(.testSecrets, namespace: "default", options: WatchOptions(resourceVersion: listRV, timeoutSeconds: 10))
            let events = try await collect(stream, count: 3)
            #expect(events.map(\.type) == [.added, .modified, .deleted])
            #expect(events.map { $0.object.name } == ["b", "a", "b"])
        }
    }

    @Test("a watch with a label selector sees an object leave the selection as DELETED")
    func watchSelectorTransitions() async throws {
        try await EmulatedCluster.with { cluster in
            let rv = try await cluster.client.create(.testSecrets, namespace: "default", body: secretBody("a", labels: ["tier": "web"])).resourceVersion
            let stream = try await cluster.client.watch(
                .testSecrets, namespace: "default", options: WatchOptions(resourceVersion: rv, timeoutSeconds: 10, labelSelector: "tier=web"))
            _ = try await cluster.client.patch(.testSecrets, namespace: "default", name: "a", patch: .merge(["metadata": ["labels": ["tier": "db"]]]))
            _ = try await cluster.client.patch(.testSecrets, namespace: "default", name: "a", patch: .merge(["metadata": ["labels": ["tier": "web"]]]))
            let events = try await collect(stream, count: 2)
            #expect(events.map(\.type) == [.deleted, .added])
        }
    }

    @Test("Events are one storage seen through v1 and events.k8s.io/v1: written through either, read, selected and watched through both")
    func eventsInBothAPIs() async throws {
        let coreEvents = ResourceType(group: "", version: "v1", plural: "events", kind: "Event", namespaced: true)
        let newEvents = ResourceType(group: "events.k8s.io", version: "v1", plural: "events", kind: "Event", namespaced: true)
        try await EmulatedCluster.with { cluster in
            let client = cluster.client
            let watch = try await client.watch(coreEvents, namespace: "default", options: WatchOptions(resourceVersion: "0", timeoutSeconds: 120))
            let written = try await client.create(newEvents, namespace: "default", body: [
                "apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": ["name": "synced.1"],
                "regarding": ["kind": "ExternalSecret", "name": "db", "namespace": "default"], "reason": "Synced", "type": "Normal",
                "note": "Secret written", "action": "Sync", "eventTime": "2026-12-07T10:00:00.000000Z",
                "reportingController": "rotor.dev/operator", "reportingInstance": "rotor-1",
            ])
            // Through the core API: the same object under its core field names.
            let core = try await client.get(coreEvents, namespace: "default", name: "synced.1")
            #expect(core["apiVersion"] == "v1")
            #expect(core[path: ["involvedObject", "name"]] == "db")
            #expect(core["message"] == "Secret written")
            #expect(core["reportingComponent"] == "rotor.dev/operator")
            #expect(core["note"] == nil && core["regarding"] == nil)
            #expect(core.resourceVersion == written.resourceVersion && core[path: ["metadata", "uid"]] == written[path: ["metadata", "uid"]])
            // kubectl get events --field-selector involvedObject.name=db finds it; so does regarding.name through the new API.
            let selected = try await client.list(coreEvents, namespace: "default", options: ListOptions(fieldSelector: "involvedObject.name=db"))
            #expect(selected["items"]?.arrayValue?.count == 1)
            let selectedNew = try await client.list(newEvents, namespace: "default", options: ListOptions(fieldSelector: "regarding.name=db"))
            #expect(selectedNew[path: ["items"]]?.arrayValue?.first?["note"] == "Secret written")
            let events = try await collect(watch, count: 1)
            #expect(events.first?.object[path: ["involvedObject", "name"]] == "db", "a core watch sees an Event written through events.k8s.io")

            // Written through the core API, read through the new one; names are shared.
            _ = try await client.create(coreEvents, namespace: "default", body: [
                "apiVersion": "v1", "kind": "Event", "metadata": ["name": "failed.1"],
                "involvedObject": ["kind": "ExternalSecret", "name": "api", "namespace": "default"], "reason": "SyncFailed", "type": "Warning",
                "message": "store not ready", "count": 3, "source": ["component": "rotor"],
            ])
            let new = try await client.get(newEvents, namespace: "default", name: "failed.1")
            #expect(new["apiVersion"] == "events.k8s.io/v1")
            #expect(new[path: ["regarding", "name"]] == "api" && new["note"] == "store not ready")
            #expect(new["deprecatedCount"] == 3 && new[path: ["deprecatedSource", "component"]] == "rotor")
            let clash = await apiError { try await client.create(newEvents, namespace: "default", body: ["metadata": ["name": "failed.1"], "note": "x"]) }
            #expect(clash?.kind == .alreadyExists)
            #expect(clash?.message == #"events.events.k8s.io "failed.1" already exists"#)
            let all = try await client.list(newEvents, namespace: "default")
            #expect(all["items"]?.arrayValue?.compactMap { $0[path: ["metadata", "name"]]?.stringValue }.sorted() == ["failed.1", "synced.1"])
        }
    }

    @Test("a watch that asks for bookmarks gets them with the current resourceVersion")
    func watchBookmarks() async throws {
        try await EmulatedCluster.with({ $0.bookmarkInterval = .milliseconds(100) }) { cluster in
            let rv = try await cluster.client.create(.testSecrets, namespace: "default", body: secretBody("a")).resourceVersion
            let stream = try await cluster.client.watch(.testSecrets, namespace: "default", options: WatchOptions(resourceVersion: rv, allowWatchBookmarks: true, timeoutSeconds: 10))
            _ = try await cluster.client.create(.testSecrets, namespace: "default", body: secretBody("b"))
            let latest = await cluster.emulator.currentResourceVersion()
            // Bookmarks arrive periodically; the first may predate "b". Read until one covers it.
            var highest: Int64 = 0
            var sawB = false
            for try await event in stream {
                let rv = Int64(event.object.resourceVersion ?? "") ?? 0
                #expect(rv >= highest, "resourceVersions in a watch never go backwards")
                highest = max(highest, rv)
                if event.type == .added && event.object.name == "b" { sawB = true }
                if event.type == .bookmark {
                    #expect(event.object["kind"] == "Secret")
                    if rv >= latest { break }
                }
            }
            #expect(sawB, "the change before the bookmark was delivered before it")
            #expect(highest >= latest)
        }
    }

    @Test("a watch ends by itself after timeoutSeconds, and the server forgets it")
    func watchTimeout() async throws {
        try await EmulatedCluster.with { cluster in
            let rv = try await cluster.client.create(.testSecrets, namespace: "default", body: secretBody("a")).resourceVersion
            let stream = try await cluster.client.watch(.testSecrets, namespace: "default", options: WatchOptions(resourceVersion: rv, allowWatchBookmarks: false, timeoutSeconds: 1))
            var events = 0
            for try await _ in stream { events += 1 }
            #expect(events == 0)
            #expect(await EmulatedCluster.eventually { await cluster.emulator.openWatchCount() == 0 })
        }
    }

    @Test("a watch without a resourceVersion starts with the current objects as ADDED")
    func watchFromNowListsFirst() async throws {
        try await EmulatedCluster.with { cluster in
            _ = try await cluster.client.create(.testSecrets, namespace: "default", body: secretBody("a"))
            _ = try await cluster.client.create(.testSecrets, namespace: "default", body: secretBody("b"))
            let stream = try await cluster.client.watch(.testSecrets, namespace: "default", options: WatchOptions(timeoutSeconds: 10))
            let events = try await collect(stream, count: 2)
            #expect(events.map(\.type) == [.added, .added])
            #expect(events.map { $0.object.name } == ["a", "b"])
        }
    }

    @Test("after compaction a watch from an old resourceVersion gets 410 Gone")
    func watchGoneAfterCompaction() async throws {
        try await EmulatedCluster.with { cluster in
            let rv = try await cluster.client.create(.testSecrets, namespace: "default", body: secretBody("a")).resourceVersion
            _ = try await cluster.client.create(.testSecrets, namespace: "default", body: secretBody("b"))
            await cluster.emulator.compactHistory()
            let stream = try await cluster.client.watch(.testSecrets, namespace: "default", options: WatchOptions(resourceVersion: rv, timeoutSeconds: 10))
            let error = await apiError { try await collect(stream, count: 1) }
            #expect(error?.kind == .gone)
            // A continue token from before the compaction is gone too.
            _ = try await cluster.client.create(.testSecrets, namespace: "default", body: secretBody("c"))
            let page = try await cluster.client.list(.testSecrets, namespace: "default", options: ListOptions(limit: 1))
            let token = try #require(page["metadata"]?["continue"]?.stringValue)
            await cluster.emulator.compactHistory()
            let kind7 = await errorKind { try await cluster.client.list(.testSecrets, namespace: "default", options: ListOptions(limit: 1, continue: token)) }
            #expect(kind7 == .gone)
        }
    }

    @Test("a history smaller than the changes since a resourceVersion also answers 410")
    func watchGoneWhenHistoryOverflows() async throws {
        try await EmulatedCluster.with({ $0.historyLimit = 5 }) { cluster in
            let rv = try await cluster.client.create(.testSecrets, namespace: "default", body: secretBody("first")).resourceVersion
            for i in 0..<10 { _ = try await cluster.client.create(.testSecrets, namespace: "default", body: secretBody("s\(i)")) }
            let stream = try await cluster.client.watch(.testSecrets, namespace: "default", options: WatchOptions(resourceVersion: rv, timeoutSeconds: 10))
            let kind8 = await errorKind { try await collect(stream, count: 1) }
            #expect(kind8 == .gone)
        }
    }

    @Test("pagination returns every object once, in name order, with remainingItemCount")
    func pagination() async throws {
        try await EmulatedCluster.with { cluster in
            let names = (0..<11).map { String(format: "s%02d", $0) }
            for name in names.shuffled() { _ = try await cluster.client.create(.testSecrets, namespace: "default", body: secretBody(name)) }
            var seen: [String] = []
            var token: String?
            var pages = 0
            repeat {
                let page = try await cluster.client.list(.testSecrets, namespace: "default", options: ListOptions(limit: 4, continue: token))
                seen += page.items.compactMap(\.name)
                token = page["metadata"]?["continue"]?.stringValue
                if token != nil { #expect(page["metadata"]?["remainingItemCount"]?.intValue == Int64(names.count - seen.count)) }
                pages += 1
            } while token != nil
            #expect(seen == names)
            #expect(pages == 3)
        }
    }

    @Test("immutable Secrets refuse data changes; stringData is merged into data and never returned")
    func secretRules() async throws {
        try await EmulatedCluster.with { cluster in
            var body = secretBody("db")
            body["stringData"] = ["user": "app"]
            body["immutable"] = true
            let created = try await cluster.client.create(.testSecrets, namespace: "default", body: body)
            #expect(created["stringData"] == nil)
            #expect(created[path: ["data", "user"]] == .string(Data("app".utf8).base64EncodedString()))
            let change = await apiError { try await cluster.client.patch(.testSecrets, namespace: "default", name: "db", patch: .merge(["data": ["k": "eA=="]])) }
            #expect(change?.kind == .invalid)
            #expect(change?.causes.contains { $0.field == "data" } == true)
            // Metadata may still change.
            _ = try await cluster.client.patch(.testSecrets, namespace: "default", name: "db", patch: .merge(["metadata": ["labels": ["a": "b"]]]))
        }
    }

    @Test("creating in a missing or terminating namespace fails as on a real cluster")
    func namespaceLifecycle() async throws {
        try await EmulatedCluster.with { cluster in
            let kind9 = await errorKind { try await cluster.client.create(.testSecrets, namespace: "nope", body: secretBody("a")) }
            #expect(kind9 == .notFound)
            _ = try await cluster.client.create(.testNamespaces, namespace: nil, body: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "shop"]])
            _ = try await cluster.client.create(.testSecrets, namespace: "shop", body: secretBody("held", finalizers: ["test/hold"]))
            _ = try await cluster.client.delete(.testNamespaces, namespace: nil, name: "shop")
            let ns = try await cluster.client.get(.testNamespaces, namespace: nil, name: "shop")
            #expect(ns[path: ["status", "phase"]] == "Terminating")
            let refused = await apiError { try await cluster.client.create(.testSecrets, namespace: "shop", body: secretBody("new")) }
            #expect(refused?.kind == .forbidden, "\(String(describing: refused))")
            _ = try await cluster.client.patch(.testSecrets, namespace: "shop", name: "held", patch: .merge(["metadata": ["finalizers": nil]]))
            let kind10 = await errorKind { try await cluster.client.get(.testNamespaces, namespace: nil, name: "shop") }
            #expect(kind10 == .notFound)
        }
    }

    @Test("an emptied namespace held by a metadata finalizer stays Terminating, the cluster keeps working, and it goes once released")
    func namespaceHeldByMetadataFinalizer() async throws {
        try await EmulatedCluster.with { cluster in
            let client = cluster.client
            _ = try await client.create(.testNamespaces, namespace: nil, body: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "held", "finalizers": ["example.com/hold"]]])
            _ = try await client.create(.testSecrets, namespace: "held", body: secretBody("a"))
            _ = try await client.delete(.testNamespaces, namespace: nil, name: "held")
            let terminating = try await client.get(.testNamespaces, namespace: nil, name: "held")
            #expect(terminating[path: ["status", "phase"]] == "Terminating")
            #expect(await errorKind { try await client.get(.testSecrets, namespace: "held", name: "a") } == .notFound, "its content is gone")
            // Other writes go on while it waits.
            for i in 0..<20 { _ = try await client.create(.testSecrets, namespace: "default", body: secretBody("s\(i)")) }
            #expect(try await client.get(.testNamespaces, namespace: nil, name: "held")[path: ["status", "phase"]] == "Terminating")
            _ = try await client.patch(.testNamespaces, namespace: nil, name: "held", patch: .merge(["metadata": ["finalizers": nil]]))
            #expect(await errorKind { try await client.get(.testNamespaces, namespace: nil, name: "held") } == .notFound)
        }
    }

    @Test("a ServiceAccount token from TokenRequest passes TokenReview for its audience only")
    func serviceAccountTokens() async throws {
        try await EmulatedCluster.with { cluster in
            let sa = ResourceType(group: "", version: "v1", plural: "serviceaccounts", kind: "ServiceAccount", namespaced: true)
            _ = try await cluster.client.create(sa, namespace: "default", body: ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "app"]])
            let response = try await cluster.client.createToken(
                serviceAccount: "app", namespace: "default",
                request: ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": ["audiences": ["vault"], "expirationSeconds": 600]])
            let token = try #require(response[path: ["status", "token"]]?.stringValue)
            let reviews = ResourceType(group: "authentication.k8s.io", version: "v1", plural: "tokenreviews", kind: "TokenReview", namespaced: false)
            func review(_ audiences: [JSONValue]) async throws -> JSONValue {
                try await cluster.client.create(reviews, namespace: nil, body: ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": ["token": .string(token), "audiences": .array(audiences)]])
            }
            let ok = try await review(["vault"])
            #expect(ok[path: ["status", "authenticated"]] == true)
            #expect(ok[path: ["status", "user", "username"]] == "system:serviceaccount:default:app")
            // As kube-apiserver: a failed review leaves `authenticated` out (Go omits false).
            #expect(try await review(["other"])[path: ["status", "authenticated"]] == nil)
            _ = try await cluster.client.delete(sa, namespace: "default", name: "app")
            let deleted = try await review(["vault"])
            #expect(deleted[path: ["status", "authenticated"]] == nil, "a token of a deleted ServiceAccount is no longer valid")
            #expect(deleted[path: ["status", "error"]] == "[invalid bearer token, serviceaccounts \"app\" not found]")
        }
    }
}

extension JSONValue {
    /// Parses the JSON text of a test fixture.
    init(yamlLikeJSON text: String) throws { try self.init(parsing: text) }
}

/// The widget CRD of the kubectl tests, as JSON for the client.
let widgetCRDJSON = """
    {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"widgets.example.com"},
     "spec":{"group":"example.com","scope":"Namespaced","names":{"plural":"widgets","singular":"widget","kind":"Widget"},
     "versions":[{"name":"v1","served":true,"storage":true,"subresources":{"status":{}},
       "schema":{"openAPIV3Schema":{"type":"object","properties":{
         "spec":{"type":"object","properties":{"size":{"type":"integer","minimum":1}}},
         "status":{"type":"object","properties":{"phase":{"type":"string"}}}}}}}]}}
    """
