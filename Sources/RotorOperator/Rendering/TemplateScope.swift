import Mustache
import SecretProviders

/// The Mustache context a template is rendered against: the fetched values by key.
///
/// Mustache splits a tag name at dots and looks each part up in turn, so `{{tls.crt}}` asks
/// for `tls` and then `crt`. The scope answers such walks with `KeyNode`s standing for a key
/// prefix, so every key made of non-empty dot-separated parts of `[A-Za-z0-9_-]` is reachable
/// by its plain name. Any other key (a leading, trailing or doubled dot, `/`, spaces, …) is
/// reachable through the `key?` lambda: `{{#key?}}db/pass word{{/key?}}` renders the value of
/// the key `db/pass word` (the section text, trimmed of surrounding whitespace). Secret keys
/// cannot contain `?`, so the name never hides a fetched key.
///
/// A name that matches no fetched key is an error (like ESO's `missingkey=error`): a typo must
/// not silently produce a credential with an empty part. Values are looked up lazily, so a
/// binary value that no template uses is no problem.
///
/// Functions (`{{b64enc(password)}}`, `{{dockerconfigjson(.)}}`) are ``TemplateFunctions``,
/// applied through swift-mustache's transforms to a key, a prefix, the top level (`.`) or
/// another call's result.
///
/// The scope lives for one template rendering, on one thread; it is not shared.
final class TemplateScope: MustacheParent, MustacheTransformable {
    static let lookupLambdaName = "key?"

    private let values: [String: SecretValue]
    /// Every dotted prefix of an addressable key (`a` and `a.b` for `a.b.c`).
    private let prefixes: Set<String>
    /// Lookups that missed below the root. Mustache retries a name that misses inside a
    /// section one level up the stack, ending at the root, so such a miss is only final when
    /// the root is next asked for something else.
    private var pendingMisses: [(path: String, segment: String)] = []
    private(set) var problems: [RenderError.Kind] = []
    /// Function calls made so far (bounded by ``TemplateFunctions/maximumCalls``).
    private var calls = 0

    init(values: [String: SecretValue]) {
        self.values = values
        var prefixes = Set<String>()
        for key in values.keys {
            let parts = key.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count > 1, !parts.contains(where: \.isEmpty) else { continue }
            for end in 1..<parts.count {
                prefixes.insert(parts[..<end].joined(separator: "."))
            }
        }
        self.prefixes = prefixes
    }

    // MARK: MustacheParent (the root)

    func child(named name: String) -> Any? {
        settlePendingMisses(retriedAs: name)
        if name == Self.lookupLambdaName {
            return MustacheLambda { [self] text in exactValue(forKey: text.trimmingWhitespace()) }
        }
        return node(path: name, segment: name, atRoot: true)
    }

    /// `{{function(.)}}`: a function applied to the top level.
    func transform(_ name: String) -> Any? {
        call(name, on: .node(path: ""))
    }

    /// Call after rendering: misses nothing retried are final.
    func finish() {
        settlePendingMisses(retriedAs: nil)
    }

    // MARK: Lookups

    fileprivate func node(path: String, segment: String, atRoot: Bool) -> KeyNode? {
        if values[path] != nil || prefixes.contains(path) {
            return KeyNode(scope: self, path: path)
        }
        if atRoot {
            record(.unknownKey(referenced: path))
        } else {
            pendingMisses.append((path, segment))
        }
        return nil
    }

    fileprivate func text(forKey key: String) -> String {
        guard let value = values[key] else {
            // A bare prefix (`{{tls}}` when only `tls.crt` exists) names no value.
            record(.unknownKey(referenced: key))
            return ""
        }
        guard let text = value.revealedString() else {
            record(.notUTF8(referenced: key))
            return ""
        }
        return text
    }

    private func exactValue(forKey key: String) -> RevealedText? {
        guard values[key] != nil else {
            record(.unknownKey(referenced: key))
            return nil
        }
        return RevealedText(text: text(forKey: key))
    }

    /// What a function is applied to: a key or prefix (`""` for the top level), or the
    /// result of another call, named by its expression for messages.
    enum FunctionInput {
        case node(path: String)
        case text([UInt8], expression: String)
    }

