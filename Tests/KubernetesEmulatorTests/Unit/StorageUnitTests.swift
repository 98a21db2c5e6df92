import Foundation
import HTTPServing
@testable import KubernetesEmulator
import NIOHTTP1
import JSONCore
import KubeAPI
import Testing

@Suite("Unit: storage keys, continue tokens and change history")
struct StorageUnitTests {
    // MARK: Object identity and credentials

    @Test("object uids are random version-4 UUIDs in lowercase, never repeated")
    func uidsAreRandomVersion4UUIDs() {
        let uids = (0..<2_000).map { _ in ClusterStore.newUID() }
        #expect(Set(uids).count == uids.count)
        for uid in uids.prefix(50) {
            #expect(UUID(uuidString: uid) != nil && uid == uid.lowercased())
            let characters = Array(uid)
            #expect(characters[14] == "4", "version 4: \(uid)")
            #expect("89ab".contains(characters[19]), "RFC 4122 variant: \(uid)")
        }
    }

    @Test("the bearer token is read from Authorization whatever the scheme's case, without surrounding blanks")
    func bearerTokenParsing() {
        func token(_ header: String?) -> String? {
            var headers = HTTPHeaders()
            if let header { headers.add(name: "Authorization", value: header) }
            return HTTPServerRequest(method: .GET, uri: "/api", headers: headers, body: []).bearerToken
        }
        #expect(token("Bearer abc.def") == "abc.def")
        #expect(token("bearer  \tabc \t") == "abc")
        #expect(token("Basic YWJjOmRlZg==") == nil)
        #expect(token(nil) == nil)
    }

    // MARK: Continue tokens

    @Test("a continue token decodes to the resourceVersion and key it was made from")
    func continueTokenRoundTrip() throws {
        for key in [ObjectKey(namespace: "shop", name: "db-1"), ObjectKey(namespace: "", name: "cluster-thing")] {
            let token = ContinueToken(resourceVersion: 4711, startAfter: key)
            let decoded = try ContinueToken(decoding: token.encoded)
            #expect(decoded.resourceVersion == 4711)
            #expect(decoded.startAfter == key)
            #expect(!token.encoded.contains("="), "base64url without padding")
            #expect(!token.encoded.contains("+") && !token.encoded.contains("/"))
        }
    }

