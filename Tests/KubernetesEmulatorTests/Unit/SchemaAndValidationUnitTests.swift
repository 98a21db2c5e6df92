@testable import KubernetesEmulator
import JSONCore
import KubeAPI
import Testing

@Suite("Unit: CRD structural schemas")
struct StructuralSchemaUnitTests {
    private let schema = StructuralSchema(
        unitJSON(
            #"""
            {"type":"object","required":["spec"],
             "properties":{
               "spec":{"type":"object","required":["size"],
                 "properties":{
                   "size":{"type":"integer","minimum":1,"maximum":10},
                   "ratio":{"type":"number","minimum":0,"exclusiveMaximum":true,"maximum":1},
                   "color":{"type":"string","enum":["red","blue"],"default":"red"},
                   "name":{"type":"string","pattern":"^[a-z]+$","minLength":2,"maxLength":5},
                   "tags":{"type":"array","minItems":1,"maxItems":2,"items":{"type":"string"}},
                   "port":{"x-kubernetes-int-or-string":true},
                   "note":{"type":"string","nullable":true},
                   "owner":{"type":"string"},
                   "enabled":{"type":"boolean"},
                   "limits":{"type":"object","properties":{"cpu":{"type":"string","default":"100m"}}},
                   "items":{"type":"array","items":{"type":"object","properties":{"name":{"type":"string"},"weight":{"type":"integer","default":1}}}},
                   "labels":{"type":"object","additionalProperties":{"type":"string"}},
                   "raw":{"type":"object","x-kubernetes-preserve-unknown-fields":true},
                   "open":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"known":{"type":"string"}}}
                 }},
               "status":{"type":"object","properties":{"phase":{"type":"string","default":"Pending"}}}
             }}
            """#))

    private func messages(_ spec: String) -> [String: [String]] {
        let object = unitJSON(#"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":"# + spec + "}")
        var result: [String: [String]] = [:]
        for cause in schema.validate(object) { result[cause.field ?? "", default: []].append(cause.message ?? "") }
        return result
    }

    @Test("defaults fill absent members under present parents only")
    func defaultsUnderPresentParents() {
        let defaulted = schema.applyDefaults(unitJSON(#"{"spec":{"size":1,"limits":{},"items":[{"name":"a"},{"name":"b","weight":5}]}}"#))
        #expect(defaulted[path: ["spec", "color"]] == "red")
        #expect(defaulted[path: ["spec", "limits", "cpu"]] == "100m", "a present empty parent gets its children's defaults")
        #expect(defaulted[path: ["spec", "items"]] == unitJSON(#"[{"name":"a","weight":1},{"name":"b","weight":5}]"#), "array items are defaulted")
        #expect(defaulted["status"] == nil, "an absent parent is not created to hold defaults")
        #expect(defaulted[path: ["spec", "owner"]] == nil)
    }

    @Test("a default never overrides a value that is set")
    func defaultsKeepValues() {
        let defaulted = schema.applyDefaults(unitJSON(#"{"spec":{"size":1,"color":"blue"},"status":{"phase":"Ready"}}"#))
        #expect(defaulted[path: ["spec", "color"]] == "blue")
        #expect(defaulted[path: ["status", "phase"]] == "Ready")
    }

    @Test("pruning drops undeclared fields and reports their paths")
    func pruning() {
        var value = unitJSON(#"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w","x":1},"spec":{"size":1,"bogus":true,"limits":{"cpu":"1","gpu":"2"},"items":[{"name":"a","extra":1}]},"top":1}"#)
        let dropped = schema.prune(&value)
        #expect(Set(dropped) == ["spec.bogus", "spec.limits.gpu", "spec.items[0].extra", "top"])
        #expect(value == unitJSON(#"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w","x":1},"spec":{"size":1,"limits":{"cpu":"1"},"items":[{"name":"a"}]}}"#))
    }

    @Test("pruning keeps everything under x-kubernetes-preserve-unknown-fields and additionalProperties")
    func pruningPreserves() {
        var value = unitJSON(#"{"spec":{"size":1,"raw":{"any":{"deep":[1,2]}},"open":{"known":"k","unknown":{"u":1}},"labels":{"free":"form"}}}"#)
        let original = value
        #expect(schema.prune(&value).isEmpty)
        #expect(value == original)
    }

    @Test("a valid object has no validation errors")
    func validObject() {
        #expect(messages(#"{"size":5,"color":"blue","name":"abc","tags":["x"],"port":"http","note":null,"ratio":0.5}"#).isEmpty)
        #expect(messages(#"{"size":1,"port":8080}"#).isEmpty)
        #expect(messages(#"{"size":10}"#).isEmpty, "maximum is inclusive")
    }

    @Test("a value of the wrong type is reported with the expected type")
    func typeMismatch() {
        let m = messages(#"{"size":"big","enabled":"yes","tags":"x","limits":[]}"#)
        #expect(m["spec.size"] == [#"Invalid value: "string": spec.size in body must be of type integer: "string""#])
        #expect(m["spec.enabled"] == [#"Invalid value: "string": spec.enabled in body must be of type boolean: "string""#])
        #expect(m["spec.tags"] == [#"Invalid value: "string": spec.tags in body must be of type array: "string""#])
        #expect(m["spec.limits"] == [#"Invalid value: "array": spec.limits in body must be of type object: "array""#])
        #expect(messages(#"{"size":2.5}"#)["spec.size"]?.first?.contains("must be of type integer") == true)
        #expect(messages(#"{"size":2.0}"#)["spec.size"] == nil, "an integral number is an integer")
    }

    @Test("a value outside an enum is an Unsupported value listing the supported ones")
    func enumValues() {
        #expect(messages(#"{"size":1,"color":"green"}"#)["spec.color"] == [#"Unsupported value: "green": supported values: "red", "blue""#])
    }

    @Test("a missing required member is a Required value at its path")
    func required() {
        #expect(messages(#"{"color":"red"}"#)["spec.size"] == ["Required value"])
        let object = unitJSON(#"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"}}"#)
        #expect(schema.validate(object).map(\.field) == ["spec"])
    }

    @Test("a string not matching the pattern, or of the wrong length, is reported")
    func stringConstraints() {
        #expect(messages(#"{"size":1,"name":"ABC"}"#)["spec.name"] == [#"Invalid value: "ABC": spec.name in body should match '^[a-z]+$'"#])
        #expect(messages(#"{"size":1,"name":"a"}"#)["spec.name"] == [#"Invalid value: "a": spec.name in body should be at least 2 chars long"#])
        #expect(messages(#"{"size":1,"name":"abcdef"}"#)["spec.name"] == ["Too long: may not be more than 5 bytes"])
    }

    @Test("numbers outside minimum and maximum are reported, exclusive bounds exclude the bound")
    func numericBounds() {
        #expect(messages(#"{"size":0}"#)["spec.size"] == ["Invalid value: 0: spec.size in body should be greater than or equal to 1"])
        #expect(messages(#"{"size":11}"#)["spec.size"] == ["Invalid value: 11: spec.size in body should be less than or equal to 10"])
        #expect(messages(#"{"size":1,"ratio":1}"#)["spec.ratio"] == ["Invalid value: 1: spec.ratio in body should be less than 1"])
        #expect(messages(#"{"size":1,"ratio":-0.5}"#)["spec.ratio"] == ["Invalid value: -0.5: spec.ratio in body should be greater than or equal to 0"])
    }

    @Test("arrays with too few or too many items are reported, and items are validated")
    func arrayBounds() {
        #expect(messages(#"{"size":1,"tags":[]}"#)["spec.tags"] == ["Invalid value: 0: spec.tags in body should have at least 1 items"])
        #expect(messages(#"{"size":1,"tags":["a","b","c"]}"#)["spec.tags"] == ["Too many: 3: must have at most 2 items"])
        #expect(messages(#"{"size":1,"tags":["a",2]}"#)["spec.tags[1]"]?.first?.contains("must be of type string") == true)
    }

    @Test("null is accepted only where the schema is nullable")
    func nullable() {
        #expect(messages(#"{"size":1,"note":null}"#)["spec.note"] == nil)
        #expect(messages(#"{"size":1,"owner":null}"#)["spec.owner"] == [#"Invalid value: "null": spec.owner in body must be of type string: "null""#])
    }

    @Test("x-kubernetes-int-or-string accepts integers and strings only")
    func intOrString() {
        #expect(messages(#"{"size":1,"port":80}"#)["spec.port"] == nil)
        #expect(messages(#"{"size":1,"port":"http"}"#)["spec.port"] == nil)
        #expect(messages(#"{"size":1,"port":true}"#)["spec.port"] == [#"Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean""#])
    }

    @Test("additionalProperties schemas validate every map value")
    func additionalProperties() {
        #expect(messages(#"{"size":1,"labels":{"a":"x","b":1}}"#)["spec.labels.b"]?.first?.contains("must be of type string") == true)
    }

    @Test("the custom resource strategy defaults, prunes, and then validates")
    func strategyPipeline() throws {
        let strategy = CustomResourceStrategy(schema: schema)
        var object: JSONObject = ["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": "w"], "spec": ["size": 3, "junk": 1]]
        var unknown: [String] = []
        let causes = try strategy.validate(&object, old: nil, unknownFields: &unknown)
        #expect(causes.isEmpty)
        #expect(unknown == ["spec.junk"])
        #expect(object.value(at: ["spec"]) == ["size": 3, "color": "red"])
    }
}

@Suite("Unit: object name and label validation")
struct ObjectValidationUnitTests {
    @Test("DNS labels are lower-case alphanumerics and dashes, at most 63, alphanumeric at both ends")
    func dnsLabels() {
        for ok in ["a", "my-name", "123-abc", "a1", String(repeating: "a", count: 63)] {
            #expect(ObjectValidation.dnsLabelProblem(ok) == nil, "\(ok)")
        }
        for bad in ["", "-a", "a-", "My-Name", "a.b", "a_b", String(repeating: "a", count: 64)] {
            #expect(ObjectValidation.dnsLabelProblem(bad) != nil, "\(bad)")
        }
    }

    @Test("DNS subdomains are dot-separated DNS labels of at most 253 characters")
    func dnsSubdomains() {
        for ok in ["example.com", "a", "my-app.v1", "0.1.2"] {
            #expect(ObjectValidation.dnsSubdomainProblem(ok) == nil, "\(ok)")
        }
        let long = Array(repeating: String(repeating: "a", count: 50), count: 6).joined(separator: ".")  // 305 characters
        for bad in ["", ".a", "a.", "a..b", "A.com", "a_b.com", "-a.com", "a-.com", long] {
            #expect(ObjectValidation.dnsSubdomainProblem(bad) != nil, "\(bad)")
        }
    }

    @Test("label keys may carry a DNS subdomain prefix before a slash")
    func qualifiedNames() {
        for ok in ["app", "App_Name.1", "app.kubernetes.io/name", "rotor.dev/managed-by", "a/b", String(repeating: "x", count: 63)] {
            #expect(ObjectValidation.qualifiedNameProblem(ok) == nil, "\(ok)")
        }
        for bad in ["", "/name", "Example.com/name", "a/b/c", "prefix/", "-app", "app-", "a b", "a/_x", String(repeating: "x", count: 64)] {
            #expect(ObjectValidation.qualifiedNameProblem(bad) != nil, "\(bad)")
        }
        #expect(ObjectValidation.qualifiedNameProblem("Bad_Prefix/name")?.hasPrefix("prefix part") == true)
    }

    @Test("label values may be empty or alphanumeric with - _ . inside, at most 63 characters")
    func labelValues() {
        for ok in ["", "v1", "my_value", "My.Value-2", String(repeating: "v", count: 63)] {
            #expect(ObjectValidation.labelValueProblem(ok) == nil, "\(ok)")
        }
        for bad in ["-v", "v-", "_v", "a/b", "a b", String(repeating: "v", count: 64)] {
            #expect(ObjectValidation.labelValueProblem(bad) != nil, "\(bad)")
        }
    }

    @Test("Secret and ConfigMap keys are [-._a-zA-Z0-9]+ but not . or ..")
    func configKeys() {
        for ok in ["key.name", "KEY_NAME", "key-name", ".env", "tls.crt", "a..b"] {
            #expect(ObjectValidation.configKeyProblem(ok) == nil, "\(ok)")
        }
        for bad in ["", ".", "..", "a/b", "a b", "ключ", String(repeating: "k", count: 254)] {
            #expect(ObjectValidation.configKeyProblem(bad) != nil, "\(bad)")
        }
    }

    @Test("metadata validation names the bad name, label key and label value fields")
    func metadataCauses() {
        let secrets = ResourceRegistry.builtin().lookup(group: "", version: "v1", plural: "secrets")!
        let namespaces = ResourceRegistry.builtin().lookup(group: "", version: "v1", plural: "namespaces")!
        var unknown: [String] = []
        let object: JSONObject = ["metadata": ["name": "Bad", "labels": ["ok": "fine", "bad key": "x", "k": "-v"], "color": "red"]]
        let causes = ObjectValidation.validateMetadata(object, resource: secrets, unknownFields: &unknown)
        #expect(causes.map(\.field) == ["metadata.name", "metadata.labels", "metadata.labels"])
        #expect(causes[0].message?.hasPrefix(#"Invalid value: "Bad": a lowercase RFC 1123 subdomain"#) == true)
        #expect(unknown == ["metadata.color"])
        // Namespaces must be DNS labels, other objects DNS subdomains.
        let dotted: JSONObject = ["metadata": ["name": "a.b"]]
        #expect(ObjectValidation.validateMetadata(dotted, resource: secrets, unknownFields: &unknown).isEmpty)
        #expect(ObjectValidation.validateMetadata(dotted, resource: namespaces, unknownFields: &unknown).map(\.field) == ["metadata.name"])
    }

    @Test("owner references need apiVersion, kind, name and uid, and at most one controller")
    func ownerReferences() {
        let secrets = ResourceRegistry.builtin().lookup(group: "", version: "v1", plural: "secrets")!
        var unknown: [String] = []
        let object: JSONObject = [
            "metadata": [
                "name": "s",
                "ownerReferences": [
                    ["apiVersion": "v1", "kind": "ConfigMap", "name": "a", "uid": "1", "controller": true],
                    ["apiVersion": "v1", "kind": "ConfigMap", "name": "b", "controller": true],
                ],
            ]
        ]
        let causes = ObjectValidation.validateMetadata(object, resource: secrets, unknownFields: &unknown)
        // As kube-apiserver names them: the member without the reference's index.
        #expect(causes.map(\.field) == ["metadata.ownerReferences.uid", "metadata.ownerReferences"])
        #expect(causes.first?.message == "Invalid value: \"\": uid must not be empty")
        #expect(causes.last?.message?.hasPrefix("Invalid value: []v1.OwnerReference{v1.OwnerReference{APIVersion:\"v1\", Kind:\"ConfigMap\", Name:\"a\", UID:\"1\", Controller:(*bool)(0x") == true)
        #expect(causes.last?.message?.hasSuffix("Only one reference can have Controller set to true. Found \"true\" in references for ConfigMap/a and ConfigMap/b") == true)
    }
}
