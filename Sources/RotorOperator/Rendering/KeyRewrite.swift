import KubeAPI
import RotorAPI
import SecretProviders

/// Renames the keys one `dataFrom` entry found or extracted, by its `rewrite` steps in order
/// (ESO's `dataFrom[].rewrite`). Pure: no I/O.
///
/// - `regexp`: every match of `source` in a key is replaced by `target`
///   (``LinearRegex/replacingAll(in:with:steps:budget:)``, Go's `ReplaceAllString`).
/// - `transform`: the key becomes the rendering of `template`, `{{value}}` being the key
///   (``SecretRenderer``'s engine and functions).
///
/// Steps see the provider's names: a `find` key as the remote name (`shop/db`) and an
/// `extract` key as the property name. After the steps a `find` key is made a Secret key by
/// the usual replacement of other characters with `_`, as ESO applies rewrites before its
/// conversion. Every resulting key must be a valid Secret key (`InvalidKey`, naming the
/// entry and the original key), and two keys of the entry may not end up the same
/// (`InvalidSpec`): then nothing is written.
///
/// Bounded against a hostile pattern and hostile names: patterns are ``LinearRegex``
/// (linear time, ≤ 1024 bytes, no backreferences or lookaround); an entry has at most
/// ``maximumSteps`` steps and ``maximumKeys`` keys; a key longer than
/// ``maximumKeyBytes`` at any step is refused; and one `regexp` step may spend at most
/// ``stepBudget`` matcher steps over all keys of the entry (some milliseconds of CPU), beyond
/// which it stops with `InvalidSpec`.
public enum KeyRewrite {
    /// The most rewrite steps of one `dataFrom` entry.
    public static let maximumSteps = 32
    /// The most keys one entry may rewrite.
    public static let maximumKeys = 10_000
    /// The longest key, in UTF-8 bytes, going into or coming out of any step.
    public static let maximumKeyBytes = 1024
    /// The longest `target` or `template`, in UTF-8 bytes.
    public static let maximumTemplateBytes = 1024
    /// Matcher steps one `regexp` step may spend over all keys of an entry.
    public static let stepBudget = 4_000_000

    /// The first problem of the spec's rewrite steps that needs no provider data: too many
    /// steps, a pattern ``LinearRegex`` refuses, a `target` or `template` too long, a
    /// template that does not parse, a step with neither or both of `regexp`, `transform`.
    public static func specProblem(_ spec: ExternalSecretSpec) -> SyncFailure? {
        for (index, source) in (spec.dataFrom ?? []).enumerated() {
            let steps = source.rewrite ?? []
            let field = "spec.dataFrom[\(index)].rewrite"
            if steps.count > maximumSteps {
                return .invalidSpec(field: field, problem: "at most \(maximumSteps) rewrite steps are allowed (there are \(steps.count))")
            }
            for (stepIndex, step) in steps.enumerated() {
                let stepField = "\(field)[\(stepIndex)]"
                switch (step.regexp, step.transform) {
                case (let regexp?, nil):
                    do {
                        _ = try LinearRegex(regexp.source)
                    } catch {
                        return .invalidSpec(field: "\(stepField).regexp.source", problem: error.description)
                    }
                    if regexp.target.utf8.count > maximumTemplateBytes {
                        return .invalidSpec(field: "\(stepField).regexp.target", problem: "is longer than \(maximumTemplateBytes) bytes")
                    }
                case (nil, let transform?):
                    if transform.template.utf8.count > maximumTemplateBytes {
                        return .invalidSpec(field: "\(stepField).transform.template", problem: "is longer than \(maximumTemplateBytes) bytes")
                    }
                    do {
                        _ = try SecretRenderer.renderTemplate(transform.template, key: "value", values: ["value": SecretValue(utf8: "key")])
                    } catch where !["templateFunctionFailed", "nonUTF8Value"].contains(error.code) {
                        // A syntax error or a name other than `value` fails for every key.
                        return .invalidSpec(field: "\(stepField).transform.template", problem: error.description)
                    } catch {
                        // A function failing on this sample key may work on the real ones.
                    }
                default:
                    return .invalidSpec(field: stepField, problem: "exactly one of regexp, transform must be set")
                }
            }
        }
        return nil
    }

