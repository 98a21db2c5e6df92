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
        func check(_ text: String) -> [String] {
            isNamespace ? NameRules.dns1123Label(text) : isRBAC ? pathSegmentProblem(text).map { [$0] } ?? [] : NameRules.dns1123Subdomain(text)
        }
        func invalid(_ field: String, _ value: String, _ problems: [String]) {
            for problem in problems {
                causes.append(StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \"\(value)\": \(problem)", field: field))
            }
        }
        if let prefix = metadata["generateName"]?.stringValue, !prefix.isEmpty {
            // As ValidateObjectMeta checks it: the prefix with a trailing dash masked.
            let masked = prefix.hasSuffix("-") ? String(prefix.dropLast()) + "a" : prefix
            invalid("metadata.generateName", prefix, check(masked))
        }
        invalid("metadata.name", name, check(name))
        for (key, value) in (metadata["labels"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            invalid("metadata.labels", key, NameRules.qualifiedName(key))
            guard let text = value.stringValue else {
                causes.append(StatusCause(reason: "FieldValueInvalid", message: "Invalid value: label values must be strings", field: "metadata.labels"))
                continue
            }
            invalid("metadata.labels", text, NameRules.labelValue(text))
        }
        var annotationBytes = 0
        for (key, value) in (metadata["annotations"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            // ValidateAnnotations checks the lower-cased key (a prefix may have capitals).
            invalid("metadata.annotations", key, NameRules.qualifiedName(key.lowercased()))
            annotationBytes += key.utf8.count + (value.stringValue?.utf8.count ?? 0)
        }
        if annotationBytes > 256 * 1024 {
            causes.append(StatusCause(reason: "FieldValueTooLong", message: "Too long: must have at most 262144 bytes", field: "metadata.annotations"))
        }
        causes += ownerReferenceProblems(metadata["ownerReferences"]?.arrayValue ?? [])
        for (i, finalizer) in (metadata["finalizers"]?.arrayValue ?? []).compactMap(\.stringValue).enumerated() {
            causes += finalizerProblems(finalizer, index: i)
        }
        return causes
    }

    /// ValidateOwnerReferences: each reference's empty members (named without the index, as
    /// kube-apiserver names them), then a second controller.
    static func ownerReferenceProblems(_ references: [JSONValue]) -> [StatusCause] {
        var causes: [StatusCause] = []
        var firstController: String?
        for reference in references {
            let apiVersion = reference["apiVersion"]?.stringValue ?? ""
            let kind = reference["kind"]?.stringValue ?? ""
            let name = reference["name"]?.stringValue ?? ""
            if groupVersionVersion(apiVersion).isEmpty {
                causes.append(StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \"\(apiVersion)\": version must not be empty", field: "metadata.ownerReferences.apiVersion"))
            }
            for (member, value) in [("kind", kind), ("name", name), ("uid", reference["uid"]?.stringValue ?? "")] where value.isEmpty {
                causes.append(StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \"\": \(member) must not be empty", field: "metadata.ownerReferences.\(member)"))
            }
            guard reference["controller"]?.boolValue == true else { continue }
            if let firstController {
                causes.append(StatusCause(
                    reason: "FieldValueInvalid",
                    message: "Invalid value: \(goOwnerReferences(references)): Only one reference can have Controller set to true. Found \"true\" in references for \(firstController) and \(kind)/\(name)",
                    field: "metadata.ownerReferences"))
            } else {
                firstController = "\(kind)/\(name)"
            }
        }
        return causes
    }

    /// The references as Go's `%#v` prints a `[]v1.OwnerReference` (kube-apiserver quotes
    /// the list that way); a set `*bool` prints as an address, here a made-up one.
    static func goOwnerReferences(_ references: [JSONValue]) -> String {
        func pointer(_ value: JSONValue?, _ index: Int) -> String {
            guard let value, value.boolValue != nil else { return "(*bool)(nil)" }
            return "(*bool)(0xc0000\(String(0x10000 + index * 16, radix: 16)))"
        }
        let items = references.enumerated().map { index, reference in
            let fields = ["apiVersion", "kind", "name", "uid"].map { GoSyntax.quoted(reference[$0]?.stringValue ?? "") }
            return "v1.OwnerReference{APIVersion:\(fields[0]), Kind:\(fields[1]), Name:\(fields[2]), UID:\(fields[3]), "
                + "Controller:\(pointer(reference["controller"], 2 * index)), BlockOwnerDeletion:\(pointer(reference["blockOwnerDeletion"], 2 * index + 1))}"
        }
        return "[]v1.OwnerReference{" + items.joined(separator: ", ") + "}"
    }

    /// The version of an `apiVersion` as schema.ParseGroupVersion reads it ("" when it has
    /// none or cannot be parsed).
    private static func groupVersionVersion(_ apiVersion: String) -> Substring {
        let parts = apiVersion.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return parts[0]
        case 2: return parts[1]
        default: return ""
        }
    }

    /// RFC 1123 label: namespaces and many names (the first of kube-apiserver's messages).
    static func dnsLabelProblem(_ s: String) -> String? { NameRules.dns1123Label(s).first }

    /// A path segment: RBAC object names (`system:discovery`), anything a URL path can hold.
    static func pathSegmentProblem(_ s: String) -> String? {
        if s == "." || s == ".." { return "may not be '\(s)'" }
        if s.contains("/") { return "may not contain '/'" }
        if s.contains("%") { return "may not contain '%'" }
        return nil
    }

    /// RFC 1123 subdomain: most object names (the first of kube-apiserver's messages).
    static func dnsSubdomainProblem(_ s: String) -> String? { NameRules.dns1123Subdomain(s).first }

    /// Finalizer names kube-apiserver accepts without a domain.
    static let standardFinalizers: Set<String> = [
        "kubernetes", "orphan", "foregroundDeletion", "customresourcecleanup.apiextensions.k8s.io",
    ]

    /// ValidateFinalizerName's findings: a qualified name, and one with a domain unless standard.
    static func finalizerProblems(_ name: String, index: Int) -> [StatusCause] {
        guard !standardFinalizers.contains(name) else { return [] }
        var causes: [StatusCause] = []
        for problem in NameRules.qualifiedName(name) {
            causes.append(StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \"\(name)\": \(problem)", field: "metadata.finalizers"))
        }
        if !name.contains("/") {
            causes.append(StatusCause(
                reason: "FieldValueInvalid", message: "Invalid value: \"\(name)\": name is neither a standard finalizer name nor is it fully qualified",
                field: "metadata.finalizers[\(index)]"))
        }
        return causes
    }

    /// A label or annotation key (the first of kube-apiserver's messages).
    static func qualifiedNameProblem(_ s: String) -> String? { NameRules.qualifiedName(s).first }

    /// A label value (the first of kube-apiserver's messages).
    static func labelValueProblem(_ s: String) -> String? { NameRules.labelValue(s).first }

    /// A key of Secret or ConfigMap data (the first of kube-apiserver's messages).
    static func configKeyProblem(_ s: String) -> String? { NameRules.configMapKey(s).first }
}
