import KubeAPI
import RotorAPI

/// Why an ExternalSecret's template could not be rendered.
///
/// The message names the template key (the target Secret key being rendered) and, where it
/// helps, the fetched key a tag referred to and the position of a syntax error. It never
/// holds a value, a rendered fragment or a line of the template.
public struct RenderError: Error, Sendable, Hashable, CustomStringConvertible {
    enum Kind: Hashable, Sendable {
        case syntax(reason: String, line: Int, column: Int)
        case unknownKey(referenced: String)
        case notUTF8(referenced: String)
        /// Sections nest deeper than the renderer allows.
        case tooDeep(limit: Int)
        /// A template function (``TemplateFunctions``) failed or is unknown; `call` is the
        /// expression (`b64dec(password)`), `reason` what was wrong (never a value).
        case functionFailed(call: String, reason: String)
        /// The template calls functions more often than ``TemplateFunctions/maximumCalls``.
        case tooManyCalls(limit: Int)
        /// Function calls nest deeper than the renderer allows.
        case callsTooDeep(limit: Int)
    }

    let kind: Kind
    /// The key of `spec.target.template.data` whose template failed.
    public let templateKey: String

    init(_ kind: Kind, templateKey: String) {
        self.kind = kind
        self.templateKey = templateKey
    }

    /// A stable identifier for alerts and tests: `templateSyntax`, `unknownTemplateKey`,
    /// `nonUTF8Value`, `templateTooDeep`, `templateFunctionFailed`, `templateTooManyCalls` or `templateCallsTooDeep`.
    public var code: String {
        switch kind {
        case .syntax: "templateSyntax"
        case .unknownKey: "unknownTemplateKey"
        case .notUTF8: "nonUTF8Value"
        case .tooDeep: "templateTooDeep"
        case .functionFailed: "templateFunctionFailed"
        case .tooManyCalls: "templateTooManyCalls"
        case .callsTooDeep: "templateCallsTooDeep"
        }
    }

    /// The `Ready` condition reason a reconciler reports: the spec cannot be acted on.
    public var conditionReason: String { ExternalSecretConditions.Reason.invalidSpec }

    /// The spec field at fault, which the condition message starts with (as every
    /// `InvalidSpec` message does).
    public var field: String { "spec.target.template.data" }

    /// The failure a reconciler reports: `InvalidSpec`, naming the field and the template key.
    public var syncFailure: SyncFailure {
        SyncFailure(reason: conditionReason, message: "\(field): \(description)", isTerminal: true)
    }

    /// The fetched key a tag referred to, for `unknownTemplateKey` and `nonUTF8Value`.
    public var referencedKey: String? {
        switch kind {
        case .syntax, .tooDeep, .functionFailed, .tooManyCalls, .callsTooDeep: nil
        case .unknownKey(let key), .notUTF8(let key): key
        }
    }

    public var description: String {
        switch kind {
        case .syntax(let reason, let line, let column):
            "template for key '\(templateKey)' has a syntax error at line \(line), column \(column): \(reason)"
        case .unknownKey(let referenced):
            "template for key '\(templateKey)' refers to '\(referenced)', which is not one of the fetched keys"
        case .notUTF8(let referenced):
            "template for key '\(templateKey)' refers to '\(referenced)', whose value is not UTF-8 text and cannot be templated"
        case .tooDeep(let limit):
            "template for key '\(templateKey)' nests sections more than \(limit) deep"
        case .functionFailed(let call, let reason):
            "template for key '\(templateKey)' calls \(call), which failed: \(reason)"
        case .tooManyCalls(let limit):
            "template for key '\(templateKey)' calls functions more than \(limit) times"
        case .callsTooDeep(let limit):
            "template for key '\(templateKey)' nests parentheses (function calls) more than \(limit) deep"
        }
    }
}
