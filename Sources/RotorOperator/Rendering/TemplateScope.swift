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
/// The scope lives for one template rendering, on one thread; it is not shared.
final class TemplateScope: MustacheParent {
    static let lookupLambdaName = "key?"

    private let values: [String: SecretValue]
    /// Every dotted prefix of an addressable key (`a` and `a.b` for `a.b.c`).
    private let prefixes: Set<String>
    /// Lookups that missed below the root. Mustache retries a name that misses inside a
    /// section one level up the stack, ending at the root, so such a miss is only final when
    /// the root is next asked for something else.
    private var pendingMisses: [(path: String, segment: String)] = []
    private(set) var problems: [RenderError.Kind] = []

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
struct KeyNode: MustacheParent, MustacheCustomRenderable {
    fileprivate let scope: TemplateScope
    fileprivate let path: String

    func child(named name: String) -> Any? {
        scope.node(path: path + "." + name, segment: name, atRoot: false)
    }

    var renderText: String { scope.text(forKey: path) }

    /// Never null: a node exists only for a key or a prefix of one.
    var isNull: Bool { false }
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
