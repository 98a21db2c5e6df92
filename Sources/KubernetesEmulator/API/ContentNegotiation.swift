import JSONCore

/// The representation a resource request's `Accept` header asks for, as kube-apiserver
/// negotiates it: JSON (also for Table and protobuf requests, which the emulator answers
/// in JSON), YAML, or none it serves (406).
enum ContentNegotiation {
    enum Representation: Equatable {
        case json
        case yaml
    }

    static let available = "application/json, application/yaml, application/vnd.kubernetes.protobuf"

    static var notAcceptable: APIError {
        APIError(code: 406, reason: "NotAcceptable", message: "406: Not Acceptable\n\nAvailable representations: \(available)")
    }

    /// The media ranges of the header by preference (q-value, then order); the first one
    /// served decides. No header, or an empty one, is JSON. At most 64 ranges are read.
    static func representation(accept: String?) throws -> Representation {
        guard let accept, !accept.trimmingSpaces.isEmpty else { return .json }
        var ranges: [(type: String, quality: Double)] = []
        for part in accept.split(separator: ",").prefix(64) {
            let fields = part.split(separator: ";").map { $0.trimmingSpaces.lowercased() }
            guard let type = fields.first, !type.isEmpty else { continue }
            let quality = fields.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            if quality > 0 { ranges.append((type, quality)) }
        }
        for range in ranges.enumerated().sorted(by: { ($0.element.quality, -$0.offset) > ($1.element.quality, -$1.offset) }).map(\.element) {
            switch range.type {
            case "application/yaml": return .yaml
            case "application/json", "application/vnd.kubernetes.protobuf", "application/*", "*/*": return .json
            default: continue
            }
        }
        throw notAcceptable
    }

    /// A JSON response rendered as YAML (kube-apiserver sorts keys, as the emulator's YAML does).
    static func yaml(_ response: APIResponse) -> APIResponse {
        guard response.headers.contains(where: { $0.0 == "Content-Type" && $0.1 == "application/json" }),
            case .bytes(let bytes) = response.body, let value = try? JSONValue(parsing: bytes)
        else { return response }
        let headers = response.headers.map { $0.0 == "Content-Type" ? ("Content-Type", "application/yaml") : $0 }
        return APIResponse(status: response.status, headers: headers, body: .bytes(Array(YAMLEmitter.render(value).utf8)))
    }
}
