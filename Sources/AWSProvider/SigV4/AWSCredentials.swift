import Foundation
import SecretProviders

/// An AWS access key pair, with a session token for temporary credentials.
///
/// Printing it shows only that it exists: the access key id, the secret key and the
/// session token never reach logs or error messages.
public struct AWSCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The access key id (`AKIA…`, `ASIA…` for temporary credentials).
    public var accessKeyID: SecretValue
    /// The secret access key.
    public var secretAccessKey: SecretValue
    /// The session token of temporary credentials (STS), sent as `X-Amz-Security-Token`.
    public var sessionToken: SecretValue?
    /// When temporary credentials stop working; `nil` for long-lived keys.
    public var expiration: Date?

    public init(accessKeyID: SecretValue, secretAccessKey: SecretValue, sessionToken: SecretValue? = nil, expiration: Date? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
    }

    /// Credentials from plain strings (environment variables, tests).
    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil) {
        self.init(
            accessKeyID: SecretValue(utf8: accessKeyID), secretAccessKey: SecretValue(utf8: secretAccessKey),
            sessionToken: sessionToken.map { SecretValue(utf8: $0) }, expiration: expiration)
    }

    public var description: String { "AWSCredentials(<redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: []) }
}