    /// The keys of entry `index` after its steps (and, for `find`, the Secret-key
    /// conversion), with their values; or the failure naming the entry and the key.
    ///
    /// - Parameters:
    ///   - values: the entry's keys as the provider named them, with their values.
    ///   - externalSecret: `namespace/name`, for messages.
    public static func apply(
        _ source: ExternalSecretDataFromSource, index: Int, to values: [String: SecretValue], externalSecret: String
    ) -> Result<[String: SecretValue], SyncFailure> {
        let field = "spec.dataFrom[\(index)].rewrite"
        let steps = source.rewrite ?? []
        let convertsNames = source.extract == nil
        guard !steps.isEmpty else {
            guard convertsNames else { return .success(values) }
            var converted: [String: SecretValue] = [:]
            for key in values.keys.sorted() { converted[ValueResolver.secretKeyName(forRemoteKey: key)] = values[key] }
            return .success(converted)
        }
        guard values.count <= maximumKeys else {
            return .failure(SyncFailure(
                reason: ExternalSecretConditions.Reason.invalidSpec,
                message: "\(field): the entry has \(values.count) keys, more than the \(maximumKeys) a rewrite takes; ExternalSecret \(externalSecret) writes nothing"))
        }
        var names: [(original: String, current: String)] = values.keys.sorted().map { ($0, $0) }
        for (stepIndex, step) in steps.enumerated() {
            let stepField = "\(field)[\(stepIndex)]"
            var budgetUsed = 0
            var regex: LinearRegex?
            if let source = step.regexp?.source {
                do {
                    regex = try LinearRegex(source)
                } catch {
                    return .failure(.invalidSpec(field: "\(stepField).regexp.source", problem: error.description))
                }
            }
            for position in names.indices {
                let original = names[position].original
                guard names[position].current.utf8.count <= maximumKeyBytes else {
                    return .failure(tooLong(stepField, original: original, externalSecret: externalSecret))
                }
                var renamed: String
                if let regex, let target = step.regexp?.target {
                    do {
                        renamed = try regex.replacingAll(in: names[position].current, with: target, steps: &budgetUsed, budget: stepBudget)
                    } catch {
                        return .failure(SyncFailure(
                            reason: ExternalSecretConditions.Reason.invalidSpec,
                            message: "\(stepField).regexp.source: matching the entry's keys took more than \(stepBudget) steps (last key \(SecretLimits.shown(original))); use a simpler pattern. ExternalSecret \(externalSecret) writes nothing"))
                    }
                } else if let template = step.transform?.template {
                    do {
                        renamed = try SecretRenderer.renderTemplate(template, key: original, values: ["value": SecretValue(utf8: names[position].current)])
                    } catch {
                        return .failure(.invalidSpec(field: "\(stepField).transform.template", problem: error.description))
                    }
                } else {
                    return .failure(.invalidSpec(field: stepField, problem: "exactly one of regexp, transform must be set"))
                }
                guard renamed.utf8.count <= maximumKeyBytes else {
                    return .failure(tooLong(stepField, original: original, externalSecret: externalSecret))
                }
                names[position].current = renamed
            }
        }
        var result: [String: SecretValue] = [:]
        var originals: [String: String] = [:]
        for (original, current) in names {
            let key = convertsNames ? ValueResolver.secretKeyName(forRemoteKey: current) : current
            if let problem = SecretLimits.keyProblem(key) {
                return .failure(SyncFailure(
                    reason: ExternalSecretConditions.Reason.invalidKey,
                    message: "\(field): key \(SecretLimits.shown(original)) becomes \(SecretLimits.shown(key)), which is not a valid Secret key: \(problem); ExternalSecret \(externalSecret) leaves its Secret unchanged"))
            }
            if let other = originals[key] {
                return .failure(SyncFailure(
                    reason: ExternalSecretConditions.Reason.invalidSpec,
                    message: "\(field): keys \(SecretLimits.shown(other)) and \(SecretLimits.shown(original)) both become \(SecretLimits.shown(key)); ExternalSecret \(externalSecret) leaves its Secret unchanged (make the rewrite keep them apart)"))
            }
            originals[key] = original
            result[key] = values[original]
        }
        return .success(result)
    }

    private static func tooLong(_ field: String, original: String, externalSecret: String) -> SyncFailure {
        SyncFailure(
            reason: ExternalSecretConditions.Reason.invalidSpec,
            message: "\(field): key \(SecretLimits.shown(original)) becomes longer than \(maximumKeyBytes) bytes; ExternalSecret \(externalSecret) leaves its Secret unchanged")
    }
}
