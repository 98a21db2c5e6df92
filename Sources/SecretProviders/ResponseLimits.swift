/// How much of a provider's answer the operator reads into memory.
///
/// Every byte a provider returns is chosen by whoever runs the server a store names —
/// for a namespaced store, a tenant. An answer is read chunk by chunk and refused as
/// soon as it passes its cap, before it is parsed and before the rest is read, so a
/// server that sends 20 MiB, or an endless chunked body, costs at most the cap plus
/// one chunk.
///
/// The caps follow from what a useful answer can be: a Kubernetes Secret holds at most
/// 1 MiB of data, so a secret larger than that can never be written and is refused.
public enum ResponseLimits {
    /// One secret's answer (a Vault KV read, AWS `GetSecretValue`), a login, a token
    /// lookup: 1 MiB of data plus room for JSON escaping, base64 and the envelope.
    public static let secretAnswerBytes = 3 << 19  // 1.5 MiB
    /// An answer holding many secrets or names: AWS `BatchGetSecretValue` (at most 20
    /// secrets of at most 64 KiB each at AWS), `ListSecrets` pages, Vault `LIST`. A batch
    /// over it is read again one secret at a time, each under ``secretAnswerBytes``.
    public static let batchAnswerBytes = 4 << 20  // 4 MiB

    /// Reads `body` up to `limit` bytes. Throws ``ResponseTooLarge`` as soon as the total
    /// passes `limit` (having read at most one chunk beyond it), or at once when
    /// `declaredLength` (the `Content-Length`) already does; the rest is never read.
    public static func collect<Body: AsyncSequence>(
        _ body: Body, limit: Int, declaredLength: Int? = nil
    ) async throws -> [UInt8] where Body.Element: Collection, Body.Element.Element == UInt8 {
        if let declaredLength, declaredLength > limit { throw ResponseTooLarge(limit: limit) }
        var bytes: [UInt8] = []
        if let declaredLength, declaredLength > 0 { bytes.reserveCapacity(declaredLength) }
        for try await chunk in body {
            guard chunk.count <= limit - bytes.count else { throw ResponseTooLarge(limit: limit) }
            bytes.append(contentsOf: chunk)
        }
        return bytes
    }
}

/// A provider's answer was larger than its cap (see ``ResponseLimits``); it was not
/// read further nor parsed.
public struct ResponseTooLarge: Error, Sendable, Hashable, CustomStringConvertible {
    /// The cap, in bytes.
    public var limit: Int

    public init(limit: Int) { self.limit = limit }

    public var description: String { "the answer is larger than \(limit) bytes" }
}

extension ProviderError {
    /// The words that mark an oversize answer in ``detail``.
    static let tooLargeMarker = "answer larger than"

    /// An answer over its cap, for the secret `key` of `store`: never parsed, never retried
    /// (the same server would send the same), named in the ExternalSecret's condition.
    public static func answerTooLarge(store: String? = nil, key: String? = nil, version: String? = nil, limit: Int, what: String) -> ProviderError {
        .invalidResponse(
            store: store, key: key, version: version,
            detail: "\(what): \(tooLargeMarker) \(limit) bytes (a Kubernetes Secret holds at most 1 MiB); refused before parsing")
    }

    /// Whether this error is an oversize answer (``answerTooLarge(store:key:version:limit:what:)``).
    public var isAnswerTooLarge: Bool {
        self.class == .invalidResponse && (detail?.contains(Self.tooLargeMarker) ?? false)
    }

    /// The same error attributed to `key` (and `version`): an oversize answer is found by
    /// the transport, which does not know which secret was asked for.
    public func forKey(_ key: String, version: String?) -> ProviderError {
        .invalidResponse(store: store, key: key, version: version, detail: detail)
    }
}
