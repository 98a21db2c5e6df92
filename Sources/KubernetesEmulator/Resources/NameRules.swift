/// The string checks of apimachinery's `util/validation` (`IsDNS1123Label`,
/// `IsDNS1123Subdomain`, `IsQualifiedName`, `IsValidLabelValue`, `IsConfigMapKey`),
/// each answering every message kube-apiserver would, in its order and wording: a value
/// that is too long and also badly formed gets both messages (each becomes one cause).
/// Lengths are in bytes, as Go's `len` counts them. Work is linear in the value's length.
enum NameRules {
    static let dns1123LabelRegex = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
    static let dns1123SubdomainRegex = dns1123LabelRegex + "(\\." + dns1123LabelRegex + ")*"
    static let qualifiedNameRegex = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
    static let labelValueRegex = "(" + qualifiedNameRegex + ")?"
    static let configMapKeyRegex = "[-._a-zA-Z0-9]+"
    static let qualifiedNameWording = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"

    /// `MaxLenError`.
    static func maxLength(_ length: Int) -> String { "must be no more than \(length) characters" }

    /// `RegexError`: the rule, its examples and the regular expression.
    static func regexMessage(_ rule: String, _ regex: String, examples: [String]) -> String {
        guard !examples.isEmpty else { return rule + " (regex used for validation is '" + regex + "')" }
        return rule + " (e.g. " + examples.map { "'\($0)', " }.joined(separator: " or ") + "regex used for validation is '" + regex + "')"
    }

    static func dns1123Label(_ value: String) -> [String] {
        var problems: [String] = []
        if value.utf8.count > 63 { problems.append(maxLength(63)) }
        if !isLabel(value.utf8) {
            if isSubdomain(value) {
                problems.append("must not contain dots")
            } else {
                problems.append(regexMessage(
                    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
                    dns1123LabelRegex, examples: ["my-name", "123-abc"]))
            }
        }
        return problems
    }

    static func dns1123Subdomain(_ value: String) -> [String] {
        var problems: [String] = []
        if value.utf8.count > 253 { problems.append(maxLength(253)) }
        if !isSubdomain(value) {
            problems.append(regexMessage(
                "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
                dns1123SubdomainRegex, examples: ["example.com"]))
        }
        return problems
    }

    /// `[prefix/]name`, the prefix a DNS subdomain: label keys, annotation keys, finalizers.
    static func qualifiedName(_ value: String) -> [String] {
        let parts = value.split(separator: "/", omittingEmptySubsequences: false)
        var problems: [String] = []
        guard parts.count <= 2 else {
            return ["a qualified name " + regexMessage(qualifiedNameWording, qualifiedNameRegex, examples: ["MyName", "my.name", "123-abc"])
                + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]
        }
        if parts.count == 2 {
            let prefix = String(parts[0])
            if prefix.isEmpty {
                problems.append("prefix part must be non-empty")
            } else {
                problems += dns1123Subdomain(prefix).map { "prefix part " + $0 }
            }
        }
        let name = parts[parts.count - 1].utf8
        if name.isEmpty {
            problems.append("name part must be non-empty")
        } else if name.count > 63 {
            problems.append("name part " + maxLength(63))
        }
        if !isQualifiedNamePart(name) {
            problems.append("name part " + regexMessage(qualifiedNameWording, qualifiedNameRegex, examples: ["MyName", "my.name", "123-abc"]))
        }
        return problems
    }

    static func labelValue(_ value: String) -> [String] {
        var problems: [String] = []
        if value.utf8.count > 63 { problems.append(maxLength(63)) }
        if !value.isEmpty && !isQualifiedNamePart(value.utf8) {
            problems.append(regexMessage(
                "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
                labelValueRegex, examples: ["MyValue", "my_value", "12345"]))
        }
        return problems
    }

    /// A key of ConfigMap or Secret data.
    static func configMapKey(_ value: String) -> [String] {
        var problems: [String] = []
        if value.utf8.count > 253 { problems.append(maxLength(253)) }
        if value.isEmpty || !value.utf8.allSatisfy({ isAlphanumeric($0) || $0 == dash || $0 == underscore || $0 == dot }) {
            problems.append(regexMessage(
                "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
                configMapKeyRegex, examples: ["key.name", "KEY_NAME", "key-name"]))
        }
        if value == "." {
            problems.append("must not be '.'")
        } else if value == ".." {
            problems.append("must not be '..'")
        } else if value.hasPrefix("..") {
            problems.append("must not start with '..'")
        }
        return problems
    }

    private static let dash = UInt8(ascii: "-")
    private static let underscore = UInt8(ascii: "_")
    private static let dot = UInt8(ascii: ".")

    private static func isLowerAlphanumeric(_ c: UInt8) -> Bool { (c >= 97 && c <= 122) || (c >= 48 && c <= 57) }
    private static func isAlphanumeric(_ c: UInt8) -> Bool { isLowerAlphanumeric(c) || (c >= 65 && c <= 90) }

    private static func isLabel(_ bytes: some Collection<UInt8>) -> Bool {
        guard let first = bytes.first, let last = bytes.reversed().first else { return false }
        return isLowerAlphanumeric(first) && isLowerAlphanumeric(last) && bytes.allSatisfy { isLowerAlphanumeric($0) || $0 == dash }
    }

    private static func isSubdomain(_ value: String) -> Bool {
        value.utf8.split(separator: dot, omittingEmptySubsequences: false).allSatisfy { isLabel($0) }
    }

    private static func isQualifiedNamePart(_ bytes: some Collection<UInt8>) -> Bool {
        guard let first = bytes.first, let last = bytes.reversed().first else { return false }
        return isAlphanumeric(first) && isAlphanumeric(last)
            && bytes.allSatisfy { isAlphanumeric($0) || $0 == dash || $0 == underscore || $0 == dot }
    }
}
