@testable import KubernetesEmulator
import JSONCore
import Testing

@Suite("Unit: label and field selectors")
struct SelectorUnitTests {
    private func matches(_ selector: String, _ labels: [String: String]) throws -> Bool {
        try LabelSelectorQuery(parsing: selector).matches(unitLabels(labels))
    }

    @Test("a label selector with = or == selects objects whose label has that value")
    func equality() throws {
        #expect(try matches("app=web", ["app": "web"]))
        #expect(try matches("app==web", ["app": "web", "tier": "front"]))
        #expect(try !matches("app=web", ["app": "db"]))
        #expect(try !matches("app=web", [:]))
    }

    @Test("a label selector with != selects objects with another value or without the label")
    func inequality() throws {
        #expect(try matches("app!=web", ["app": "db"]))
        #expect(try matches("app!=web", [:]))
        #expect(try !matches("app!=web", ["app": "web"]))
    }

    @Test("a label selector with in selects objects carrying one of the values")
    func setIn() throws {
        #expect(try matches("env in (prod,staging)", ["env": "staging"]))
        #expect(try matches("env in (prod)", ["env": "prod"]))
        #expect(try !matches("env in (prod,staging)", ["env": "dev"]))
        #expect(try !matches("env in (prod,staging)", [:]))
    }

    @Test("a label selector with notin excludes objects carrying one of the values")
    func setNotIn() throws {
        #expect(try !matches("env notin (prod,staging)", ["env": "prod"]))
        #expect(try matches("env notin (prod,staging)", ["env": "dev"]))
        #expect(try matches("env notin (prod,staging)", [:]), "an object without the label is not in the set")
    }

    @Test("a bare key selects objects having the label, !key those without it")
    func existence() throws {
        #expect(try matches("app", ["app": ""]))
        #expect(try !matches("app", ["other": "x"]))
        #expect(try matches("!app", ["other": "x"]))
        #expect(try !matches("!app", ["app": "web"]))
    }

    @Test("comma-separated requirements must all hold")
    func conjunction() throws {
        let selector = "app=web,env notin (dev),!legacy,tier"
        #expect(try matches(selector, ["app": "web", "env": "prod", "tier": "front"]))
        #expect(try !matches(selector, ["app": "web", "env": "prod", "tier": "front", "legacy": "true"]))
        #expect(try !matches(selector, ["app": "web", "env": "dev", "tier": "front"]))
        #expect(try !matches(selector, ["app": "web", "env": "prod"]))
    }

    @Test("spaces around operators, commas and set values are ignored")
    func spaces() throws {
        let selector = "  app = web ,  env in ( prod , staging ) , ! legacy  "
        let query = try LabelSelectorQuery(parsing: selector)
        #expect(query.requirements.count == 3)
        #expect(query.matches(unitLabels(["app": "web", "env": "staging"])))
        #expect(!query.matches(unitLabels(["app": "web", "env": "dev"])))
    }

    @Test("keys with a DNS prefix and dotted values are accepted")
    func prefixedKeys() throws {
        #expect(try matches("app.kubernetes.io/name=my.app-1", ["app.kubernetes.io/name": "my.app-1"]))
        #expect(try matches("rotor.dev/managed", ["rotor.dev/managed": "true"]))
    }

    @Test("an empty selector selects everything, also objects without labels")
    func emptySelector() throws {
        let query = try LabelSelectorQuery(parsing: "")
        #expect(query.isEmpty)
        #expect(query.matches(object: ["metadata": ["name": "x"]]))
        let spaces = try LabelSelectorQuery(parsing: "   ")
        #expect(spaces.isEmpty)
    }

    @Test("matching an object reads its metadata.labels")
    func matchesObject() throws {
        let query = try LabelSelectorQuery(parsing: "app=web")
        #expect(query.matches(object: ["metadata": ["labels": ["app": "web"]]]))
        #expect(!query.matches(object: ["metadata": ["name": "x"]]))
        #expect(!query.matches(object: ["spec": ["app": "web"]]))
    }

    @Test(
        "a label selector with bad syntax is refused with 400",
        arguments: [
            "app=web extra", "app in prod", "app in (prod", "app in (a b)", "!", "=web", "app >< web", "app=web;env=prod",
            ",app", "app,,env", "app,",
        ])
    func badSyntax(selector: String) {
        let error = unitAPIError { _ = try LabelSelectorQuery(parsing: selector) }
        #expect(error?.httpCode == 400, "\(selector)")
        #expect(error?.status.reason == "BadRequest")
        // A bad requirement is "unable to parse requirement: …"; a bad separator between
        // requirements is reported by itself, as kube-apiserver does ("found ',', expected: …").
        let message = error?.status.message ?? ""
        #expect(message.hasPrefix("unable to parse requirement: ") || message.hasPrefix("found '"), "\(selector): \(message)")
    }

    @Test("label selector errors name the token found and what was expected, as kube-apiserver does")
    func syntaxWording() {
        let expected: [(String, String)] = [
            ("a in (b", "unable to parse requirement: found '', expected: ',' or ')'"),
            ("w in (", "unable to parse requirement: found '', expected: ',', ')' or identifier"),
            ("app,", "found '', expected: identifier after ','"),
            (",app", "found ',', expected: !, identifier, or 'end of string'"),
            ("a=b c", "found 'c', expected: ',' or 'end of string'"),
            ("a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"),
            ("a=b;c", "unable to parse requirement: values[0][a]: Invalid value: \"b;c\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"),
        ]
        for (selector, message) in expected {
            #expect(unitAPIError { _ = try LabelSelectorQuery(parsing: selector) }?.status.message == message, "\(selector)")
        }
    }

