import JSONCore

/// A parsed `labelSelector` query parameter, with the operators kube-apiserver
/// accepts: `=`, `==`, `!=`, `in`, `notin`, `>`, `<`, existence (`key`) and absence
/// (`!key`). Parsed by ``LabelSelectorParser``, as apimachinery's `labels.Parse` does.
struct LabelSelectorQuery: Sendable {
    enum Requirement: Sendable {
        case equals(String, String)
        case notEquals(String, String)
        case isIn(String, Set<String>)
        case notIn(String, Set<String>)
        case exists(String)
        case doesNotExist(String)
        case greaterThan(String, Int64)
        case lessThan(String, Int64)
    }

    var requirements: [Requirement]

    var isEmpty: Bool { requirements.isEmpty }

    /// Parses the selector syntax; throws a 400 worded as kube-apiserver's on bad input.
    init(parsing text: String) throws {
        do {
            var parser = LabelSelectorParser(text)
            requirements = try parser.parse()
        } catch let error as LabelSelectorParser.SyntaxError {
            throw APIError.badRequest(error.message)
        }
    }

    init(requirements: [Requirement]) { self.requirements = requirements }

    func matches(_ labels: [String: JSONValue]) -> Bool {
        requirements.allSatisfy { requirement in
            switch requirement {
            case .equals(let k, let v): return labels[k]?.stringValue == v
            case .notEquals(let k, let v): return labels[k]?.stringValue != v
            case .isIn(let k, let vs): return labels[k]?.stringValue.map(vs.contains) ?? false
            case .notIn(let k, let vs): return !(labels[k]?.stringValue.map(vs.contains) ?? false)
            case .exists(let k): return labels[k] != nil
            case .doesNotExist(let k): return labels[k] == nil
            case .greaterThan(let k, let bound): return labels[k]?.stringValue.flatMap { Int64($0) }.map { $0 > bound } ?? false
            case .lessThan(let k, let bound): return labels[k]?.stringValue.flatMap { Int64($0) }.map { $0 < bound } ?? false
            }
        }
    }

    func matches(object: JSONObject) -> Bool {
        if requirements.isEmpty { return true }
        return matches(object.value(at: ["metadata", "labels"])?.objectValue ?? [:])
    }
}

/// A parsed `fieldSelector` query parameter: `field=value`, `field==value` and
/// `field!=value` terms, on the fields a resource supports.
struct FieldSelectorQuery: Sendable {
    struct Term: Sendable {
        var path: [String]
        var field: String
        var value: String
        var negated: Bool
    }

    var terms: [Term]

    var isEmpty: Bool { terms.isEmpty }

    /// Parses and checks every field against those the resource supports, as the
    /// API server does ("field label not supported").
    init(parsing text: String, resource: ResourceDescriptor) throws {
        var terms: [Term] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: true) {
            let raw = String(part).trimmingSpaces
            var field: Substring
            var value: Substring
            var negated = false
            if let r = raw.range(of: "!=") {
                field = raw[..<r.lowerBound]
                value = raw[r.upperBound...]
                negated = true
            } else if let r = raw.range(of: "==") {
                field = raw[..<r.lowerBound]
                value = raw[r.upperBound...]
            } else if let r = raw.range(of: "=") {
                field = raw[..<r.lowerBound]
                value = raw[r.upperBound...]
            } else {
                throw APIError.badRequest("invalid selector: '\(raw)'; can't understand '\(raw)'")
            }
            let name = String(field).trimmingSpaces
            let path: [String]
            switch name {
            case "metadata.name": path = ["metadata", "name"]
            case "metadata.namespace": path = ["metadata", "namespace"]
            default:
                guard let p = resource.extraFieldSelectors[name] else {
                    // Types with their own field label conversion (and custom resources) say
                    // "not supported"; the others answer with apimachinery's default conversion.
                    if resource.extraFieldSelectors.isEmpty && resource.definedByCRD == nil {
                        throw APIError.badRequest("\(GoSyntax.quoted(name)) is not a known field selector: only \"metadata.name\", \"metadata.namespace\"")
                    }
                    throw APIError.badRequest("field label not supported: \(name)")
                }
                path = p
            }
            terms.append(Term(path: path, field: name, value: String(value).trimmingSpaces, negated: negated))
        }
        self.terms = terms
    }

    func matches(object: JSONObject) -> Bool {
        terms.allSatisfy { term in
            let actual = object.value(at: term.path)
            let text: String
            switch actual {
            case .string(let s): text = s
            case .bool(let b): text = b ? "true" : "false"
            case .int(let i): text = String(i)
            case nil, .null?: text = ""
            default: text = actual!.serializedString()
            }
            return (text == term.value) != term.negated
        }
    }

    /// The single `metadata.name=X` this selector pins, if any (used to answer fast).
    var pinnedName: String? {
        terms.first { $0.field == "metadata.name" && !$0.negated }?.value
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}

extension Substring {
    var trimmingSpaces: String { String(self).trimmingSpaces }
}
