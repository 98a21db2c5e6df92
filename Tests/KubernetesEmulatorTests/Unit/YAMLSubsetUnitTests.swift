@testable import KubernetesEmulator
import JSONCore
import Testing

@Suite("Unit: the YAML subset read from application/yaml bodies and apply configurations")
struct YAMLSubsetUnitTests {
    private func parse(_ text: String) throws -> JSONValue { try YAMLSubset.parse(Array(text.utf8)) }

    @Test("block mappings and sequences, quoted and plain scalars, comments and a leading ---")
    func blocks() throws {
        let text = """
            ---
            # a Deployment's worth of shapes
            apiVersion: apps/v1
            metadata:
              name: web   # trailing comment
              labels: {app: web, "tier": 'front'}
            spec:
              replicas: 3
              paused: no
              containers:
              - name: app
                args: ["--port", "80"]
                env:
                  - name: A
                    value: "x: #1"
              - name: sidecar
              empty:
            """
        let expected: JSONValue = [
            "apiVersion": "apps/v1",
            "metadata": ["name": "web", "labels": ["app": "web", "tier": "front"]],
            "spec": [
                "replicas": 3, "paused": false,
                "containers": [
                    ["name": "app", "args": ["--port", "80"], "env": [["name": "A", "value": "x: #1"]]],
                    ["name": "sidecar"],
                ],
                "empty": .null,
            ],
        ]
        let parsed = try parse(text)
        #expect(parsed == expected)
    }

    @Test("plain scalars resolve as go-yaml v2 resolves them")
    func resolution() {
        #expect(YAMLSubset.resolve("~") == .null)
        #expect(YAMLSubset.resolve("On") == .bool(true))
        #expect(YAMLSubset.resolve("1_000") == .int(1000))
        #expect(YAMLSubset.resolve("1.5e3") == .double(1500))
        #expect(YAMLSubset.resolve("1.2.3") == .string("1.2.3"))
    }

    @Test("what the subset does not read is refused, naming the line, in go-yaml's words where it has them")
    func refusals() {
        func message(_ text: String) -> String? {
            do {
                _ = try parse(text)
                return nil
            } catch let failure as YAMLSubset.Failure {
                return failure.message
            } catch {
                return "\(error)"
            }
        }
        #expect(message("{not: [valid") == "yaml: line 1: did not find expected ',' or ']'")
        #expect(message("a: 1\nb: {c: 2") == "yaml: line 2: did not find expected ',' or '}'")
        #expect(message("a: &anchor 1")?.hasPrefix("yaml: line 1: ") == true)
        #expect(message("a: |\n  text") != nil)
        #expect(message("a: 1\n---\nb: 2")?.hasPrefix("yaml: line 2: ") == true)
        #expect(message(String(repeating: "[", count: 500)) != nil, "nesting is bounded")
    }
}

@Suite("Unit: Go's base64 and JSON error wording")
struct GoWordingUnitTests {
    @Test("base64 errors name the byte offset Go names")
    func base64Offsets() {
        #expect(GoBase64.decode("aGVsbG8=") == .success(Array("hello".utf8)))
        #expect(GoBase64.decode("aGVs\nbG8=") == .success(Array("hello".utf8)), "line breaks are skipped")
        #expect(GoBase64.decode("!!!!") == .failure(.init(offset: 0)))
        #expect(GoBase64.decode("aGVsbG8") == .failure(.init(offset: 4)), "padding is required")
        #expect(GoBase64.decode("aGVsbG8=x") == .failure(.init(offset: 8)), "nothing may follow the padding")
        #expect(GoBase64.decode("bm90LWEtdG9rZW4", .rawURL) == .success(Array("not-a-token".utf8)))
    }

    @Test("JSON syntax errors read as encoding/json's")
    func jsonSyntax() {
        #expect(GoJSONSyntax.firstError(Array("{not json".utf8)) == "invalid character 'n' looking for beginning of object key string")
        #expect(GoJSONSyntax.firstError(Array("{\"a\":".utf8)) == "unexpected end of JSON input")
        #expect(GoJSONSyntax.firstError(Array("[1,]".utf8)) == "invalid character ']' looking for beginning of value")
        #expect(GoJSONSyntax.firstError(Array("{\"a\":1} x".utf8)) == "invalid character 'x' after top-level value")
        #expect(GoJSONSyntax.firstError([0x9E]) == "invalid character '\\x9e' looking for beginning of value")
        #expect(GoJSONSyntax.firstError(Array("{\"a\":[1,{\"b\":true}]}".utf8)) == nil)
    }
}
