import Foundation
import SecretProviders

/// Where a store's AWS credentials come from.
public protocol AWSCredentialSource: Sendable {
    /// Credentials usable now.
    func credentials() async throws -> AWSCredentials
    /// Drops anything cached (AWS said the credentials expired).
    func invalidate() async
    /// Changes when the inputs change (a web identity token file rewritten), so caches refresh.
    func generation() -> String
}

extension AWSCredentialSource {
    public func invalidate() async {}
    public func generation() -> String { "" }
}

/// Fixed credentials.
public struct StaticCredentialSource: AWSCredentialSource {
    public let fixed: AWSCredentials
    public init(_ credentials: AWSCredentials) { self.fixed = credentials }
    public func credentials() async throws -> AWSCredentials { fixed }
}

/// Access keys kept in Kubernetes Secrets (`auth.secretRef`), read through the operator's resolver.
struct StoreSecretCredentialSource: AWSCredentialSource {
    struct Reference: Sendable, Hashable {
        var name: String
        var key: String
        var namespace: String?
    }

    var resolver: any CredentialResolver
    var accessKeyID: Reference
    var secretAccessKey: Reference
    var sessionToken: Reference?

    func credentials() async throws -> AWSCredentials {
        func read(_ reference: Reference, _ what: String) async throws -> SecretValue {
            let value: SecretValue
            do {
                value = try await resolver.credential(name: reference.name, key: reference.key, namespace: reference.namespace)
            } catch let error as ProviderError {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                throw ProviderError.invalidRequest(detail: "auth.secretRef: cannot read \(what) from \(reference.name)/\(reference.key)")
            }
            let trimmed = value.revealedString()?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            guard !trimmed.isEmpty else {
                throw ProviderError.invalidRequest(detail: "auth.secretRef: \(what) in \(reference.name)/\(reference.key) is empty")
            }
            return SecretValue(utf8: trimmed)
        }
        let id = try await read(accessKeyID, "the access key id")
        let secret = try await read(secretAccessKey, "the secret access key")
        let token = try await sessionToken.asyncMap { try await read($0, "the session token") }
        return AWSCredentials(accessKeyID: id, secretAccessKey: secret, sessionToken: token)
    }
}

extension Optional {
    fileprivate func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}

/// STS `AssumeRoleWithWebIdentity` with a token from `token` (a TokenRequest token, or the
/// projected file of IRSA).
struct WebIdentityCredentialSource: AWSCredentialSource {
    var roleARN: String
    var sessionName: String
    var sts: STSClient
    var token: @Sendable () async throws -> SecretValue
    var tokenGeneration: @Sendable () -> String = { "" }

    func credentials() async throws -> AWSCredentials {
        let jwt = try await token()
        return try await sts.assumeRoleWithWebIdentity(roleARN: roleARN, sessionName: sessionName, token: jwt)
    }

    func generation() -> String { tokenGeneration() }
}

/// STS `AssumeRole` with the credentials of `base`: one link of a store's chain
/// (`additionalRoles`, then `role`, which alone carries `parameters`).
struct AssumeRoleCredentialSource: AWSCredentialSource {
    var roleARN: String
    var sessionName: String
    var sts: STSClient
    var base: any AWSCredentialSource
    var parameters = AssumeRoleParameters()

    func credentials() async throws -> AWSCredentials {
        try await sts.assumeRole(roleARN: roleARN, sessionName: sessionName, credentials: base, parameters: parameters)
    }

    func invalidate() async { await base.invalidate() }
    func generation() -> String { base.generation() }
}

/// The operator pod's own credentials (no `auth`), in the AWS SDKs' order: `AWS_ACCESS_KEY_ID` /
/// `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`; else `AWS_ROLE_ARN` +
/// `AWS_WEB_IDENTITY_TOKEN_FILE` as EKS IRSA mounts them (the file is read afresh
/// whenever it changed); else the container credentials endpoint of EKS Pod Identity or ECS
/// (``ContainerCredentialSource``).
///
/// Holds the process environment, keys included: it prints and dumps as its variable
/// names only.
struct EnvironmentCredentialSource: AWSCredentialSource, CustomStringConvertible, CustomReflectable {
    var environment: [String: String]
    var sts: STSClient
    var sessionName: String
    /// Reaches the container credentials endpoint.
    var containerTransport: any AWSTransport = ContainerCredentialSource.defaultTransport

    var description: String {
        "EnvironmentCredentialSource(\(environment.keys.filter { $0.hasPrefix("AWS_") }.sorted().joined(separator: ", ")))"
    }

    var customMirror: Mirror { Mirror(self, children: ["description": description], displayStyle: .struct) }

    func credentials() async throws -> AWSCredentials {
        if let id = environment["AWS_ACCESS_KEY_ID"], !id.isEmpty, let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty {
            let token = environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
            return AWSCredentials(accessKeyID: id, secretAccessKey: secret, sessionToken: token)
        }
        if let role = environment["AWS_ROLE_ARN"], !role.isEmpty, let file = environment["AWS_WEB_IDENTITY_TOKEN_FILE"], !file.isEmpty {
            let token = try Self.readToken(file)
            let session = environment["AWS_ROLE_SESSION_NAME"].flatMap { $0.isEmpty ? nil : $0 } ?? sessionName
            return try await sts.assumeRoleWithWebIdentity(roleARN: role, sessionName: session, token: token)
        }
        if let container = try ContainerCredentialSource.fromEnvironment(environment, transport: containerTransport) {
            return try await container.credentials()
        }
        throw ProviderError.invalidRequest(
            detail: "no auth given and the operator's environment has no AWS credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_ROLE_ARN/AWS_WEB_IDENTITY_TOKEN_FILE or AWS_CONTAINER_CREDENTIALS_FULL_URI)")
    }

    func generation() -> String {
        guard environment["AWS_ACCESS_KEY_ID"]?.isEmpty ?? true, let file = environment["AWS_WEB_IDENTITY_TOKEN_FILE"] else { return "" }
        return Self.fileGeneration(file)
    }

    static func readToken(_ path: String) throws -> SecretValue {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ProviderError.invalidRequest(detail: "cannot read the web identity token file \(path)")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw ProviderError.invalidRequest(detail: "the web identity token file \(path) is empty") }
        return SecretValue(utf8: text)
    }

    /// Modification time and size: a rewritten (rotated) token file changes it.
    static func fileGeneration(_ path: String) -> String {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return "missing" }
        let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        let size = (attributes[.size] as? NSNumber)?.int64Value ?? -1
        return "\(modified)/\(size)"
    }
}
