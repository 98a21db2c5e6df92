import Mustache
import KubeAPI
import RotorAPI
import SecretProviders

/// Turns an ExternalSecret's fetched values into the data, type and template metadata of its
/// target Secret. Pure: no I/O, no clock.
///
/// - Without `spec.target.template`, or with a template without `data`, the Secret's data is
///   the fetched values, key for key (ESO does the same when a template has no data).
/// - With template `data`, the Secret's data is exactly the rendered template keys: the
///   fetched values are the template's context, not extra keys (ESO's default
///   `mergePolicy: Replace`; Rotor's API has no other policy). To keep a fetched key as is,
///   list it: `password: "{{password}}"`.
/// - Templates are Mustache (swift-mustache) rendered as plain text: `{{x}}` and `{{{x}}}`
///   both insert the value unescaped (no HTML escaping of `&<>"'`). Addressing keys is
///   described on `TemplateScope`: `{{password}}`, `{{tls.crt}}`, and
///   `{{#key?}}odd/key{{/key?}}` for keys Mustache cannot name.
/// - `template.type` and `template.metadata` are taken literally, not rendered.
/// - A syntax error, a reference to a key that was not fetched, or a non-UTF-8 value used in a
///   template is a `RenderError` naming the template key; never a value.
public enum SecretRenderer {
    /// Renders the Secret content of `externalSecret` from `values` (secretKey → value, from
    /// `data` and `dataFrom`, already resolved by the caller).
    public static func render(
        externalSecret: ExternalSecret, values: [String: SecretValue]
    ) throws(RenderError) -> RenderedSecret {
        guard let template = externalSecret.spec.target?.template else {
            return RenderedSecret(data: values)
        }
        var rendered = RenderedSecret(
            type: template.type.flatMap { $0.isEmpty ? nil : $0 },
            labels: template.metadata?.labels ?? [:],
            annotations: template.metadata?.annotations ?? [:])
        guard let templates = template.data, !templates.isEmpty else {
            rendered.data = values
            return rendered
        }
        for key in templates.keys.sorted() {
            rendered.data[key] = SecretValue(utf8: try renderTemplate(templates[key]!, key: key, values: values))
        }
        return rendered
    }

    /// What in `externalSecret`'s spec alone (before any provider read) makes its Secret
    /// unwritable: a template label or annotation in Rotor's `rotor.dev/` domain
    /// (`InvalidSpec`: it could forge `rotor.dev/managed` or the manager record), or a key
    /// the spec names — a template data key or a `data[].secretKey` — that is not a valid
    /// Secret key (`InvalidKey`). Keys chosen by the provider's data (`dataFrom`) are
    /// checked on the plan (``ManagedSecretPlan``).
    public static func specProblem(_ externalSecret: ExternalSecret) -> SyncFailure? {
        let template = externalSecret.spec.target?.template
        if let field = reservedMetadataField(labels: template?.metadata?.labels ?? [:], annotations: template?.metadata?.annotations ?? [:]) {
            return .invalidSpec(field: field, problem: "the rotor.dev/ domain is Rotor's own; a template cannot set its labels or annotations")
        }
        if let templates = template?.data, !templates.isEmpty {
            for key in templates.keys.sorted() {
                if let problem = SecretLimits.keyProblem(key) {
                    return .invalidKey(field: "spec.target.template.data[\(SecretLimits.shown(key))]", problem: problem)
                }
            }
            return nil
        }
        for (index, entry) in (externalSecret.spec.data ?? []).enumerated() {
            if let problem = SecretLimits.keyProblem(entry.secretKey) {
                return .invalidKey(field: "spec.data[\(index)].secretKey", problem: "\(SecretLimits.shown(entry.secretKey)): \(problem)")
            }
        }
        return nil
    }

    /// The field path of the first template label or annotation in the `rotor.dev/` domain
    /// (`rotor.dev/…` or a subdomain such as `x.rotor.dev/…`), e.g.
    /// `spec.target.template.metadata.labels["rotor.dev/managed"]`; `nil` when there is none.
    public static func reservedMetadataField(labels: [String: String], annotations: [String: String]) -> String? {
        func reserved(_ key: String) -> Bool {
            guard let slash = key.firstIndex(of: "/") else { return false }
            let domain = key[..<slash].lowercased()
            return domain == "rotor.dev" || domain.hasSuffix(".rotor.dev")
        }
        if let key = labels.keys.sorted().first(where: reserved) {
            return "spec.target.template.metadata.labels[\(SecretLimits.shown(key))]"
        }
        if let key = annotations.keys.sorted().first(where: reserved) {
            return "spec.target.template.metadata.annotations[\(SecretLimits.shown(key))]"
        }
        return nil
    }

    /// Sets the `TEXT` content type so `{{x}}` is not HTML-escaped. The empty comment after it
    /// keeps the pragma from being "standalone" (which would swallow a newline the template
    /// starts with) and leaves line numbers of errors unchanged.
    static let textPragma = "{{% CONTENT_TYPE: TEXT}}{{!}}"