    @Test("gt and lt compare integer label values")
    func greaterAndLessThan() throws {
        #expect(try matches("size>2", ["size": "3"]))
        #expect(try !matches("size>2", ["size": "2"]))
        #expect(try matches("size<2", ["size": "1"]))
        #expect(try !matches("size<2", ["size": "x"]))
        #expect(try !matches("size<2", [:]))
    }

    // MARK: Field selectors

    private var secrets: ResourceDescriptor { ResourceRegistry.builtin().lookup(group: "", version: "v1", plural: "secrets")! }
    private var events: ResourceDescriptor { ResourceRegistry.builtin().lookup(group: "", version: "v1", plural: "events")! }

    private let secret: JSONObject = [
        "metadata": ["name": "db", "namespace": "shop"], "type": "kubernetes.io/tls",
    ]

    @Test("a field selector on metadata.name and metadata.namespace selects by name and namespace")
    func fieldNameAndNamespace() throws {
        #expect(try FieldSelectorQuery(parsing: "metadata.name=db", resource: secrets).matches(object: secret))
        #expect(try FieldSelectorQuery(parsing: "metadata.name==db", resource: secrets).matches(object: secret))
        #expect(try !FieldSelectorQuery(parsing: "metadata.name=web", resource: secrets).matches(object: secret))
        #expect(try FieldSelectorQuery(parsing: "metadata.namespace=shop", resource: secrets).matches(object: secret))
        #expect(try !FieldSelectorQuery(parsing: "metadata.namespace=default", resource: secrets).matches(object: secret))
        #expect(try FieldSelectorQuery(parsing: "metadata.name=db,metadata.namespace=shop", resource: secrets).matches(object: secret))
        #expect(try !FieldSelectorQuery(parsing: "metadata.name=db,metadata.namespace=other", resource: secrets).matches(object: secret))
    }

    @Test("a field selector with != excludes the objects with that value")
    func fieldNegation() throws {
        #expect(try !FieldSelectorQuery(parsing: "metadata.name!=db", resource: secrets).matches(object: secret))
        #expect(try FieldSelectorQuery(parsing: "metadata.name!=web", resource: secrets).matches(object: secret))
        #expect(try FieldSelectorQuery(parsing: "type!=Opaque", resource: secrets).matches(object: secret))
    }

    @Test("resource-specific field selectors (secret type, event involvedObject) are supported")
    func resourceSpecificFields() throws {
        #expect(try FieldSelectorQuery(parsing: "type=kubernetes.io/tls", resource: secrets).matches(object: secret))
        #expect(try !FieldSelectorQuery(parsing: "type=Opaque", resource: secrets).matches(object: secret))
        let event: JSONObject = [
            "metadata": ["name": "e1", "namespace": "shop"],
            "involvedObject": ["kind": "Pod", "name": "web-0"], "reason": "BackOff", "source": ["component": "kubelet"],
        ]
        #expect(try FieldSelectorQuery(parsing: "involvedObject.kind=Pod,involvedObject.name=web-0", resource: events).matches(object: event))
        #expect(try FieldSelectorQuery(parsing: "source=kubelet", resource: events).matches(object: event))
        #expect(try !FieldSelectorQuery(parsing: "reason=Started", resource: events).matches(object: event))
    }

    @Test("a field selector on an absent field matches the empty value")
    func absentFieldIsEmpty() throws {
        let untyped: JSONObject = ["metadata": ["name": "x"]]
        #expect(try FieldSelectorQuery(parsing: "type=", resource: secrets).matches(object: untyped))
        #expect(try !FieldSelectorQuery(parsing: "type=Opaque", resource: secrets).matches(object: untyped))
    }

    @Test("a field selector on a field the resource does not support is refused with 400")
    func unsupportedField() {
        let error = unitAPIError { _ = try FieldSelectorQuery(parsing: "spec.nodeName=n1", resource: secrets) }
        #expect(error?.httpCode == 400)
        #expect(error?.status.message == "field label not supported: spec.nodeName")
        // A field of another resource is not accepted either.
        #expect(unitAPIErrorCode { _ = try FieldSelectorQuery(parsing: "involvedObject.kind=Pod", resource: secrets) } == 400)
    }

    @Test("a field selector term without an operator is refused with 400")
    func fieldWithoutOperator() {
        #expect(unitAPIErrorCode { _ = try FieldSelectorQuery(parsing: "metadata.name", resource: secrets) } == 400)
    }

    @Test("a field selector that pins metadata.name exposes that name, a negated one does not")
    func pinnedName() throws {
        #expect(try FieldSelectorQuery(parsing: "metadata.name=db", resource: secrets).pinnedName == "db")
        #expect(try FieldSelectorQuery(parsing: "metadata.name!=db", resource: secrets).pinnedName == nil)
        #expect(try FieldSelectorQuery(parsing: " metadata.namespace = shop ", resource: secrets).pinnedName == nil)
        #expect(try FieldSelectorQuery(parsing: "", resource: secrets).isEmpty)
    }
}
