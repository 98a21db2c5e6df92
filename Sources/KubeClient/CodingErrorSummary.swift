/// Where a Codable failure happened and of what sort, without the value that
/// caused it: a value being encoded or decoded may be secret data.
func codingErrorSummary(_ error: any Error) -> String {
    func path(_ codingPath: [any CodingKey]) -> String {
        let text = codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return text.isEmpty ? "the top level" : String(text.drop { $0 == "." })
    }
    switch error {
    case let error as DecodingError:
        switch error {
        case .typeMismatch(let type, let context): return "expected \(type) at \(path(context.codingPath))"
        case .valueNotFound(let type, let context): return "missing \(type) at \(path(context.codingPath))"
        case .keyNotFound(let key, let context): return "missing key \(key.stringValue) at \(path(context.codingPath))"
        case .dataCorrupted(let context): return "malformed value at \(path(context.codingPath))"
        @unknown default: return "undecodable value"
        }
    case let error as EncodingError:
        switch error {
        case .invalidValue(_, let context): return "unencodable value at \(path(context.codingPath))"
        @unknown default: return "unencodable value"
        }
    default:
        return "\(type(of: error))"
    }
}
