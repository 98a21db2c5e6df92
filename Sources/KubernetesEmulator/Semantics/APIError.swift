import KubeAPI

/// An API failure as kube-apiserver reports it: an HTTP code and a `metav1.Status` body.
/// Messages name objects and fields, never values.
struct APIError: Error, Sendable {
    var status: Status
    var httpCode: Int { status.code ?? 500 }
    /// Extra response headers (e.g. `Retry-After`).
    var headers: [(String, String)] = []
    /// Set when kube-apiserver answers with plain text rather than a Status (a path no API
    /// serves: `404 page not found`).
    var textBody: String?

    init(code: Int, reason: String, message: String, details: StatusDetails? = nil) {
        status = Status(status: "Failure", message: message, reason: reason, details: details, code: code)
    }

    static func notFound(_ resource: ResourceDescriptor, _ name: String) -> APIError {
        APIError(
            code: 404, reason: "NotFound", message: "\(resource.qualifiedName) \"\(name)\" not found",
            details: StatusDetails(name: name, group: resource.statusGroup, kind: resource.plural))
    }

    static func alreadyExists(_ resource: ResourceDescriptor, _ name: String) -> APIError {
        APIError(
            code: 409, reason: "AlreadyExists", message: "\(resource.qualifiedName) \"\(name)\" already exists",
            details: StatusDetails(name: name, group: resource.statusGroup, kind: resource.plural))
    }

    static func conflict(_ resource: ResourceDescriptor, _ name: String, _ why: String) -> APIError {
        APIError(
            code: 409, reason: "Conflict",
            message: "Operation cannot be fulfilled on \(resource.qualifiedName) \"\(name)\": \(why)",
            details: StatusDetails(name: name, group: resource.statusGroup, kind: resource.plural))
    }

    static func invalid(_ resource: ResourceDescriptor, _ name: String, _ causes: [StatusCause]) -> APIError {
        invalid(kind: resource.kind, group: resource.group, name: name, causes)
    }

    /// 422 Invalid as `errors.NewInvalid` words it: `Kind[.group] "name" is invalid: ` and the
    /// causes (in brackets when there are several).
    static func invalid(kind: String, group: String, name: String, _ causes: [StatusCause]) -> APIError {
        let summary = causes.map { cause in
            [cause.field, cause.message].compactMap { $0 }.joined(separator: ": ")
        }
        let list = summary.count == 1 ? summary[0] : "[" + summary.joined(separator: ", ") + "]"
        return APIError(
            code: 422, reason: "Invalid", message: "\(kind)\(group.isEmpty ? "" : "." + group) \"\(name)\" is invalid: \(list)",
            details: StatusDetails(name: name.isEmpty ? nil : name, group: group.isEmpty ? nil : group, kind: kind, causes: causes))
    }

    /// 422 for a request option (`ListOptions`, `DeleteOptions`, `CreateOptions`...) that
    /// kube-apiserver's option validation refuses: `Unsupported value` when `supported` is
    /// given (the list as Go quotes it), otherwise `Forbidden` with `why`.
    static func invalidOption(_ kind: String, field: String, value: String, supported: [String]) -> APIError {
        let message = "Unsupported value: \"\(value)\": supported values: " + supported.map { "\"\($0)\"" }.joined(separator: ", ")
        return invalid(kind: kind, group: "meta.k8s.io", name: "", [StatusCause(reason: "FieldValueNotSupported", message: message, field: field)])
    }

    static func forbiddenOption(_ kind: String, field: String, why: String) -> APIError {
        invalid(kind: kind, group: "meta.k8s.io", name: "", [StatusCause(reason: "FieldValueForbidden", message: "Forbidden: " + why, field: field)])
    }

    /// A failed delete precondition, as kube-apiserver words it (its `details.kind` is the Kind):
    /// a UID that differs means the object was recreated, a resourceVersion that it changed.
    static func preconditionFailed(_ resource: ResourceDescriptor, _ name: String, _ what: String, expected: String, actual: String) -> APIError {
        let likely = what == "UID" ? "deleted and then recreated" : "modified"
        return APIError(
            code: 409, reason: "Conflict",
            message: "Operation cannot be fulfilled on \(resource.kind) \"\(name)\": the \(what) in the precondition (\(expected)) does not match the \(what) in record (\(actual)). The object might have been \(likely)",
            details: StatusDetails(name: name, group: resource.statusGroup, kind: resource.kind))
    }

    /// 500 with a bare message and no reason: an error kube-apiserver did not classify.
    static func internalError(_ message: String) -> APIError {
        var error = APIError(code: 500, reason: "", message: message)
        error.status.reason = nil
        return error
    }

    static func badRequest(_ message: String) -> APIError {
        APIError(code: 400, reason: "BadRequest", message: message)
    }

    static func methodNotAllowed(_ message: String = "the server does not allow this method on the requested resource") -> APIError {
        APIError(code: 405, reason: "MethodNotAllowed", message: message)
    }

    static func forbidden(_ resource: ResourceDescriptor, _ name: String, _ why: String) -> APIError {
        APIError(
            code: 403, reason: "Forbidden", message: "\(resource.qualifiedName) \"\(name)\" is forbidden: \(why)",
            details: StatusDetails(name: name, group: resource.statusGroup, kind: resource.plural))
    }

    static func gone(_ message: String) -> APIError {
        APIError(code: 410, reason: "Expired", message: message)
    }

    static func unauthorized() -> APIError {
        APIError(code: 401, reason: "Unauthorized", message: "Unauthorized")
    }

    /// A path no API group, version or custom resource handler serves: Go's mux answers
    /// it in plain text.
    static func pageNotFound(_ body: String = "404 page not found") -> APIError {
        var error = APIError(code: 404, reason: "NotFound", message: "404 page not found")
        error.textBody = body
        return error
    }

    static func pathNotFound() -> APIError {
        APIError(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
    }

    /// 415, listing what this endpoint does accept (as kube-apiserver's message does).
    static func unsupportedMediaType(_ type: String, accepted: [String]) -> APIError {
        APIError(
            code: 415, reason: "UnsupportedMediaType",
            message: "the body of the request was in an unknown format - accepted media types include: \(accepted.joined(separator: ", ")) (got \(type))")
    }

    /// 415 for a body in a format no decoder reads, as kube-apiserver words it.
    static let unsupportedBodyMediaType = APIError(
        code: 415, reason: "UnsupportedMediaType",
        message: "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf")

    static let bodyMediaTypes = ["application/json", ProtobufBodies.contentType + " (Namespace, Secret, ConfigMap, ServiceAccount, TokenRequest)"]
    static let patchMediaTypes = [
        PatchType.json.rawValue, PatchType.merge.rawValue, PatchType.strategic.rawValue + " (built-in types)", PatchType.apply.rawValue,
    ]
}