    /// Applies the template function `function` to `input`; nil (and a recorded problem)
    /// when it fails, so the rendering fails naming the call.
    func call(_ function: String, on input: FunctionInput) -> Any? {
        let inputName: String
        switch input {
        case .node(let path): inputName = path.isEmpty ? "." : path
        case .text(_, let expression): inputName = expression
        }
        let expression = "\(function)(\(inputName))"
        guard TemplateFunctions.names.contains(function) else {
            let known = TemplateFunctions.names.sorted().joined(separator: ", ")
            record(.functionFailed(call: expression, reason: "\(function) is not a template function (known: \(known))"))
            return nil
        }
        calls += 1
        guard calls <= TemplateFunctions.maximumCalls else {
            record(.tooManyCalls(limit: TemplateFunctions.maximumCalls))
            return nil
        }
        do throws(TemplateFunctions.Failure) {
            let output: [UInt8]
            switch input {
            case .text(let bytes, _):
                output = try TemplateFunctions.apply(function, to: bytes)
            case .node(let path) where function == "dockerconfigjson":
                let prefix = path.isEmpty ? "" : path + "."
                var parts: [[UInt8]] = []
                for name in ["registry", "username", "password"] {
                    guard let value = values[prefix + name] else {
                        throw TemplateFunctions.Failure(reason: "it needs the key '\(prefix + name)', which is not one of the fetched keys")
                    }
                    parts.append(value.revealedBytes())
                }
                output = try TemplateFunctions.dockerConfigJSON(registry: parts[0], username: parts[1], password: parts[2])
            case .node(let path):
                guard let value = values[path] else {
                    throw TemplateFunctions.Failure(reason: "\(inputName) is not a fetched key holding a value")
                }
                output = try TemplateFunctions.apply(function, to: value.revealedBytes())
            }
            return TemplateText(scope: self, bytes: output, expression: expression)
        } catch {
            record(.functionFailed(call: expression, reason: error.reason))
            return nil
        }
    }

    fileprivate func text(of result: TemplateText) -> String {
        guard let text = String(validating: result.bytes, as: UTF8.self) else {
            record(.notUTF8(referenced: result.expression))
            return ""
        }
        return text
    }

    private func settlePendingMisses(retriedAs name: String?) {
        for miss in pendingMisses where miss.segment != name {
            record(.unknownKey(referenced: miss.path))
        }
        pendingMisses.removeAll()
    }

    private func record(_ problem: RenderError.Kind) {
        if !problems.contains(problem) { problems.append(problem) }
    }
}

/// A fetched key, or a dotted prefix of some, as Mustache sees it.
///
/// Rendered as a variable it is the key's value; as a section it is the scope for the
/// next part of the name. Mustache escapes nothing here because every template is rendered
/// with the `TEXT` content type.
struct KeyNode: MustacheParent, MustacheCustomRenderable, MustacheTransformable {
    fileprivate let scope: TemplateScope
    fileprivate let path: String

    func child(named name: String) -> Any? {
        scope.node(path: path + "." + name, segment: name, atRoot: false)
    }

    var renderText: String { scope.text(forKey: path) }

    /// Never null: a node exists only for a key or a prefix of one.
    var isNull: Bool { false }

    /// `{{function(key)}}`.
    func transform(_ name: String) -> Any? {
        scope.call(name, on: .node(path: path))
    }
}

/// The result of a template function, as Mustache sees it: rendered as its text, or
/// handed to the next function of a chain. It exists only inside one rendering; its
/// description never shows the bytes.
struct TemplateText: MustacheCustomRenderable, MustacheTransformable, CustomStringConvertible {
    fileprivate let scope: TemplateScope
    let bytes: [UInt8]
    /// The call that produced it, e.g. `b64dec(password)`: a name for messages.
    let expression: String

    var renderText: String { scope.text(of: self) }
    var isNull: Bool { false }
    var description: String { "<result of \(expression)>" }

    func transform(_ name: String) -> Any? {
        scope.call(name, on: .text(bytes, expression: expression))
    }
}

/// A value handed back from the `key?` lambda.
///
/// swift-mustache parses a `String` returned by a lambda as a template (a value holding
/// `{{` would be executed), but renders any other result with `String(describing:)`. Hence
/// this wrapper, whose description is the value itself: it exists only between the lambda and
/// the renderer, inside one rendering, and is never stored, logged or returned.
private struct RevealedText: CustomStringConvertible {
    let text: String
    var description: String { text }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}
