extension KubeAPIError {
    /// The kind of a `Status`: its `reason` first, the HTTP code only when the reason
    /// is missing or unknown, as in apimachinery's `errors.Is*` helpers.
    static func kind(reason: String?, httpStatus: Int, verb: String?) -> Kind {
        // apimachinery treats 429 as TooManyRequests whatever the reason says.
        if httpStatus == 429 { return .tooManyRequests }
        switch reason ?? "" {
        case "NotFound": return .notFound
        case "AlreadyExists": return .alreadyExists
        case "Conflict": return .conflict
        case "Gone", "Expired": return .gone
        case "Forbidden": return .forbidden
        case "Unauthorized": return .unauthorized
        case "Invalid": return .invalid
        case "TooManyRequests": return .tooManyRequests
        case "BadRequest", "MethodNotAllowed", "NotAcceptable", "UnsupportedMediaType", "RequestEntityTooLarge":
            return .badRequest
        case "InternalError", "ServerTimeout", "Timeout", "ServiceUnavailable", "StoreReadError":
            return .server
        default:
            return kind(httpStatus: httpStatus, verb: verb)
        }
    }

    private static func kind(httpStatus: Int, verb: String?) -> Kind {
        switch httpStatus {
        case 401: return .unauthorized
        case 403: return .forbidden
        case 404: return .notFound
        // Without a reason, a 409 on create means the name is taken (client-go does the same).
        case 409: return verb == "create" ? .alreadyExists : .conflict
        case 410: return .gone
        case 422: return .invalid
        case 400..<500: return .badRequest
        default: return .server
        }
    }
}