    @Test("a continue token has kube-apiserver's format")
    func continueTokenFormat() throws {
        let token = ContinueToken(resourceVersion: 12, startAfter: ObjectKey(namespace: "ns", name: "a")).encoded
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        let json = try JSONValue(parsing: try #require(Data(base64Encoded: base64)))
        #expect(json == ["v": "meta.k8s.io/v1", "rv": 12, "start": "ns/a\u{0}"])
    }

    @Test("a garbage continue token is refused with 400", arguments: ["", "!!!", "bm90IGpzb24", "eyJ2IjoibWV0YS5rOHMuaW8vdjIiLCJydiI6MSwic3RhcnQiOiJhIn0"])
    func garbageContinueToken(token: String) {
        // The last one is valid base64url JSON of the wrong version ("meta.k8s.io/v2").
        let error = unitAPIError { _ = try ContinueToken(decoding: token) }
        #expect(error?.httpCode == 400)
        #expect(error?.status.message?.hasPrefix("invalid continue token: continue key is not valid") == true)
    }

    // MARK: Sorted keys

    @Test("keys come back sorted by namespace, then name, and a namespace slices them")
    func sortedKeys() {
        var table = ResourceTable()
        let keys = [("b", "2"), ("a", "z"), ("c", "1"), ("b", "1"), ("a", "a"), ("ab", "x")].map { ObjectKey(namespace: $0.0, name: $0.1) }
        for key in keys.shuffled() { table.put(key, StoredObject(["metadata": ["name": .string(key.name)]], resourceVersion: 1)) }
        #expect(Array(table.sortedKeys(namespace: nil)).map(\.description) == ["a/a", "a/z", "ab/x", "b/1", "b/2", "c/1"])
        #expect(Array(table.sortedKeys(namespace: "a")).map(\.description) == ["a/a", "a/z"])
        #expect(Array(table.sortedKeys(namespace: "b")).map(\.description) == ["b/1", "b/2"])
        #expect(table.sortedKeys(namespace: "aa").isEmpty)
        #expect(table.sortedKeys(namespace: "zz").isEmpty)
    }

    @Test("the sorted keys follow inserts and deletes")
    func sortedKeysAfterChanges() {
        var table = ResourceTable()
        table.put(ObjectKey(namespace: "", name: "m"), StoredObject([:], resourceVersion: 1))
        #expect(Array(table.sortedKeys(namespace: nil)).map(\.name) == ["m"])
        table.put(ObjectKey(namespace: "", name: "a"), StoredObject([:], resourceVersion: 2))
        table.put(ObjectKey(namespace: "", name: "z"), StoredObject([:], resourceVersion: 3))
        #expect(Array(table.sortedKeys(namespace: nil)).map(\.name) == ["a", "m", "z"])
        table.remove(ObjectKey(namespace: "", name: "m"))
        #expect(Array(table.sortedKeys(namespace: nil)).map(\.name) == ["a", "z"])
        // Overwriting an existing key keeps it once.
        table.put(ObjectKey(namespace: "", name: "a"), StoredObject([:], resourceVersion: 4))
        #expect(Array(table.sortedKeys(namespace: nil)).map(\.name) == ["a", "z"])
        #expect(table.objects[ObjectKey(namespace: "", name: "a")]?.resourceVersion == 4)
    }

    // MARK: Change history

    private func event(_ rv: Int64) -> ChangeEvent {
        ChangeEvent(
            resourceVersion: rv, resource: ResourceID(group: "", plural: "secrets"), type: .added,
            key: ObjectKey(namespace: "ns", name: "o\(rv)"), object: StoredObject([:], resourceVersion: rv), previous: nil)
    }

    @Test("the history returns the changes after a resourceVersion, oldest first")
    func historySince() {
        var history = ChangeHistory(limit: 10)
        for rv in [2, 3, 5, 8] as [Int64] { history.append(event(rv)) }
        #expect(history.since(0).map(\.resourceVersion) == [2, 3, 5, 8])
        #expect(history.since(3).map(\.resourceVersion) == [5, 8])
        #expect(history.since(4).map(\.resourceVersion) == [5, 8])
        #expect(history.since(8).isEmpty)
        #expect(history.compactedThrough == 0)
    }

    @Test("a full history evicts the oldest change and remembers it as compacted")
    func historyEviction() {
        var history = ChangeHistory(limit: 3)
        for rv in 1...3 as ClosedRange<Int64> { history.append(event(rv)) }
        #expect(history.compactedThrough == 0)
        history.append(event(4))
        #expect(history.compactedThrough == 1)
        #expect(history.ordered.map(\.resourceVersion) == [2, 3, 4])
        for rv in 5...7 as ClosedRange<Int64> { history.append(event(rv)) }
        #expect(history.compactedThrough == 4)
        #expect(history.ordered.map(\.resourceVersion) == [5, 6, 7])
        #expect(history.since(5).map(\.resourceVersion) == [6, 7], "ordering survives wrapping around")
        history.append(event(8))
        #expect(history.since(0).map(\.resourceVersion) == [6, 7, 8])
    }

    @Test("compacting forgets changes up to a resourceVersion and keeps later ones")
    func historyCompact() {
        var history = ChangeHistory(limit: 3)
        for rv in 1...5 as ClosedRange<Int64> { history.append(event(rv)) }  // wrapped: holds 3, 4, 5
        history.compact(through: 3)
        #expect(history.compactedThrough == 3)
        #expect(history.ordered.map(\.resourceVersion) == [4, 5])
        history.append(event(6))
        history.append(event(7))
        #expect(history.ordered.map(\.resourceVersion) == [5, 6, 7])
        #expect(history.compactedThrough == 4)
        history.compact(through: 1)
        #expect(history.compactedThrough == 4, "compacting through an older version never lowers the mark")
        history.compact(through: 7)
        #expect(history.ordered.isEmpty)
        #expect(history.since(0).isEmpty)
    }

    // MARK: The store

    private func storeWithNamespaces(_ names: [String]) async throws -> ClusterStore {
        let store = ClusterStore()
        let namespaces = try #require(await store.descriptor(group: "", version: "v1", plural: "namespaces"))
        for name in names {
            _ = try await store.create(
                namespaces, namespace: nil, body: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]],
                options: WriteOptions())
        }
        return store
    }

    private func secret(_ name: String, labels: JSONObject = [:]) -> JSONObject {
        ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": .string(name), "labels": .object(labels)], "type": "Opaque"]
    }

    @Test("a paginated list walks every object once in key order, then stops handing out tokens")
    func paginatedList() async throws {
        let store = try await storeWithNamespaces(["a", "b"])
        let secrets = try #require(await store.descriptor(group: "", version: "v1", plural: "secrets"))
        for (ns, name) in [("b", "s2"), ("a", "s3"), ("a", "s1"), ("b", "s1"), ("a", "s2")] {
            _ = try await store.create(secrets, namespace: ns, body: secret(name), options: WriteOptions())
        }
        var seen: [String] = []
        var token: String?
        var pages = 0
        repeat {
            let page = try await store.list(
                secrets, namespace: nil, labelSelector: nil, fieldSelector: nil, limit: 2, continueToken: token,
                resourceVersion: nil, resourceVersionMatch: nil)
            seen += page.items.map { "\($0.namespace)/\($0.name)" }
            token = page.continueToken
            pages += 1
            if token != nil { #expect(page.remainingItemCount == Int64(5 - seen.count)) }
        } while token != nil && pages < 10
        #expect(seen == ["a/s1", "a/s2", "a/s3", "b/s1", "b/s2"])
        #expect(pages == 3)
        // One namespace only.
        let inB = try await store.list(
            secrets, namespace: "b", labelSelector: nil, fieldSelector: nil, limit: nil, continueToken: nil,
            resourceVersion: nil, resourceVersionMatch: nil)
        #expect(inB.items.map(\.name) == ["s1", "s2"])
        #expect(inB.continueToken == nil)
    }

    @Test("a list filters by label and field selectors")
    func selectorList() async throws {
        let store = try await storeWithNamespaces(["default"])
        let secrets = try #require(await store.descriptor(group: "", version: "v1", plural: "secrets"))
        _ = try await store.create(secrets, namespace: "default", body: secret("web", labels: ["app": "web"]), options: WriteOptions())
        _ = try await store.create(secrets, namespace: "default", body: secret("db", labels: ["app": "db"]), options: WriteOptions())
        let page = try await store.list(
            secrets, namespace: "default", labelSelector: try LabelSelectorQuery(parsing: "app in (web,cache)"),
            fieldSelector: try FieldSelectorQuery(parsing: "type=Opaque", resource: secrets), limit: nil, continueToken: nil,
            resourceVersion: nil, resourceVersionMatch: nil)
        #expect(page.items.map(\.name) == ["web"])
        let pinned = try await store.list(
            secrets, namespace: "default", labelSelector: nil, fieldSelector: try FieldSelectorQuery(parsing: "metadata.name=db", resource: secrets),
            limit: nil, continueToken: nil, resourceVersion: nil, resourceVersionMatch: nil)
        #expect(pinned.items.map(\.name) == ["db"])
    }

    @Test("a continue token older than a compaction gets 410 Gone")
    func continueAfterCompaction() async throws {
        let store = try await storeWithNamespaces(["default"])
        let secrets = try #require(await store.descriptor(group: "", version: "v1", plural: "secrets"))
        for name in ["a", "b", "c"] {
            _ = try await store.create(secrets, namespace: "default", body: secret(name), options: WriteOptions())
        }
        let first = try await store.list(
            secrets, namespace: "default", labelSelector: nil, fieldSelector: nil, limit: 1, continueToken: nil,
            resourceVersion: nil, resourceVersionMatch: nil)
        let token = try #require(first.continueToken)
        await store.compactHistory()
        do {
            _ = try await store.list(
                secrets, namespace: "default", labelSelector: nil, fieldSelector: nil, limit: 1, continueToken: token,
                resourceVersion: nil, resourceVersionMatch: nil)
            Issue.record("expected 410")
        } catch let error as APIError {
            #expect(error.httpCode == 410)
        }
    }

    @Test("each write gets a higher resourceVersion, and a watch resumes with the changes after it")
    func resourceVersionsAndWatchResume() async throws {
        let store = try await storeWithNamespaces(["default"])
        let secrets = try #require(await store.descriptor(group: "", version: "v1", plural: "secrets"))
        let a = try await store.create(secrets, namespace: "default", body: secret("a"), options: WriteOptions()).object
        let b = try await store.create(secrets, namespace: "default", body: secret("b"), options: WriteOptions()).object
        #expect(b.resourceVersion > a.resourceVersion)
        #expect(b.object.value(at: ["metadata", "resourceVersion"]) == .string(String(b.resourceVersion)))
        let (id, stream) = try await store.watch(
            secrets, namespace: "default", labelSelector: nil, fieldSelector: nil, resourceVersion: String(a.resourceVersion), bookmarks: false)
        await store.stopWatch(id)
        var names: [String] = []
        for await item in stream {
            if case .event(let type, let object) = item {
                #expect(type == .added)
                names.append(object.name)
            }
        }
        #expect(names == ["b"])
    }

    @Test("a dry-run create stores nothing")
    func dryRun() async throws {
        let store = try await storeWithNamespaces(["default"])
        let secrets = try #require(await store.descriptor(group: "", version: "v1", plural: "secrets"))
        var options = WriteOptions()
        options.dryRun = true
        _ = try await store.create(secrets, namespace: "default", body: secret("a"), options: options)
        let error = await {
            do { _ = try await store.get(secrets, namespace: "default", name: "a"); return nil } catch let e as APIError { return e } catch { return nil }
        }() as APIError?
        #expect(error?.httpCode == 404)
    }
}
