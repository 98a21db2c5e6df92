import Foundation
import JSONCore
import KubeAPI
import RotorAPI
import RotorOperator
import Testing
import VaultProvider

@Suite("Rotor CRDs")
struct RotorCRDTests {
    @Test("every schema level has a type and no oneOf/anyOf, so the schemas are structural")
    func schemasAreStructural() throws {
        for definition in RotorCRDs.shipped {
            let schema = try #require(
                definition.object[path: ["spec", "versions"]]?.arrayValue?.first?[path: ["schema", "openAPIV3Schema"]])
            let problems = structuralProblems(schema, at: definition.name)
            #expect(problems.isEmpty, "\(problems)")
        }
    }

    @Test("the CRDs decode as CustomResourceDefinitions with status subresource, names and category")
    func crdsDecode() throws {
        let expected: [(String, String, ResourceScope)] = [
            ("ExternalSecret", "es", .namespaced), ("SecretStore", "ss", .namespaced),
            ("ClusterSecretStore", "css", .cluster),
        ]
        for (definition, (kind, shortName, scope)) in zip(RotorCRDs.shipped, expected) {
            let crd: CustomResourceDefinition = try definition.object.decode()
            #expect(crd.metadata.name == definition.name)
            #expect(crd.spec.group == "rotor.dev")
            #expect(crd.spec.names.kind == kind)
            #expect(crd.spec.names.shortNames == [shortName])
            #expect(crd.spec.names.categories == ["rotor"])
            #expect(crd.spec.scope == scope)
            let version = try #require(crd.storageVersion)
            #expect(version.name == "v1alpha1" && version.served)
            #expect(version.subresources?.status == [:])
            #expect(crd.resourceType(version: "v1alpha1") == RotorResourceTypes.all.first { $0.kind == kind })
            #expect(version.schema?.openAPIV3Schema?.required == ["spec"])
        }
    }

    @Test("kubectl get shows the documented printer columns")
    func printerColumns() throws {
        func columns(_ definition: RotorCRDs.Definition) throws -> [CustomResourceColumnDefinition] {
            let crd: CustomResourceDefinition = try definition.object.decode()
            return crd.storageVersion?.additionalPrinterColumns ?? []
        }
        let ready = #".status.conditions[?(@.type=="Ready")]"#
        let es = try columns(RotorCRDs.externalSecret)
        #expect(es.map { $0.name.uppercased() } == ["STORE", "REFRESH", "STATUS", "READY", "ROTATION", "AGE"])
        #expect(es.map(\.jsonPath) == [
            ".spec.secretStoreRef.name", ".spec.refreshInterval", "\(ready).reason", "\(ready).status",
            ".status.rotation.phase", ".metadata.creationTimestamp",
        ])
        #expect(es.last?.type == "date")
        for store in [RotorCRDs.shipped[1], RotorCRDs.shipped[2]] {
            let c = try columns(store)
            #expect(c.map { $0.name.uppercased() } == ["AGE", "STATUS", "CAPABILITIES", "READY"])
            #expect(c.map(\.jsonPath) == [
                ".metadata.creationTimestamp", "\(ready).reason", ".status.capabilities", "\(ready).status",
            ])
        }
    }

    @Test("enums, defaults, required fields and the one-provider rule are in the schema")
    func schemaDetails() throws {
        let es = try #require(RotorCRDs.externalSecret.object[path: ["spec", "versions"]]?.arrayValue?.first)
        let spec = try #require(es[path: ["schema", "openAPIV3Schema", "properties", "spec"]])
        #expect(spec["required"] == ["secretStoreRef"])
        #expect(spec[path: ["properties", "refreshInterval", "default"]] == "1h")
        #expect(spec[path: ["properties", "refreshPolicy", "enum"]] == ["Periodic", "OnChange", "CreatedOnce"])
        #expect(spec[path: ["properties", "target", "properties", "creationPolicy", "enum"]] == ["Owner", "Merge", "Orphan"])
        #expect(spec[path: ["properties", "rotation", "properties", "previousSuffix", "default"]] == "_previous")
        #expect(spec[path: ["properties", "secretStoreRef", "properties", "kind", "enum"]] == ["SecretStore", "ClusterSecretStore"])
        #expect(spec[path: ["properties", "secretStoreRef", "properties", "name", "description"]] != nil)

        let ss = try #require(RotorCRDs.shipped[1].object[path: ["spec", "versions"]]?.arrayValue?.first)
        let provider = try #require(ss[path: ["schema", "openAPIV3Schema", "properties", "spec", "properties", "provider"]])
        let rule = provider["x-kubernetes-validations"]?.arrayValue?.first?["rule"]?.stringValue ?? ""
        #expect(rule.contains("has(self.vault)") && rule.contains("has(self.aws)") && rule.contains("has(self.fake)"))
        #expect(provider[path: ["properties", "vault", "properties", "version", "default"]] == "v2")
        #expect(provider[path: ["properties", "vault", "required"]] == ["server", "auth"])
        let css = try #require(RotorCRDs.shipped[2].object[path: ["spec", "versions"]]?.arrayValue?.first)
        #expect(css[path: ["schema", "openAPIV3Schema", "properties", "spec", "properties", "conditions", "type"]] == "array")
        #expect(ss[path: ["schema", "openAPIV3Schema", "properties", "spec", "properties", "conditions"]] == nil)
    }

    @Test("dataFrom[].rewrite is in the schema: a list of steps, each exactly one of regexp {source, target} or transform {template}")
    func rewriteSchema() throws {
        let es = try #require(RotorCRDs.externalSecret.object[path: ["spec", "versions"]]?.arrayValue?.first)
        let source = try #require(es[path: ["schema", "openAPIV3Schema", "properties", "spec", "properties", "dataFrom", "items"]])
        let rewrite = try #require(source[path: ["properties", "rewrite"]])
        #expect(rewrite["type"] == "array")
        let step = try #require(rewrite["items"])
        let rule = step["x-kubernetes-validations"]?.arrayValue?.first?["rule"]?.stringValue ?? ""
        #expect(rule.contains("has(self.regexp)") && rule.contains("has(self.transform)") && rule.hasSuffix("== 1"))
        #expect(step[path: ["properties", "regexp", "required"]] == ["source", "target"])
        #expect(step[path: ["properties", "transform", "required"]] == ["template"])
        #expect(es[path: ["schema", "openAPIV3Schema", "properties", "spec", "properties", "target", "properties", "template", "properties", "type", "description"]]?
            .stringValue?.contains("the keys the type requires") == true)
    }

    @Test("an ExternalSecret with rewrite steps decodes and encodes them unchanged")
    func rewriteRoundTrip() throws {
        let json = #"{"secretStoreRef":{"name":"s"},"dataFrom":[{"find":{"path":"shop"},"rewrite":[{"regexp":{"source":"^shop/(.*)","target":"$1"}},{"transform":{"template":"APP_{{uppercased(value)}}"}}]}]}"#
        let spec = try JSONValue(parsing: json).decode(as: ExternalSecretSpec.self)
        let steps = try #require(spec.dataFrom?.first?.rewrite)
        #expect(steps.count == 2)
        #expect(steps[0].regexp == ExternalSecretRewriteRegexp(source: "^shop/(.*)", target: "$1"))
        #expect(steps[1].transform?.template == "APP_{{uppercased(value)}}")
        #expect(try JSONValue(encoding: spec) == JSONValue(parsing: json))
    }

    /// The committed files are compared as text with a fresh rendering by the same pure
    /// emitter `rotor crds` uses: RotorAPITests has no YAML parser, and byte equality is
    /// the stricter check (`git diff` after regenerating shows nothing either).
    @Test("a store's provider blocks carry each provider's own schema; without the providers they are kept unchecked")
    func providerBlocksComeFromTheProviders() throws {
        func block(_ definition: RotorCRDs.Definition, _ kind: String) throws -> JSONValue {
            let version = try #require(definition.object[path: ["spec", "versions"]]?.arrayValue?.first)
            return try #require(version[path: ["schema", "openAPIV3Schema", "properties", "spec", "properties", "provider", "properties", kind]])
        }
        for store in [RotorCRDs.shipped[1], RotorCRDs.shipped[2]] {
            #expect(try block(store, "vault") == VaultStoreConfig.openAPISchema.described("HashiCorp Vault (KV v1 or v2)."))
        }
        for store in [RotorCRDs.all[1], RotorCRDs.all[2]] {
            for kind in SecretStoreProvider.kinds {
                let unchecked = try block(store, kind)
                #expect(unchecked["x-kubernetes-preserve-unknown-fields"] == true)
                #expect(unchecked["properties"] == nil)
            }
        }
    }

    @Test("the committed manifests/crds files are what the Swift types generate")
    func committedManifestsAreCurrent() throws {
        let directory = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("manifests/crds")
        let committed = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".yaml") }
        #expect(Set(committed) == Set(RotorCRDs.shipped.map(\.fileName)))
        for definition in RotorCRDs.shipped {
            let text = try String(contentsOf: directory.appendingPathComponent(definition.fileName), encoding: .utf8)
            #expect(
                text == definition.yaml,
                "\(definition.fileName) is stale: run `swift run rotor crds --output-dir manifests/crds`")
        }
    }

    @Test("the YAML emitter quotes what would be misread and sorts keys")
    func yamlEmitter() {
        let value: JSONValue = [
            "b": ["true", "1h", "a: b", "", "0", ".status.x", "- x"], "a": ["k": 1, "e": [:], "l": []],
            "c": [["x": 1, "y": ["z": false]]],
        ]
        #expect(YAMLEmitter.render(value) == """
            a:
              e: {}
              k: 1
              l: []
            b:
            - "true"
            - "1h"
            - "a: b"
            - ""
            - "0"
            - .status.x
            - "- x"
            c:
            - x: 1
              "y":
                z: false

            """)
        #expect(RotorCRDs.shippedYAML == RotorCRDs.shipped.map(\.yaml).joined())
        #expect(RotorCRDs.shippedYAML.components(separatedBy: "---\n").count == 6, "five CRDs")
    }
}

/// Where `schema` breaks the structural-schema rules the API server enforces: a level
/// without `type` (unless it preserves unknown fields), or `oneOf`/`anyOf`/`allOf`/`not`.
private func structuralProblems(_ schema: JSONValue, at path: String) -> [String] {
    var problems: [String] = []
    if schema["type"]?.stringValue == nil && schema["x-kubernetes-preserve-unknown-fields"] != true {
        problems.append("\(path): no type")
    }
    for keyword in ["oneOf", "anyOf", "allOf", "not"] where schema[keyword] != nil {
        problems.append("\(path): \(keyword)")
    }
    if schema["description"] == nil && !path.hasSuffix("[]") && !path.hasSuffix(".metadata") && !path.hasSuffix("{}") {
        problems.append("\(path): no description")
    }
    for (name, property) in schema["properties"]?.objectValue ?? [:] {
        problems += structuralProblems(property, at: "\(path).\(name)")
    }
    if let items = schema["items"] { problems += structuralProblems(items, at: "\(path)[]") }
    if let additional = schema["additionalProperties"], additional.objectValue != nil {
        problems += structuralProblems(additional, at: "\(path){}")
    }
    return problems
}
