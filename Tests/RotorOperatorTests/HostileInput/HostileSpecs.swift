import AWSProvider
import FakeProvider
import Foundation
import JSONCore
import KubeAPI
import RotorAPI
import VaultProvider

/// One generated ExternalSecret with its store, the Secret found at its target, and the
/// hostile changes made to a valid starting point. A case is rebuilt from its seed and a
/// subset of its mutations, which is how a failure is shrunk to the mutations it needs.
struct SpecCase: CustomStringConvertible {
    static let namespace = "default"
    static let storeName = "store"

    var seed: UInt64
    var externalSecret: ExternalSecret
    var store: SecretStore
    /// The Secret at the target name before the sync (Rotor's own, someone else's, or none).
    var existing: Secret?
    /// Changes to the ExternalSecret's JSON (wrong types), applied before decoding.
    var wire: [@Sendable (inout JSONValue) -> Void] = []
    var mutations: [SpecMutation] = []

    /// The fields a mutation made invalid in a way the planners must refuse.
    var invalidFields: [String] { effective.filter { $0.expect == .invalidAtPlanning }.map(\.field) }
    /// The fields a mutation made invalid in a way only the write (keys, size) can tell.
    var writeInvalidFields: [String] { effective.filter { $0.expect == .invalidAtWrite }.map(\.field) }

    /// The mutations still in effect: of several to one field, the last.
    var effective: [SpecMutation] {
        var seen = Set<String>()
        return mutations.reversed().filter { seen.insert($0.field).inserted }
    }

    var description: String {
        let changes = mutations.isEmpty ? "none (the valid starting point)" : mutations.map(\.description).joined(separator: "; ")
        let existingText = existing.map { "existing Secret (managed: \($0.metadata.labels?["rotor.dev/managed"] == "true"), keys \($0.data?.count ?? 0))" } ?? "no existing Secret"
        return "case seed \(seed): \(changes); \(existingText)"
    }

    /// The ExternalSecret as the operator's informer would decode it from the API, or the
    /// decoding error (a wrong type: the API server's schema would refuse it too).
    func decoded() -> Result<ExternalSecret, any Error> {
        do {
            var json = try JSONValue(encoding: externalSecret)
            for change in wire { change(&json) }
            return .success(try json.decode(as: ExternalSecret.self))
        } catch {
            return .failure(error)
        }
    }
}

/// What a mutation is known to do to a spec's validity.
enum Expectation: Sendable, Hashable {
    /// Maybe valid, maybe not (the provider decides, or the value is odd but allowed).
    case unknown
    /// The planners must refuse it: `Ready=False` naming the field, nothing written.
    case invalidAtPlanning
    /// Only the write can tell (Secret keys, size, labels): refused, nothing written.
    case invalidAtWrite
}

/// One hostile change to a case, described by field and shown value (never a secret value).
struct SpecMutation: CustomStringConvertible, @unchecked Sendable {
    var field: String
    var shown: String
    var expect: Expectation
    var apply: (inout SpecCase) -> Void

    var description: String {
        let tag = switch expect {
        case .unknown: ""
        case .invalidAtPlanning: " [invalid]"
        case .invalidAtWrite: " [invalid at write]"
        }
        return "\(field) = \(shown)\(tag)"
    }
}

enum SpecCaseGenerator {
    /// Case `seed` with only the mutations at `keep` (all when nil).
    static func make(seed: UInt64, keep: Set<Int>? = nil) -> SpecCase {
        var r = FuzzRandom(seed: seed)
        var c = base(seed: seed, &r)
        let count = r.pick([0, 1, 1, 1, 2, 2, 3, 4])
        var all: [SpecMutation] = []
        for _ in 0..<count { all.append(mutation(&r, c)) }
        for (index, m) in all.enumerated() where keep?.contains(index) ?? true {
            m.apply(&c)
            c.mutations.append(m)
        }
        return c
    }

    /// The indices a case's mutations have (for shrinking).
    static func mutationCount(seed: UInt64) -> Int { make(seed: seed).mutations.count }

    /// Removes mutations one at a time while `stillFails` holds: the smallest set found.
    static func shrink(seed: UInt64, stillFails: (SpecCase) async -> Bool) async -> SpecCase {
        var keep = Set(0..<mutationCount(seed: seed))
        var changed = true
        while changed {
            changed = false
            for index in keep.sorted() {
                var candidate = keep
                candidate.remove(index)
                if await stillFails(make(seed: seed, keep: candidate)) {
                    keep = candidate
                    changed = true
                }
            }
        }
        return make(seed: seed, keep: keep)
    }