    static func renderTemplate(
        _ text: String, key: String, values: [String: SecretValue]
    ) throws(RenderError) -> String {
        // swift-mustache parses and renders sections recursively: a tenant's template nested
        // thousands deep would overflow the stack and take the whole operator down.
        guard sectionDepth(of: text) <= maximumSectionDepth else {
            throw RenderError(.tooDeep(limit: maximumSectionDepth), templateKey: key)
        }
        // Function calls nested in a tag (`{{f(g(h(x)))}}`) are parsed recursively too.
        guard parenthesisDepth(of: text) <= maximumCallDepth else {
            throw RenderError(.callsTooDeep(limit: maximumCallDepth), templateKey: key)
        }
        let template: MustacheTemplate
        do {
            template = try MustacheTemplate(string: textPragma + text)
        } catch {
            throw RenderError(syntaxError(error), templateKey: key)
        }
        let scope = TemplateScope(values: values)
        let output = template.render(scope)
        scope.finish()
        if let problem = scope.problems.first {
            throw RenderError(problem, templateKey: key)
        }
        return output
    }

    /// How deep sections (`{{#a}}`, `{{^a}}`, `{{$a}}`, `{{<a}}`) may nest in one template.
    static let maximumSectionDepth = 64

    /// How deep function calls may nest (counted as open parentheses anywhere in the text,
    /// which over-approximates; literal text nesting this deep is not a real template).
    static let maximumCallDepth = 32

    /// The deepest nesting of `(` in `text`; a `)` closes one, never below zero. Linear.
    static func parenthesisDepth(of text: String) -> Int {
        var depth = 0
        var deepest = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: "(") {
                depth += 1
                deepest = max(deepest, depth)
            } else if byte == UInt8(ascii: ")") {
                depth = max(0, depth - 1)
            }
        }
        return deepest
    }

    /// The deepest nesting of sections in `text`, found as Mustache finds tags: an opening
    /// delimiter followed by the tag's type, delimiters changed by `{{=<% %>=}}`. Linear
    /// and never recursive; an unbalanced template only counts deeper (the parser then
    /// reports it).
    static func sectionDepth(of text: String) -> Int {
        var open = Array("{{".utf8)
        var close = Array("}}".utf8)
        let bytes = Array(text.utf8)
        var depth = 0
        var deepest = 0
        var i = 0
        func matches(_ delimiter: [UInt8], at index: Int) -> Bool {
            index + delimiter.count <= bytes.count && bytes[index..<(index + delimiter.count)].elementsEqual(delimiter)
        }
        while i < bytes.count {
            guard matches(open, at: i) else {
                i += 1
                continue
            }
            i += open.count
            let type = i < bytes.count ? bytes[i] : 0
            // The tag's content, up to the closing delimiter (the end of the text if none).
            var end = i
            while end < bytes.count, !matches(close, at: end) { end += 1 }
            switch type {
            case UInt8(ascii: "#"), UInt8(ascii: "^"), UInt8(ascii: "$"), UInt8(ascii: "<"):
                depth += 1
                deepest = max(deepest, depth)
            case UInt8(ascii: "/"):
                depth = max(0, depth - 1)
            case UInt8(ascii: "="):
                // `=start end=`: the new delimiters apply after this tag.
                let words = bytes[(i + 1)..<max(i + 1, end)].split { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "=") }
                if words.count == 2 {
                    i = min(bytes.count, end + close.count)
                    open = Array(words[0])
                    close = Array(words[1])
                    continue
                }
            default:
                break
            }
            i = min(bytes.count, end + close.count)
        }
        return deepest
    }

    /// Describes a parse error by its kind and position only; the parser's context also
    /// carries the template line, which is left out.
    private static func syntaxError(_ error: any Error) -> RenderError.Kind {
        guard let parserError = error as? MustacheTemplate.ParserError else {
            return .syntax(reason: "unreadable template", line: 1, column: 1)
        }
        let line = parserError.context.lineNumber
        var column = parserError.context.columnNumber
        if line == 1 { column = max(1, column - textPragma.count) }
        let reason: String =
            switch parserError.error as? MustacheTemplate.Error {
            case .sectionCloseNameIncorrect: "a section is closed with a different name than it was opened with"
            case .unfinishedName: "a tag is not finished or its name has characters Mustache does not accept"
            case .expectedSectionEnd: "a section is not closed"
            case .invalidSetDelimiter: "a set-delimiter tag is malformed"
            case .transformAppliedToInheritanceSection: "a transform is applied to an inheritance section"
            case .illegalTokenInsideInheritSection: "an inheritance section holds a tag it cannot hold"
            case .textInsideInheritSection: "an inheritance section holds text"
            case .invalidConfigVariableSyntax: "a pragma tag is malformed"
            case .unrecognisedConfigVariable: "a pragma tag names an unknown setting"
            // swift-mustache's internal reader only fails by running past the end of the text.
            case nil: "the template ends inside an unfinished tag"
            }
        return .syntax(reason: reason, line: line, column: column)
    }
}
