import Foundation
import JSONCore

/// Kubernetes `metav1.LabelSelector`: which objects a workload, service or list request
/// selects by their labels. All of `matchLabels` and `matchExpressions` must hold.
public struct LabelSelector: Codable, Sendable, Hashable {
    /// Each entry requires the label to have exactly this value.
    public var matchLabels: [String: String]?
    public var matchExpressions: [LabelSelectorRequirement]?

    public init(matchLabels: [String: String]? = nil, matchExpressions: [LabelSelectorRequirement]? = nil) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }

    /// True when the selector has no requirement, and so selects everything.
    public var isEmpty: Bool {
        (matchLabels ?? [:]).isEmpty && (matchExpressions ?? []).isEmpty
    }

    /// Whether an object with these labels is selected.
    ///
    /// An empty selector matches everything. A requirement with an operator Kubernetes
    /// does not know matches nothing, where the API server would reject the selector.
    public func matches(_ labels: [String: String]) -> Bool {
        for (key, value) in matchLabels ?? [:] where labels[key] != value { return false }
        for requirement in matchExpressions ?? [] where !requirement.matches(labels) { return false }
        return true
    }

    /// The selector in the text syntax of the `labelSelector` list parameter, e.g.
    /// `app=web,tier in (a,b),!legacy`, requirements sorted by key as Kubernetes prints
    /// them; empty for the empty selector. `nil` when an operator is unknown, which the
    /// API server would reject. The caller URL-encodes it.
    public var queryString: String? {
        var parts: [(key: String, text: String)] = []
        for (key, value) in matchLabels ?? [:] { parts.append((key, "\(key)=\(value)")) }
        for requirement in matchExpressions ?? [] {
            guard let text = requirement.queryString else { return nil }
            parts.append((requirement.key, text))
        }
        return parts.sorted { ($0.key, $0.text) < ($1.key, $1.text) }.map(\.text).joined(separator: ",")
    }
}

/// One `matchExpressions` entry: a key, an operator and (for `In`/`NotIn`) values.
public struct LabelSelectorRequirement: Codable, Sendable, Hashable {
    public var key: String
    public var `operator`: LabelSelectorOperator
    /// Non-empty for `In` and `NotIn`, empty for `Exists` and `DoesNotExist`.
    public var values: [String]?

    public init(key: String, operator: LabelSelectorOperator, values: [String]? = nil) {
        self.key = key
        self.operator = `operator`
        self.values = values
    }

    /// Whether an object with these labels satisfies the requirement.
    public func matches(_ labels: [String: String]) -> Bool {
        switch `operator` {
        case .in: return labels[key].map { (values ?? []).contains($0) } ?? false
        case .notIn: return labels[key].map { !(values ?? []).contains($0) } ?? true
        case .exists: return labels[key] != nil
        case .doesNotExist: return labels[key] == nil
        default: return false
        }
    }

    var queryString: String? {
        let list = "(\((values ?? []).sorted().joined(separator: ",")))"
        switch `operator` {
        case .in: return "\(key) in \(list)"
        case .notIn: return "\(key) notin \(list)"
        case .exists: return key
        case .doesNotExist: return "!\(key)"
        default: return nil
        }
    }
}

/// The operator of a label selector requirement: `In`, `NotIn`, `Exists`, `DoesNotExist`.
public struct LabelSelectorOperator: RawRepresentable, Codable, Sendable, Hashable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }

    /// The label is present with one of the values.
    public static let `in`: LabelSelectorOperator = "In"
    /// The label is absent, or present with none of the values.
    public static let notIn: LabelSelectorOperator = "NotIn"
    public static let exists: LabelSelectorOperator = "Exists"
    public static let doesNotExist: LabelSelectorOperator = "DoesNotExist"
}
