import Foundation
import RotorAPI
import RotorOperator
import SecretProviders
import Testing

/// `dataFrom[].rewrite`: keys found or extracted are renamed step by step before they are
/// written; a bad result is a condition and nothing is written.
@Suite("Planning: dataFrom rewrite")
struct KeyRewriteTests {
    static func find(_ rewrite: [ExternalSecretRewrite]) -> ExternalSecretDataFromSource {
        ExternalSecretDataFromSource(find: ExternalSecretFind(path: "shop"), rewrite: rewrite)
    }

    static func extract(_ rewrite: [ExternalSecretRewrite]) -> ExternalSecretDataFromSource {
        ExternalSecretDataFromSource(extract: ExternalSecretExtract(key: "shop/db"), rewrite: rewrite)
    }

    static func regexp(_ source: String, _ target: String) -> ExternalSecretRewrite {
        ExternalSecretRewrite(regexp: ExternalSecretRewriteRegexp(source: source, target: target))
    }

    static func transform(_ template: String) -> ExternalSecretRewrite {
        ExternalSecretRewrite(transform: ExternalSecretRewriteTransform(template: template))
    }

    static func keys(_ result: Result<[String: SecretValue], SyncFailure>) -> [String: String]? {
        guard case .success(let values) = result else { return nil }
        return values.mapValues { $0.revealedString() ?? "" }
    }

    static func failure(_ result: Result<[String: SecretValue], SyncFailure>) -> SyncFailure? {
        guard case .failure(let failure) = result else { return nil }
        return failure
    }

    @Test("a regexp removes a common path from found keys, keeping each value with its key")
    func regexpRemovesAPath() {
        let result = KeyRewrite.apply(
            Self.find([Self.regexp("^shop/(.*)$", "$1")]), index: 0,
            to: renderingValues(["shop/db-password": "p", "shop/api/token": "t"]), externalSecret: "default/db")
        #expect(Self.keys(result) == ["db-password": "p", "api_token": "t"], "a found key is made a Secret key after the rewrite")
    }

    @Test("steps apply in order, each to the names the previous one produced; a transform sees the key as {{value}}")
    func stepsChain() {
        let result = KeyRewrite.apply(
            Self.extract([Self.regexp("-", "_"), Self.transform("APP_{{uppercased(value)}}")]), index: 2,
            to: renderingValues(["db-user": "u", "db-password": "p"]), externalSecret: "default/db")
        #expect(Self.keys(result) == ["APP_DB_USER": "u", "APP_DB_PASSWORD": "p"])
    }

    @Test("two keys that become the same: a condition naming both, nothing written")
    func collisionIsRefused() throws {
        let result = KeyRewrite.apply(
            Self.find([Self.regexp("^(prod|dev)/", "")]), index: 1,
            to: renderingValues(["prod/db": renderingCanary, "dev/db": renderingCanary]), externalSecret: "default/db")
        let failure = try #require(Self.failure(result))
        #expect(failure.reason == "InvalidSpec")
        #expect(failure.message.hasPrefix("spec.dataFrom[1].rewrite: "))
        #expect(failure.message.contains(#""dev/db""#) && failure.message.contains(#""prod/db""#))
        #expect(failure.message.contains("default/db"))
        #expect(!failure.message.contains(renderingCanary))
    }

    @Test("a key that becomes invalid: InvalidKey naming the ExternalSecret, the dataFrom index and the original key")
    func invalidResultingKey() throws {
        let result = KeyRewrite.apply(
            Self.extract([Self.regexp("^", "bad key ")]), index: 3, to: renderingValues(["user": renderingCanary]),
            externalSecret: "default/db")
        let failure = try #require(Self.failure(result))
        #expect(failure.reason == "InvalidKey")
        #expect(failure.message.hasPrefix("spec.dataFrom[3].rewrite: key \"user\" becomes \"bad key user\""))
        #expect(failure.message.contains("ExternalSecret default/db"))
        #expect(!failure.isTerminal, "the provider's keys may change")
        let empty = KeyRewrite.apply(Self.find([Self.regexp(".*", "")]), index: 0, to: renderingValues(["a": "x"]), externalSecret: "default/db")
        #expect(Self.failure(empty)?.reason == "InvalidKey")
    }

    @Test("spec problems before any read: a backreference, a bad template, both or neither method, too many steps")
    func specProblems() throws {
        func problem(_ rewrite: [ExternalSecretRewrite]) -> SyncFailure? {
            KeyRewrite.specProblem(ExternalSecretSpec(secretStoreRef: SecretStoreRef(name: "s"), dataFrom: [Self.find(rewrite)]))
        }
        #expect(problem([Self.regexp("(a)\\1", "")])?.message.hasPrefix("spec.dataFrom[0].rewrite[0].regexp.source: ") == true)
        #expect(problem([Self.regexp("(a", "")])?.reason == "InvalidSpec")
        #expect(problem([Self.transform("{{#value}}")])?.message.hasPrefix("spec.dataFrom[0].rewrite[0].transform.template: ") == true)
        #expect(problem([Self.transform("{{other}}")])?.reason == "InvalidSpec")
        #expect(problem([ExternalSecretRewrite()])?.message.contains("exactly one of regexp, transform") == true)
        #expect(problem(Array(repeating: Self.regexp("a", "b"), count: 33))?.message.contains("at most 32") == true)
        let huge = try #require(problem([Self.regexp(String(repeating: "(a*)*", count: 1000), "")]))
        #expect(huge.message.contains("longer than 1024 bytes"), "a huge pattern is refused before any work")
        #expect(problem([Self.regexp("^a", "b"), Self.transform("x_{{value}}")]) == nil)
    }

    @Test("hostile: a pathological pattern over many long keys stops within its step budget with a condition")
    func hostilePatternTerminates() throws {
        var keys: [String: String] = [:]
        for index in 0..<2000 { keys[String(repeating: "a", count: 1000) + "\(index)!"] = "v" }
        let pattern = "(" + String(repeating: "(a|a?)", count: 30) + ")+$"
        let result = KeyRewrite.apply(Self.find([Self.regexp(pattern, "x")]), index: 0, to: renderingValues(keys), externalSecret: "default/db")
        let failure = try #require(Self.failure(result))
        #expect(failure.reason == "InvalidSpec")
        #expect(failure.message.contains("took more than \(KeyRewrite.stepBudget) steps"))
    }

    @Test("no rewrite: found keys are converted as before and extracted keys kept as they are")
    func withoutRewrite() {
        #expect(Self.keys(KeyRewrite.apply(Self.find([]), index: 0, to: renderingValues(["shop/db": "v"]), externalSecret: "x")) == ["shop_db": "v"])
        #expect(Self.keys(KeyRewrite.apply(Self.extract([]), index: 0, to: renderingValues(["a b": "v"]), externalSecret: "x")) == ["a b": "v"])
    }
}
