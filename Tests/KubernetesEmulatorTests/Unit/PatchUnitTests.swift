@testable import KubernetesEmulator
import JSONCore
import Testing

@Suite("Unit: merge, JSON and strategic merge patches")
struct PatchUnitTests {
    // MARK: RFC 7386 merge patch

    /// RFC 7386, Appendix A: original, patch, result.
    static let rfc7386Examples: [(String, String, String)] = [
        (#"{"a":"b"}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"b"}"#, #"{"b":"c"}"#, #"{"a":"b","b":"c"}"#),
        (#"{"a":"b"}"#, #"{"a":null}"#, #"{}"#),
        (#"{"a":"b","b":"c"}"#, #"{"a":null}"#, #"{"b":"c"}"#),
        (#"{"a":["b"]}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"c"}"#, #"{"a":["b"]}"#, #"{"a":["b"]}"#),
        (#"{"a":{"b":"c"}}"#, #"{"a":{"b":"d","c":null}}"#, #"{"a":{"b":"d"}}"#),
        (#"{"a":[{"b":"c"}]}"#, #"{"a":[1]}"#, #"{"a":[1]}"#),
        (#"["a","b"]"#, #"["c","d"]"#, #"["c","d"]"#),
        (#"{"a":"b"}"#, #"["c"]"#, #"["c"]"#),
        (#"{"a":"foo"}"#, #"null"#, #"null"#),
        (#"{"a":"foo"}"#, #""bar""#, #""bar""#),
        (#"{"e":null}"#, #"{"a":1}"#, #"{"e":null,"a":1}"#),
        (#"[1,2]"#, #"{"a":"b","c":null}"#, #"{"a":"b"}"#),
        (#"{}"#, #"{"a":{"bb":{"ccc":null}}}"#, #"{"a":{"bb":{}}}"#),
    ]

    @Test("a merge patch gives the results of the RFC 7386 examples", arguments: rfc7386Examples.indices)
    func rfc7386(index: Int) {
        let (original, patch, result) = Self.rfc7386Examples[index]
        #expect(Patching.mergePatch(unitJSON(original), unitJSON(patch)) == unitJSON(result), "\(original) + \(patch)")
    }

    @Test("a merge patch merges nested objects, deletes members set to null and replaces arrays whole")
    func mergeNested() {
        let target = unitJSON(#"{"metadata":{"name":"db","labels":{"a":"1","b":"2"}},"spec":{"ports":[1,2,3],"keep":true}}"#)
        let patch = unitJSON(#"{"metadata":{"labels":{"a":null,"c":"3"}},"spec":{"ports":[9]}}"#)
        let expected = unitJSON(#"{"metadata":{"name":"db","labels":{"b":"2","c":"3"}},"spec":{"ports":[9],"keep":true}}"#)
        #expect(Patching.mergePatch(target, patch) == expected)
    }

    // MARK: RFC 6902 JSON patch

    /// RFC 6902, Appendix A examples that succeed: document, patch, result.
    static let rfc6902Successes: [(String, String, String, String)] = [
        ("A.1 adding an object member", #"{"foo":"bar"}"#, #"[{"op":"add","path":"/baz","value":"qux"}]"#, #"{"baz":"qux","foo":"bar"}"#),
        ("A.2 adding an array element", #"{"foo":["bar","baz"]}"#, #"[{"op":"add","path":"/foo/1","value":"qux"}]"#, #"{"foo":["bar","qux","baz"]}"#),
        ("A.3 removing an object member", #"{"baz":"qux","foo":"bar"}"#, #"[{"op":"remove","path":"/baz"}]"#, #"{"foo":"bar"}"#),
        ("A.4 removing an array element", #"{"foo":["bar","qux","baz"]}"#, #"[{"op":"remove","path":"/foo/1"}]"#, #"{"foo":["bar","baz"]}"#),
        ("A.5 replacing a value", #"{"baz":"qux","foo":"bar"}"#, #"[{"op":"replace","path":"/baz","value":"boo"}]"#, #"{"baz":"boo","foo":"bar"}"#),
        (
            "A.6 moving a value", #"{"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}}"#,
            #"[{"op":"move","from":"/foo/waldo","path":"/qux/thud"}]"#, #"{"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}}"#
        ),
        (
            "A.7 moving an array element", #"{"foo":["all","grass","cows","eat"]}"#, #"[{"op":"move","from":"/foo/1","path":"/foo/3"}]"#,
            #"{"foo":["all","cows","eat","grass"]}"#
        ),
        (
            "A.8 testing a value: success", #"{"baz":"qux","foo":["a",2,"c"]}"#,
            #"[{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}]"#, #"{"baz":"qux","foo":["a",2,"c"]}"#
        ),
        (
            "A.10 adding a nested member object", #"{"foo":"bar"}"#, #"[{"op":"add","path":"/child","value":{"grandchild":{}}}]"#,
            #"{"foo":"bar","child":{"grandchild":{}}}"#
        ),
        (
            "A.11 ignoring unrecognized elements", #"{"foo":"bar"}"#, #"[{"op":"add","path":"/baz","value":"qux","xyz":123}]"#,
            #"{"foo":"bar","baz":"qux"}"#
        ),
        ("A.14 ~ escape ordering", #"{"/":9,"~1":10}"#, #"[{"op":"test","path":"/~01","value":10}]"#, #"{"/":9,"~1":10}"#),
        ("A.16 adding an array value", #"{"foo":["bar"]}"#, #"[{"op":"add","path":"/foo/-","value":["abc","def"]}]"#, #"{"foo":["bar",["abc","def"]]}"#),
        ("copying a value", #"{"a":{"b":1},"c":[]}"#, #"[{"op":"copy","from":"/a","path":"/c/0"}]"#, #"{"a":{"b":1},"c":[{"b":1}]}"#),
        (
            "~1 addresses a key containing a slash", #"{"metadata":{"annotations":{"rotor.dev/x":"1"}}}"#,
            #"[{"op":"replace","path":"/metadata/annotations/rotor.dev~1x","value":"2"},{"op":"add","path":"/metadata/annotations/a~0b","value":"3"}]"#,
            #"{"metadata":{"annotations":{"rotor.dev/x":"2","a~b":"3"}}}"#
        ),
        ("- appends to an array", #"{"f":["a"]}"#, #"[{"op":"add","path":"/f/-","value":"b"},{"op":"add","path":"/f/-","value":"c"}]"#, #"{"f":["a","b","c"]}"#),
        ("operations apply in order", #"{"a":1}"#, #"[{"op":"add","path":"/b","value":2},{"op":"remove","path":"/a"},{"op":"test","path":"/b","value":2}]"#, #"{"b":2}"#),
    ]

    @Test("a JSON patch gives the results of the RFC 6902 examples", arguments: rfc6902Successes.indices)
    func rfc6902(index: Int) throws {
        let (name, document, patch, result) = Self.rfc6902Successes[index]
        #expect(try Patching.jsonPatch(unitJSON(document), unitJSON(patch)) == unitJSON(result), "\(name)")
    }

    /// Patches that cannot be applied: RFC 6902 A.9, A.12, A.15 and other failures.
    static let rfc6902Failures: [(String, String, String)] = [
        ("A.9 testing a value: error", #"{"baz":"qux"}"#, #"[{"op":"test","path":"/baz","value":"bar"}]"#),
        ("A.12 adding to a nonexistent target", #"{"foo":"bar"}"#, #"[{"op":"add","path":"/baz/bat","value":"qux"}]"#),
        ("A.15 comparing strings and numbers", #"{"/":9,"~1":10}"#, #"[{"op":"test","path":"/~01","value":"10"}]"#),
        ("removing a missing member", #"{"a":1}"#, #"[{"op":"remove","path":"/b"}]"#),
        ("replacing a missing array index", #"{"a":[1]}"#, #"[{"op":"replace","path":"/a/1","value":2}]"#),
        ("an unknown op", "{}", #"[{"op":"frobnicate","path":"/a"}]"#),
        ("an operation without op", "{}", #"[{"path":"/a"}]"#),
        ("adding past the end of an array", #"{"a":[1]}"#, #"[{"op":"add","path":"/a/5","value":2}]"#),
        ("removing a missing array index", #"{"a":[1]}"#, #"[{"op":"remove","path":"/a/1"}]"#),
        ("moving from a missing member", #"{"a":1}"#, #"[{"op":"move","from":"/x","path":"/y"}]"#),
        ("copying without from", #"{"a":1}"#, #"[{"op":"copy","path":"/y"}]"#),
        ("a pointer without a leading slash", #"{"a":1}"#, #"[{"op":"add","path":"a","value":2}]"#),
        ("a test that fails after earlier operations", #"{"a":1}"#, #"[{"op":"replace","path":"/a","value":2},{"op":"test","path":"/a","value":1}]"#),
    ]

    @Test("a JSON patch that cannot be applied fails with a patch failure", arguments: rfc6902Failures.indices)
    func rfc6902Failure(index: Int) {
        let (name, document, patch) = Self.rfc6902Failures[index]
        #expect(throws: JSONPatchFailure.self, "\(name)") { try Patching.jsonPatch(unitJSON(document), unitJSON(patch)) }
    }

    @Test("a JSON patch that is not a list of operations is refused with 400, worded for the field validation in force")
    func jsonPatchBadRequest() {
        let strict = unitAPIError { _ = try Patching.jsonPatch(unitJSON("{}"), unitJSON(#"{"op":"add"}"#)) }
        #expect(strict?.httpCode == 400)
        #expect(strict?.status.message == "error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp")
        let unchecked = unitAPIError { _ = try Patching.jsonPatch(unitJSON("{}"), unitJSON(#"{"op":"add"}"#), strictDecoding: false) }
        #expect(unchecked?.status.message == "json: cannot unmarshal object into Go value of type jsonpatch.Patch")
    }

    @Test("replace of a missing object member adds it, as kube-apiserver's json-patch library does")
    func replaceMissingMember() throws {
        #expect(try Patching.jsonPatch(unitJSON(#"{"a":1}"#), unitJSON(#"[{"op":"replace","path":"/b","value":2}]"#)) == unitJSON(#"{"a":1,"b":2}"#))
    }

    @Test("a JSON patch adding at the root path replaces the whole document")
    func jsonPatchRootAdd() throws {
        #expect(try Patching.jsonPatch(unitJSON(#"{"a":1}"#), unitJSON(#"[{"op":"add","path":"","value":{"b":2}}]"#)) == unitJSON(#"{"b":2}"#))
        #expect(try Patching.jsonPatch(unitJSON(#"{"a":1}"#), unitJSON(#"[{"op":"replace","path":"","value":[1]}]"#)) == unitJSON("[1]"))
    }

    @Test("the patch content type selects the patch format; an unknown one is refused with 415")
    func patchContentType() throws {
        #expect(try PatchType(contentType: "application/merge-patch+json; charset=utf-8") == .merge)
        #expect(try PatchType(contentType: "application/json-patch+json") == .json)
        #expect(try PatchType(contentType: "Application/Strategic-Merge-Patch+JSON") == .strategic)
        #expect(unitAPIErrorCode { _ = try PatchType(contentType: "application/json") } == 415)
    }

    // MARK: Strategic merge patch

    private let deployment = unitJSON(
        #"""
        {"metadata":{"name":"web","finalizers":["a"]},
         "spec":{"replicas":1,
                 "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}},
                 "template":{"spec":{"containers":[
                    {"name":"app","image":"app:1","args":["--x"],"env":[{"name":"A","value":"1"},{"name":"B","value":"2"}]},
                    {"name":"sidecar","image":"proxy:1"}]}}}}
        """#)

    private func containers(_ value: JSONValue) -> [JSONValue] { value[path: ["spec", "template", "spec", "containers"]]?.arrayValue ?? [] }

    @Test("a strategic merge patch merges containers by name and keeps the others")
    func containersMergeByName() throws {
        let patch = unitJSON(#"{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"proxy:2"}]}}}}"#)
        let result = try Patching.strategicMergePatch(deployment, patch)
        let list = containers(result)
        #expect(list.count == 2)
        #expect(list[0] == containers(deployment)[0])
        #expect(list[1] == unitJSON(#"{"name":"sidecar","image":"proxy:2"}"#))
        #expect(result[path: ["spec", "replicas"]] == 1)
    }

    @Test("a strategic merge patch appends a container with a new name and merges env by name inside")
    func containersAppendAndNestedMerge() throws {
        let patch = unitJSON(
            #"{"spec":{"template":{"spec":{"containers":[{"name":"app","env":[{"name":"B","value":"3"},{"name":"C","value":"4"}]},{"name":"new","image":"n:1"}]}}}}"#
        )
        let list = containers(try Patching.strategicMergePatch(deployment, patch))
        #expect(list.map { $0["name"] } == ["app", "sidecar", "new"])
        #expect(list[0]["image"] == "app:1")
        #expect(list[0]["env"] == unitJSON(#"[{"name":"A","value":"1"},{"name":"B","value":"3"},{"name":"C","value":"4"}]"#))
    }

    @Test("a strategic merge patch replaces lists without a merge key whole")
    func plainListsReplaced() throws {
        let patch = unitJSON(#"{"spec":{"template":{"spec":{"containers":[{"name":"app","args":["--y"]}]}}}}"#)
        #expect(containers(try Patching.strategicMergePatch(deployment, patch))[0]["args"] == ["--y"])
    }

    @Test("$patch: delete in a list item removes the container with that name")
    func deleteListItem() throws {
        let patch = unitJSON(#"{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","$patch":"delete"},{"name":"missing","$patch":"delete"}]}}}}"#)
        let list = containers(try Patching.strategicMergePatch(deployment, patch))
        #expect(list.map { $0["name"] } == ["app"])
    }

    @Test("$patch: replace on a map replaces it instead of merging, $patch: delete removes it")
    func mapDirectives() throws {
        let replaced = try Patching.strategicMergePatch(deployment, unitJSON(#"{"spec":{"strategy":{"$patch":"replace","type":"Recreate"}}}"#))
        #expect(replaced[path: ["spec", "strategy"]] == unitJSON(#"{"type":"Recreate"}"#))
        let deleted = try Patching.strategicMergePatch(deployment, unitJSON(#"{"spec":{"strategy":{"$patch":"delete"}}}"#))
        #expect(deleted[path: ["spec", "strategy"]] == nil)
        #expect(deleted[path: ["spec", "replicas"]] == 1)
    }

    @Test("$patch: replace as a list element replaces the whole list")
    func listReplaceDirective() throws {
        let patch = unitJSON(#"{"spec":{"template":{"spec":{"containers":[{"name":"only","image":"o:1"},{"$patch":"replace"}]}}}}"#)
        #expect(containers(try Patching.strategicMergePatch(deployment, patch)) == [unitJSON(#"{"name":"only","image":"o:1"}"#)])
    }

    @Test("$patch: replace on a list item replaces that item instead of merging it")
    func replaceListItem() throws {
        let patch = unitJSON(#"{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"app:2","$patch":"replace"}]}}}}"#)
        let list = containers(try Patching.strategicMergePatch(deployment, patch))
        #expect(list[0] == unitJSON(#"{"name":"app","image":"app:2"}"#))
        #expect(list.count == 2)
    }

    @Test("$setElementOrder keys that kubectl sends are ignored and never stored")
    func setElementOrderIgnored() throws {
        let patch = unitJSON(
            #"{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"sidecar"},{"name":"app"}],"containers":[{"name":"app","image":"app:2"}]}}}}"#
        )
        let result = try Patching.strategicMergePatch(deployment, patch)
        #expect(containers(result).map { $0["name"] } == ["app", "sidecar"])
        #expect(containers(result)[0]["image"] == "app:2")
        #expect(result[path: ["spec", "template", "spec", "$setElementOrder/containers"]] == nil)
    }

    @Test("$retainKeys drops the members of a map that the patch does not retain")
    func retainKeys() throws {
        let patch = unitJSON(#"{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}}"#)
        let result = try Patching.strategicMergePatch(deployment, patch)
        #expect(result[path: ["spec", "strategy"]] == unitJSON(#"{"type":"Recreate"}"#))
    }

    @Test("finalizers merge as a set of strings; $deleteFromPrimitiveList removes some")
    func finalizersMerge() throws {
        let added = try Patching.strategicMergePatch(deployment, unitJSON(#"{"metadata":{"finalizers":["b","a"]}}"#))
        // The patch's order first, then items only the server had (kube-apiserver's element order).
        #expect(added[path: ["metadata", "finalizers"]] == ["b", "a"])
        let appended = try Patching.strategicMergePatch(added, unitJSON(#"{"metadata":{"finalizers":["c"]}}"#))
        #expect(appended[path: ["metadata", "finalizers"]] == ["c", "b", "a"])
        let removed = try Patching.strategicMergePatch(added, unitJSON(#"{"metadata":{"$deleteFromPrimitiveList/finalizers":["a"]}}"#))
        #expect(removed[path: ["metadata", "finalizers"]] == ["b"])
    }

    @Test("null in a strategic merge patch deletes the member")
    func strategicNullDeletes() throws {
        let result = try Patching.strategicMergePatch(deployment, unitJSON(#"{"spec":{"replicas":null}}"#))
        #expect(result[path: ["spec", "replicas"]] == nil)
        #expect(result[path: ["spec", "strategy", "type"]] == "RollingUpdate")
    }

    @Test("a strategic merge patch list item without its merge key is refused with 400, an unknown directive with kube-apiserver's 500")
    func strategicBadRequests() {
        #expect(unitAPIErrorCode { _ = try Patching.strategicMergePatch(deployment, unitJSON(#"{"spec":{"template":{"spec":{"containers":[{"image":"x"}]}}}}"#)) } == 400)
        #expect(unitAPIErrorCode { _ = try Patching.strategicMergePatch(deployment, unitJSON(#"{"spec":{"template":{"spec":{"containers":["x"]}}}}"#)) } == 400)
        let unknown = unitAPIError { _ = try Patching.strategicMergePatch(deployment, unitJSON(#"{"spec":{"$patch":"explode","n":1e20}}"#)) }
        #expect(unknown?.httpCode == 500)
        #expect(unknown?.status.reason == nil)
        #expect(unknown?.status.message == "unknown patch type: explode in map: map[$patch:explode n:1e+20]")
    }
}
