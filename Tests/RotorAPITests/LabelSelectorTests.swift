import Foundation
import JSONCore
import KubeAPI
import Testing

@Suite("Label selectors")
struct LabelSelectorTests {
    let web = ["app": "web", "tier": "frontend", "canary": "true"]
    let db = ["app": "db", "tier": "backend"]

    @Test("an empty selector selects everything")
    func emptySelectsAll() {
        #expect(LabelSelector().matches(web))
        #expect(LabelSelector(matchLabels: [:], matchExpressions: []).matches([:]))
        #expect(LabelSelector().isEmpty)
    }

    @Test("matchLabels requires every label with exactly that value")
    func matchLabels() {
        let selector = LabelSelector(matchLabels: ["app": "web", "tier": "frontend"])
        #expect(selector.matches(web))
        #expect(!selector.matches(db))
        #expect(!selector.matches(["app": "web"]))
        #expect(!selector.matches(["app": "Web", "tier": "frontend"]))
    }

    @Test("In selects objects whose label has one of the values")
    func inOperator() {
        let selector = LabelSelector(matchExpressions: [.init(key: "tier", operator: .in, values: ["frontend", "edge"])])
        #expect(selector.matches(web))
        #expect(!selector.matches(db))
        #expect(!selector.matches(["app": "web"]))
    }

    @Test("NotIn selects objects without the label or with another value")
    func notInOperator() {
        let selector = LabelSelector(matchExpressions: [.init(key: "tier", operator: .notIn, values: ["backend"])])
        #expect(selector.matches(web))
        #expect(!selector.matches(db))
        #expect(selector.matches(["app": "web"]))
    }

    @Test("Exists and DoesNotExist look only at the key")
    func existenceOperators() {
        #expect(LabelSelector(matchExpressions: [.init(key: "canary", operator: .exists)]).matches(web))
        #expect(!LabelSelector(matchExpressions: [.init(key: "canary", operator: .exists)]).matches(db))
        #expect(LabelSelector(matchExpressions: [.init(key: "canary", operator: .doesNotExist)]).matches(db))
        #expect(!LabelSelector(matchExpressions: [.init(key: "canary", operator: .doesNotExist)]).matches(web))
        #expect(LabelSelector(matchExpressions: [.init(key: "canary", operator: .exists)]).matches(["canary": ""]))
    }

    @Test("matchLabels and matchExpressions must all hold")
    func combined() {
        let selector = LabelSelector(
            matchLabels: ["app": "web"],
            matchExpressions: [.init(key: "tier", operator: .in, values: ["frontend"]), .init(key: "legacy", operator: .doesNotExist)])
        #expect(selector.matches(web))
        #expect(!selector.matches(web.merging(["legacy": "yes"]) { a, _ in a }))
        #expect(!selector.matches(db))
    }

    @Test("an operator Kubernetes does not know selects nothing")
    func unknownOperator() {
        let selector = LabelSelector(matchExpressions: [.init(key: "app", operator: "Contains", values: ["we"])])
        #expect(!selector.matches(web))
        #expect(selector.queryString == nil)
    }

    @Test("prints as the labelSelector query syntax, sorted by key")
    func queryString() {
        let selector = LabelSelector(
            matchLabels: ["tier": "frontend", "app": "web"],
            matchExpressions: [
                .init(key: "env", operator: .notIn, values: ["prod", "dev"]), .init(key: "canary", operator: .exists),
                .init(key: "legacy", operator: .doesNotExist), .init(key: "zone", operator: .in, values: ["b", "a"]),
            ])
        #expect(selector.queryString == "app=web,canary,env notin (dev,prod),!legacy,tier=frontend,zone in (a,b)")
        #expect(LabelSelector().queryString == "")
    }

    @Test("decodes from the API's JSON, operator included")
    func decodes() throws {
        let selector = try KubeJSON.decoder.decode(
            LabelSelector.self,
            from: Data(#"{"matchLabels":{"app":"web"},"matchExpressions":[{"key":"tier","operator":"In","values":["frontend"]}]}"#.utf8))
        #expect(selector.matchExpressions?.first?.operator == .in)
        #expect(selector.matches(web))
        #expect(try JSONValue(encoding: selector)[path: ["matchExpressions"]]?.arrayValue?.first?["operator"] == "In")
    }
}