    // MARK: The valid starting point

    /// Lower-case letters and digits: a Secret key that templates can name too.
    static func plainKey(_ r: inout FuzzRandom) -> String {
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        let alphanumerics = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return String(r.pick(letters)) + String((0..<r.int(1...8)).map { _ in r.pick(alphanumerics) })
    }

    static func base(seed: UInt64, _ r: inout FuzzRandom) -> SpecCase {
        let name = "es-\(String(seed, radix: 36))"
        // The store: a few plain values and one JSON document (for extract and property).
        var storeData: [FakeProviderData] = []
        var remoteKeys: [String] = []
        for _ in 0..<r.int(1...4) {
            let key = "app/" + plainKey(&r)
            guard !remoteKeys.contains(key) else { continue }
            remoteKeys.append(key)
            storeData.append(FakeProviderData(key: key, value: "fuzzcanary-" + plainKey(&r) + "-" + String(r.int(0...99_999)), version: "1"))
        }
        let documentKey = "app/doc-" + plainKey(&r)
        var documentKeys: [String] = []
        for _ in 0..<r.int(1...3) { documentKeys.append(plainKey(&r)) }
        documentKeys = Array(Set(documentKeys)).sorted()
        let document = "{" + documentKeys.map { "\"\($0)\":\"fuzzcanary-\($0)\"" }.joined(separator: ",") + "}"
        storeData.append(FakeProviderData(key: documentKey, value: document, version: "1"))
        var store = SecretStore(
            metadata: ObjectMeta(name: SpecCase.storeName, namespace: SpecCase.namespace),
            spec: SecretStoreSpec(provider: SecretStoreProvider(fake: FakeStoreConfig(data: storeData))),
            status: SecretStoreStatus(conditions: [Condition(type: SecretStoreConditions.ready, status: .true, reason: "Valid")]))
        store.metadata.generation = 1

        var data: [ExternalSecretData] = []
        var secretKeys: Set<String> = []
        for _ in 0..<r.int(1...3) {
            let key = plainKey(&r)
            guard secretKeys.insert(key).inserted else { continue }
            data.append(ExternalSecretData(secretKey: key, remoteRef: ExternalSecretRemoteRef(key: r.pick(remoteKeys))))
        }
        if r.oneIn(3) {
            let property = r.pick(documentKeys)
            let key = "p" + plainKey(&r)
            if secretKeys.insert(key).inserted {
                data.append(ExternalSecretData(secretKey: key, remoteRef: ExternalSecretRemoteRef(key: documentKey, property: property)))
            }
        }
        var spec = ExternalSecretSpec(
            secretStoreRef: SecretStoreRef(name: SpecCase.storeName, kind: r.bool() ? .secretStore : nil),
            refreshInterval: r.pick([nil, "1h", "15m", "0", "30s", "24h"]), data: data)
        if r.oneIn(3) { spec.dataFrom = [ExternalSecretDataFromSource(extract: ExternalSecretExtract(key: documentKey))] }
        if r.oneIn(4) {
            // A template over the fetched keys.
            let keys = Array(secretKeys).sorted()
            let referenced = r.pick(keys)
            spec.target = ExternalSecretTarget(template: ExternalSecretTemplate(
                metadata: ExternalSecretTemplateMetadata(labels: ["team": "fuzz"]),
                data: ["rendered": "x={{\(referenced)}};", referenced: "{{\(referenced)}}"]))
        }
        if r.oneIn(5) { spec.rotation = ExternalSecretRotation(gracePeriod: r.pick(["10m", "1h"])) }
        var es = ExternalSecret(metadata: ObjectMeta(name: name, namespace: SpecCase.namespace), spec: spec)
        es.metadata.generation = 1
        es.metadata.uid = "uid-\(name)"

        // What is at the target name already.
        var existing: Secret?
        switch r.int(0...5) {
        case 0:
            existing = Secret(
                metadata: ObjectMeta(name: name, namespace: SpecCase.namespace, labels: ["rotor.dev/managed": "true"]),
                data: ["old": Data("previous".utf8)])
        case 1:
            existing = Secret(metadata: ObjectMeta(name: name, namespace: SpecCase.namespace), data: ["theirs": Data("foreign".utf8)])
        default:
            existing = nil
        }
        return SpecCase(seed: seed, externalSecret: es, store: store, existing: existing)
    }
}
