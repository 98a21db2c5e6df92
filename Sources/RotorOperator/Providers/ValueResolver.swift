import KubeAPI
import RotorAPI
import SecretProviders

/// Why an ExternalSecret's values could not be read: the field that asked for them and
/// the provider's error (which names store and key, never a value).
public struct ResolveFailure: Error, Sendable, CustomStringConvertible {
    /// e.g. `spec.data[1].remoteRef` or `spec.dataFrom[0].find`.
    public var field: String
    public var error: ProviderError
    /// Set when the values were read but a `dataFrom[].rewrite` refused their keys
    /// (``KeyRewrite``): the failure to report as it is (`error` then only classifies it as
    /// an invalid request, and nothing is deleted).
    public var keyRefusal: SyncFailure?

    public init(field: String, error: ProviderError, keyRefusal: SyncFailure? = nil) {
        self.field = field
        self.error = error
        self.keyRefusal = keyRefusal
    }

    public var description: String { keyRefusal.map(\.description) ?? "\(field): \(error)" }
}

/// Reads everything an ExternalSecret asks for — `dataFrom` entries in order, then
/// `data` (which wins over `dataFrom` for the same secret key, as in ESO) — from one
/// provider, and returns secret key → value. All-or-nothing: the first failure is
/// returned and nothing partial is, so a failing provider can never shrink a Secret.
/// Each `dataFrom` entry's keys go through its `rewrite` steps (``KeyRewrite``) before they
/// join the others.
public enum ValueResolver {
    /// - Parameter externalSecret: `namespace/name`, named by rewrite failures.
    public static func resolve(
        _ spec: ExternalSecretSpec, from reader: any SecretReader, externalSecret: String = ""
    ) async -> Result<[String: SecretValue], ResolveFailure> {
        var values: [String: SecretValue] = [:]
        for (index, source) in (spec.dataFrom ?? []).enumerated() {
            do {
                var found: [String: SecretValue] = [:]
                if let extract = source.extract {
                    let id = RemoteSecretID(key: extract.key, version: extract.version)
                    let secret = try await reader.read(id)
                    found = try secret.extract(for: id)
                } else if let find = source.find {
                    let keys = try await reader.find(FindQuery(path: find.path, nameRegexp: find.name?.regexp, tags: find.tags ?? [:]))
                    for key in keys.sorted() {
                        let secret = try await reader.read(RemoteSecretID(key: key))
                        found[key] = secret.value
                    }
                }
                switch KeyRewrite.apply(source, index: index, to: found, externalSecret: externalSecret) {
                case .success(let renamed): values.merge(renamed) { _, new in new }
                case .failure(let refusal):
                    return .failure(ResolveFailure(
                        field: "spec.dataFrom[\(index)].rewrite", error: .invalidRequest(detail: "rewrite refused the keys"), keyRefusal: refusal))
                }
            } catch let error as ProviderError {
                return .failure(ResolveFailure(field: "spec.dataFrom[\(index)]", error: source.extract.map { error.about(key: $0.key) } ?? error))
            } catch {
                return .failure(ResolveFailure(field: "spec.dataFrom[\(index)]", error: .transient(detail: "\(type(of: error))")))
            }
        }
        let entries = spec.data ?? []
        let refs = entries.map { RemoteRef(key: $0.remoteRef.key, property: $0.remoteRef.property, version: $0.remoteRef.version) }
        guard !refs.isEmpty else { return .success(values) }
        let outcomes: [RemoteRef: Result<SecretValue, ProviderError>]
        do {
            outcomes = try await reader.values(for: refs)
        } catch let error as ProviderError {
            return .failure(ResolveFailure(field: "spec.data", error: error))
        } catch {
            return .failure(ResolveFailure(field: "spec.data", error: .transient(detail: "\(type(of: error))")))
        }
        for (index, (entry, ref)) in zip(entries, refs).enumerated() {
            switch outcomes[ref] {
            case .success(let value)?:
                values[entry.secretKey] = value
            case .failure(let error)?:
                return .failure(ResolveFailure(field: "spec.data[\(index)].remoteRef", error: error.about(key: ref.key)))
            case nil:
                return .failure(ResolveFailure(field: "spec.data[\(index)].remoteRef", error: .invalidResponse(key: ref.key, detail: "no result for this key")))
            }
        }
        return .success(values)
    }

    /// The Secret key for a remote key found by `dataFrom.find`: characters a Secret key
    /// cannot hold (anything but letters, digits, `-`, `_`, `.`) become `_`, as ESO's
    /// default conversion does (`shop/api-key` → `shop_api-key`).
    public static func secretKeyName(forRemoteKey key: String) -> String {
        String(key.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") ? $0 : "_" })
    }
}
