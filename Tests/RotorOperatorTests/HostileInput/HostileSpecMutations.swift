import AWSProvider
import FakeProvider
import Foundation
import JSONCore
import KubeAPI
import RotorAPI
import VaultProvider

extension SpecCaseGenerator {
    // MARK: Mutations

    static func mutation(_ r: inout FuzzRandom, _ c: SpecCase) -> SpecMutation {
        let dataCount = c.externalSecret.spec.data?.count ?? 0
        switch r.int(0...27) {
        case 0, 1:
            let text = Hostile.duration(&r)
            let parsed = KubeDuration(text)
            return SpecMutation(
                field: "spec.refreshInterval", shown: Hostile.show(text), expect: parsed.map { $0 < .zero } ?? true ? .invalidAtPlanning : .unknown
            ) { $0.externalSecret.spec.refreshInterval = text }
        case 2:
            let text = r.bool() ? r.pick(["Periodic", "OnChange", "CreatedOnce"]) : Hostile.string(&r)
            let known = RefreshPolicy.knownValues.map(\.rawValue).contains(text)
            return SpecMutation(field: "spec.refreshPolicy", shown: Hostile.show(text), expect: known ? .unknown : .invalidAtPlanning) {
                $0.externalSecret.spec.refreshPolicy = RefreshPolicy(rawValue: text)
            }
        case 3:
            let text = r.oneIn(3) ? "" : Hostile.string(&r)
            return SpecMutation(field: "spec.secretStoreRef.name", shown: Hostile.show(text), expect: text.isEmpty ? .invalidAtPlanning : .unknown) {
                $0.externalSecret.spec.secretStoreRef.name = text
            }
        case 4:
            let text = r.bool() ? r.pick(["SecretStore", "ClusterSecretStore"]) : Hostile.string(&r)
            let known = SecretStoreKind.knownValues.map(\.rawValue).contains(text)
            return SpecMutation(field: "spec.secretStoreRef.kind", shown: Hostile.show(text), expect: known ? .unknown : .invalidAtPlanning) {
                $0.externalSecret.spec.secretStoreRef.kind = SecretStoreKind(rawValue: text)
            }
        case 5 where dataCount > 0, 6 where dataCount > 0:
            let index = r.int(0...(dataCount - 1))
            let text = Hostile.string(&r)
            return SpecMutation(field: "spec.data[\(index)].secretKey", shown: Hostile.show(text), expect: isSecretKey(text) ? .unknown : .invalidAtWrite) {
                $0.externalSecret.spec.data?[index].secretKey = text
            }
        case 7 where dataCount > 0:
            let index = r.int(0...(dataCount - 1))
            let text = Hostile.string(&r)
            return SpecMutation(field: "spec.data[\(index)].remoteRef.key", shown: Hostile.show(text), expect: .unknown) {
                $0.externalSecret.spec.data?[index].remoteRef.key = text
            }
        case 8 where dataCount > 0:
            let index = r.int(0...(dataCount - 1))
            let text = Hostile.string(&r)
            return SpecMutation(field: "spec.data[\(index)].remoteRef.property", shown: Hostile.show(text), expect: .unknown) {
                $0.externalSecret.spec.data?[index].remoteRef.property = text
            }
        case 9 where dataCount > 0:
            let index = r.int(0...(dataCount - 1))
            let text = Hostile.string(&r)
            return SpecMutation(field: "spec.data[\(index)].remoteRef.version", shown: Hostile.show(text), expect: .unknown) {
                $0.externalSecret.spec.data?[index].remoteRef.version = text
            }
        case 10:
            // A remote document whose property names are hostile: extract makes them Secret keys.
            let names = (0..<r.int(1...3)).map { _ in Hostile.string(&r, allowHuge: false) }
            var object: [String: JSONValue] = [:]
            for name in names { object[name] = r.pick([.string("v"), .int(Int64.max), .double(1e300), .null, .bool(true), .array([.string("x")]), .object(["deep": .object(["er": .string("x")])])]) }
            let document = String(decoding: JSONValue.object(object).serializedBytes(), as: UTF8.self)
            let allKeysValid = object.keys.allSatisfy(isSecretKey)
            return SpecMutation(
                field: "spec.dataFrom[0].extract", shown: "remote document with property names \(names.map(Hostile.show))",
                expect: allKeysValid ? .unknown : .invalidAtWrite
            ) { c in
                c.store.spec.provider.fakeConfig?.data.append(FakeProviderData(key: "hostile/doc", value: document, version: "1"))
                c.externalSecret.spec.dataFrom = [ExternalSecretDataFromSource(extract: ExternalSecretExtract(key: "hostile/doc"))] + (c.externalSecret.spec.dataFrom ?? [])
            }
        case 11:
            let pattern = r.pick([".*", "^app/", "app/[a-z]+", "(", "[", "a{99999}", "(?<", "\\", "^(a+)+$", "(a|aa)+$", "(x+x+)+y", "\u{0}", Hostile.string(&r, allowHuge: false)])
            let path: String? = r.bool() ? nil : r.pick(["app/", "", Hostile.string(&r, allowHuge: false)])
            let longKeys = r.oneIn(3)
            return SpecMutation(
                field: "spec.dataFrom[0].find", shown: "regexp \(Hostile.show(pattern)), path \(path.map(Hostile.show) ?? "nil"), long keys \(longKeys)", expect: .unknown
            ) { c in
                if longKeys {
                    for n in 0..<3 {
                        c.store.spec.provider.fakeConfig?.data.append(FakeProviderData(key: String(repeating: "a", count: 24 + n) + "!", value: "v\(n)", version: "1"))
                    }
                }
                c.externalSecret.spec.dataFrom = [ExternalSecretDataFromSource(find: ExternalSecretFind(path: path, name: ExternalSecretFindName(regexp: pattern)))]
                    + (c.externalSecret.spec.dataFrom ?? [])
            }
        case 12, 13:
            // Hostile Mustache in a template.
            let text = r.pick([
                "{{#a}}", "{{/a}}", "{{a", "{{>x}}", "{{=<% %>=}}<%a%>", "{{^missing}}x{{/missing}}", "{{missing}}", "{{{missing}}}",
                "{{& missing}}", "{{#a}}{{/b}}", "{{%  CONTENT_TYPE: HTML}}", "{{!", "{{<parent}}{{/parent}}", "{{$block}}x{{/block}}",
                String(repeating: "{{#x}}", count: 2_000), String(repeating: "{{", count: 10_000), Hostile.string(&r),
            ])
            let key = r.bool() ? "out" : Hostile.string(&r, allowHuge: false)
            return SpecMutation(field: "spec.target.template.data", shown: "key \(Hostile.show(key)) → template \(Hostile.show(text))", expect: isSecretKey(key) ? .unknown : .invalidAtWrite) { c in
                var target = c.externalSecret.spec.target ?? ExternalSecretTarget()
                var template = target.template ?? ExternalSecretTemplate()
                var templates = template.data ?? [:]
                templates[key] = text
                template.data = templates
                target.template = template
                c.externalSecret.spec.target = target
            }
        case 14:
            let label = r.bool() ? "rotor.dev/managed" : Hostile.string(&r, allowHuge: false)
            let value = Hostile.string(&r, allowHuge: false)
            return SpecMutation(field: "spec.target.template.metadata", shown: "label \(Hostile.show(label)) = \(Hostile.show(value))", expect: .unknown) { c in
                var target = c.externalSecret.spec.target ?? ExternalSecretTarget()
                var template = target.template ?? ExternalSecretTemplate()
                var metadata = template.metadata ?? ExternalSecretTemplateMetadata()
                if r2(label) { metadata.annotations = (metadata.annotations ?? [:]).merging([label: value]) { $1 } } else { metadata.labels = (metadata.labels ?? [:]).merging([label: value]) { $1 } }
                template.metadata = metadata
                target.template = template
                c.externalSecret.spec.target = target
            }
        case 15:
            let text = r.pick(["Opaque", "kubernetes.io/tls", "kubernetes.io/service-account-token", Hostile.string(&r, allowHuge: false)])
            return SpecMutation(field: "spec.target.template.type", shown: Hostile.show(text), expect: .unknown) { c in
                var target = c.externalSecret.spec.target ?? ExternalSecretTarget()
                var template = target.template ?? ExternalSecretTemplate()
                template.type = text
                target.template = template
                c.externalSecret.spec.target = target
            }
        case 16:
            let text = Hostile.string(&r)
            return SpecMutation(field: "spec.target.name", shown: Hostile.show(text), expect: .unknown) { c in
                var target = c.externalSecret.spec.target ?? ExternalSecretTarget()
                target.name = text
                c.externalSecret.spec.target = target
            }
        case 17:
            let text = r.bool() ? r.pick(["Owner", "Merge", "Orphan"]) : Hostile.string(&r, allowHuge: false)
            let known = CreationPolicy.knownValues.map(\.rawValue).contains(text)
            return SpecMutation(field: "spec.target.creationPolicy", shown: Hostile.show(text), expect: known ? .unknown : .invalidAtPlanning) { c in
                var target = c.externalSecret.spec.target ?? ExternalSecretTarget()
                target.creationPolicy = CreationPolicy(rawValue: text)
                c.externalSecret.spec.target = target
            }
        case 18:
            let text = r.bool() ? r.pick(["Retain", "Delete"]) : Hostile.string(&r, allowHuge: false)
            let known = DeletionPolicy.knownValues.map(\.rawValue).contains(text)
            return SpecMutation(field: "spec.target.deletionPolicy", shown: Hostile.show(text), expect: known ? .unknown : .invalidAtPlanning) { c in
                var target = c.externalSecret.spec.target ?? ExternalSecretTarget()
                target.deletionPolicy = DeletionPolicy(rawValue: text)
                c.externalSecret.spec.target = target
            }
        case 19:
            let text = Hostile.duration(&r)
            let valid = KubeDuration(text).map { $0 > .zero } ?? false
            return SpecMutation(field: "spec.rotation.gracePeriod", shown: Hostile.show(text), expect: valid ? .unknown : .invalidAtPlanning) { c in
                var rotation = c.externalSecret.spec.rotation ?? ExternalSecretRotation(gracePeriod: "10m")
                rotation.gracePeriod = text
                c.externalSecret.spec.rotation = rotation
            }
        case 20:
            let text = Hostile.string(&r, allowHuge: false)
            // The suffix is checked for its characters; the keys it makes, at the write.
            let characters = !text.isEmpty && isSecretKey(String(repeating: "a", count: 0) + "k" + String(text.prefix(200)))
            let expect: Expectation = !characters ? .invalidAtPlanning : text.utf8.count > 200 ? .invalidAtWrite : .unknown
            return SpecMutation(field: "spec.rotation.previousSuffix", shown: Hostile.show(text), expect: expect) { c in
                var rotation = c.externalSecret.spec.rotation ?? ExternalSecretRotation(gracePeriod: "10m")
                rotation.previousSuffix = text
                c.externalSecret.spec.rotation = rotation
            }
        case 21:
            let every: String? = r.bool() ? Hostile.duration(&r) : nil
            let cron: String? = every == nil || r.oneIn(4)
                ? r.pick(["0 3 * * *", "*/0 * * * *", "60 * * * *", "* * * * * *", "0 0 31 2 *", "0 0 30 2 *", "@yearly", "", "-1 * * * *", "9223372036854775808 * * * *", "\u{0663} * * * *", Hostile.string(&r, allowHuge: false)])
                : nil
            let length: Int? = r.pick([nil, 32, 8, 4096, 0, -1, 7, 4097, Int.max, Int.min])
            let digits: Int? = r.pick([nil, 0, 5, -1, Int.max, 4096])
            let withGenerator = !r.oneIn(5)
            return SpecMutation(
                field: "spec.rotation.schedule", shown: "every \(every.map(Hostile.show) ?? "nil"), cron \(cron.map(Hostile.show) ?? "nil"), generator length \(length.map(String.init) ?? "nil"), digits \(digits.map(String.init) ?? "nil"), generator \(withGenerator)",
                expect: .unknown
            ) { c in
                var rotation = c.externalSecret.spec.rotation ?? ExternalSecretRotation(gracePeriod: "10m")
                rotation.schedule = RotationSchedule(every: every, cron: cron)
                rotation.generate = withGenerator ? [RotationGenerator(property: "password", length: length, digits: digits)] : nil
                c.externalSecret.spec.rotation = rotation
            }
        case 22:
            let kind = r.bool() ? "Deployment" : Hostile.string(&r, allowHuge: false)
            let name = r.bool() ? "web" : Hostile.string(&r, allowHuge: false)
            let known = RestartTargetKind.knownValues.map(\.rawValue).contains(kind)
            return SpecMutation(
                field: "spec.rotation.restartTargets[0]", shown: "kind \(Hostile.show(kind)), name \(Hostile.show(name))",
                expect: !known || name.isEmpty ? .invalidAtPlanning : .unknown
            ) { c in
                var rotation = c.externalSecret.spec.rotation ?? ExternalSecretRotation(gracePeriod: "10m")
                rotation.restartTargets = [RestartTarget(kind: RestartTargetKind(rawValue: kind), name: name)]
                c.externalSecret.spec.rotation = rotation
            }
        case 23:
            // A remote value too large for a Secret.
            let size = r.pick([600_000, 1_100_000, 2_000_000])
            return SpecMutation(field: "spec.data[0].remoteRef", shown: "remote value of \(size) bytes", expect: size > 1_000_000 ? .invalidAtWrite : .unknown) { c in
                c.store.spec.provider.fakeConfig?.data.append(FakeProviderData(key: "big/value", value: String(repeating: "b", count: size), version: "1"))
                c.externalSecret.spec.data = [ExternalSecretData(secretKey: "big", remoteRef: ExternalSecretRemoteRef(key: "big/value"))] + (c.externalSecret.spec.data ?? [])
            }
        case 24:
            // A store value full of hostile text (the key stays valid).
            let value = Hostile.string(&r)
            return SpecMutation(field: "store value", shown: "<hostile value of \(value.utf8.count) bytes>", expect: value.utf8.count > 1_000_000 ? .invalidAtWrite : .unknown) { c in
                guard var fake = c.store.spec.provider.fakeConfig, !fake.data.isEmpty else { return }
                fake.data[0].value = value
                c.store.spec.provider.fakeConfig = fake
            }
        case 25:
            // A store that is not a usable fake store: vault/aws blocks with garbage, several, none.
            let variant = r.int(0...3)
            let garbage = r.oneIn(3) ? r.pick(["\u{0663}\u{0664}", "us-east-\u{FF11}", "eu-west-𝟙", "us-east-1", "", "..", "a/b"]) : Hostile.string(&r, allowHuge: false)
            return SpecMutation(field: "store spec.provider", shown: "variant \(variant) with \(Hostile.show(garbage))", expect: .unknown) { c in
                switch variant {
                case 0: c.store.spec.provider = SecretStoreProvider()
                case 1: c.store.spec.provider.vaultConfig = VaultStoreConfig(server: garbage)
                case 2: c.store.spec.provider = SecretStoreProvider(aws: AWSStoreConfig(region: garbage, endpoint: garbage.count % 2 == 0 ? "https://127.0.0.1:1" : nil))
                default: c.store.spec.provider = SecretStoreProvider(vault: VaultStoreConfig(server: "https://127.0.0.1:1", path: garbage))
                }
            }
        case 26:
            // Wrong JSON types where the API has strings, arrays or objects.
            let path = r.pick([["spec", "refreshInterval"], ["spec", "data"], ["spec", "target"], ["spec", "secretStoreRef"], ["spec", "rotation"], ["spec", "dataFrom"], ["metadata", "name"], ["spec"]])
            let value: JSONValue = r.pick([.double(1e300), .double(-1e300), .int(Int64.min), .string("NaN"), .null, .bool(false), .array([]), .object([:]), .array([.null]), .object(["": .null])])
            let shown = String(decoding: value.serializedBytes(), as: UTF8.self)
            return SpecMutation(field: path.joined(separator: "."), shown: "wire value \(shown)", expect: .unknown) { c in
                c.wire.append { json in json = setting(json, path[...], to: value) }
            }
        default:
            // Deeply nested unknown fields.
            let depth = r.pick([10, 100, 400])
            return SpecMutation(field: "spec.x-unknown", shown: "object nested \(depth) deep", expect: .unknown) { c in
                c.wire.append { json in
                    var nested = JSONValue.string("x")
                    for _ in 0..<depth { nested = .object(["n": nested]) }
                    json = setting(json, ["spec", "xUnknown"][...], to: nested)
                }
            }
        }
    }

    /// Whether Kubernetes accepts `text` as a Secret data key.
    static func isSecretKey(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 253 && text != "." && text != ".."
            && text.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-._".unicodeScalars.contains($0)) }
    }

    /// Half of the hostile metadata keys go to annotations (decided by the key, so a case
    /// replays alike).
    static func r2(_ key: String) -> Bool { key.utf8.reduce(0) { $0 &+ Int($1) } % 2 == 0 }

    static func setting(_ json: JSONValue, _ path: ArraySlice<String>, to value: JSONValue) -> JSONValue {
        guard let first = path.first else { return value }
        guard case .object(var object) = json else { return json }
        object[first] = setting(object[first] ?? .object([:]), path.dropFirst(), to: value)
        return .object(object)
    }
}
