import Foundation
import JSONCore
import KubeAPI

/// Validation rules of apimachinery shared by all resources (names, labels, annotations).
enum ObjectValidation {
    static let knownMetadataFields: Set<String> = [
        "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp",
        "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers",
        "managedFields",
    ]

    static func validateMetadata(_ object: JSONObject, resource: ResourceDescriptor, unknownFields: inout [String]) -> [StatusCause] {
        var causes: [StatusCause] = []
        let metadata = object["metadata"]?.objectValue ?? [:]
        for key in metadata.keys.sorted() where !knownMetadataFields.contains(key) { unknownFields.append("metadata.\(key)") }
        let name = metadata["name"]?.stringValue ?? ""
        let isNamespace = resource.id == ResourceRegistry.namespaces
        let isRBAC = resource.group == ResourceRegistry.rbacGroup
        func check(_ text: String) -> String? {
            isNamespace ? dnsLabelProblem(text) : isRBAC ? pathSegmentProblem(text) : dnsSubdomainProblem(text)
        }
        if let prefix = metadata["generateName"]?.stringValue, !prefix.isEmpty {
            // As ValidateObjectMeta checks it: the prefix with a trailing dash masked.
            let masked = prefix.hasSuffix("-") ? String(prefix.dropLast()) + "a" : prefix
            if let problem = check(masked) {
                causes.append(StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \"\(prefix)\": \(problem)", field: "metadata.generateName"))
            }
        }
        let nameProblem = check(name)
        if let nameProblem {
            causes.append(StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \"\(name)\": \(nameProblem)", field: "metadata.name"))
        }
        for (key, value) in (metadata["labels"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            if let problem = qualifiedNameProblem(key) {
                causes.append(StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \"\(key)\": \(problem)", field: "metadata.labels"))
            }
            guard let text = value.stringValue else {
                causes.append(StatusCause(reason: "FieldValueInvalid", message: "Invalid value: label values must be strings", field: "metadata.labels"))
                continue
            }
            if let problem = labelValueProblem(text) {
                causes.append(StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \"\(text)\": \(problem)", field: "metadata.labels"))
            }
        }
        var annotationBytes = 0
        for (key, value) in metadata["annotations"]?.objectValue ?? [:] {
            if let problem = qualifiedNameProblem(key) {
                causes.append(StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \"\(key)\": \(problem)", field: "metadata.annotations"))
            }
            annotationBytes += key.utf8.count + (value.stringValue?.utf8.count ?? 0)
        }
        if annotationBytes > 256 * 1024 {
            causes.append(StatusCause(reason: "FieldValueTooLong", message: "Too long: must have at most 262144 bytes", field: "metadata.annotations"))
        }
        for (i, ref) in (metadata["ownerReferences"]?.arrayValue ?? []).enumerated() {
            for field in ["apiVersion", "kind", "name", "uid"] where (ref[field]?.stringValue ?? "").isEmpty {
                causes.append(StatusCause(reason: "FieldValueRequired", message: "Required value", field: "metadata.ownerReferences[\(i)].\(field)"))
            }
        }
        for (i, finalizer) in (metadata["finalizers"]?.arrayValue ?? []).compactMap(\.stringValue).enumerated() {
            causes += finalizerProblems(finalizer, index: i)
        }
        let controllers = (metadata["ownerReferences"]?.arrayValue ?? []).filter { $0["controller"]?.boolValue == true }
        if controllers.count > 1 {
            causes.append(StatusCause(reason: "FieldValueInvalid", message: "Invalid value: only one reference can have Controller set to true", field: "metadata.ownerReferences"))
        }
        return causes
    }

    private static func isAlnumLower(_ c: UInt8) -> Bool { (c >= 97 && c <= 122) || (c >= 48 && c <= 57) }
    private static func isAlnum(_ c: UInt8) -> Bool { isAlnumLower(c) || (c >= 65 && c <= 90) }

    /// RFC 1123 label: namespaces and many names.
    static func dnsLabelProblem(_ s: String) -> String? {
        let u = Array(s.utf8)
        if u.isEmpty || u.count > 63 || !isAlnumLower(u.first!) || !isAlnumLower(u.last!)
            || !u.allSatisfy({ isAlnumLower($0) || $0 == UInt8(ascii: "-") })
        {
            return "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
        }
        return nil
    }

    /// A path segment: RBAC object names (`system:discovery`), anything a URL path can hold.
    static func pathSegmentProblem(_ s: String) -> String? {
        if s == "." || s == ".." { return "may not be '\(s)'" }
        if s.contains("/") { return "may not contain '/'" }
        if s.contains("%") { return "may not contain '%'" }
        return nil
    }

    /// RFC 1123 subdomain: most object names.
    static func dnsSubdomainProblem(_ s: String) -> String? {
        let u = Array(s.utf8)
        let ok = !u.isEmpty && u.count <= 253
            && s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { part in
                let p = Array(part.utf8)
                return !p.isEmpty && isAlnumLower(p.first!) && isAlnumLower(p.last!) && p.allSatisfy { isAlnumLower($0) || $0 == UInt8(ascii: "-") }
            }
        if ok { return nil }
        return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    }

    /// A label or annotation key: `[prefix/]name`.
    /// Finalizer names kube-apiserver accepts without a domain.
    static let standardFinalizers: Set<String> = [
        "kubernetes", "orphan", "foregroundDeletion", "customresourcecleanup.apiextensions.k8s.io",
    ]

    /// ValidateFinalizerName's findings: a qualified name, and one with a domain unless standard.
    static func finalizerProblems(_ name: String, index: Int) -> [StatusCause] {
        guard !standardFinalizers.contains(name) else { return [] }
        var causes: [StatusCause] = []
        if let problem = qualifiedNameProblem(name) {
            causes.append(StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \"\(name)\": \(problem)", field: "metadata.finalizers"))
        }
        if !name.contains("/") {
            causes.append(StatusCause(
                reason: "FieldValueInvalid", message: "Invalid value: \"\(name)\": name is neither a standard finalizer name nor is it fully qualified",
                field: "metadata.finalizers[\(index)]"))
        }
        return causes
    }

    static func qualifiedNameProblem(_ s: String) -> String? {
        let parts = s.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character" }
        if parts.count == 2, dnsSubdomainProblem(String(parts[0])) != nil { return "prefix part " + dnsSubdomainProblem(String(parts[0]))! }
        let name = Array(parts.last!.utf8)
        if name.isEmpty || name.count > 63 || !isAlnum(name.first!) || !isAlnum(name.last!)
            || !name.allSatisfy({ isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") })
        {
            return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
        }
        return nil
    }

    static func labelValueProblem(_ s: String) -> String? {
        if s.isEmpty { return nil }
        let v = Array(s.utf8)
        if v.count > 63 || !isAlnum(v.first!) || !isAlnum(v.last!)
            || !v.allSatisfy({ isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") })
        {
            return "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
        }
        return nil
    }

    /// A key of Secret or ConfigMap data.
    static func configKeyProblem(_ s: String) -> String? {
        let u = Array(s.utf8)
        if u.isEmpty || u.count > 253 || s == "." || s == ".."
            || !u.allSatisfy({ isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") })
        {
            return "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"
        }
        return nil
    }
}
