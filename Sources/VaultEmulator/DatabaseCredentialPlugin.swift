import Foundation
import NIOConcurrencyHelpers

/// What a `database/config/<name>` describes, as the emulator hands it to a plugin.
///
/// `password` is the database administrator's secret: it is never echoed by the API and
/// never printed (`description` leaves it out).
public struct DatabaseConnection: Sendable, CustomStringConvertible {
    /// The config's name (`database/config/<name>`).
    public var name: String
    /// E.g. `postgresql-database-plugin`.
    public var pluginName: String
    /// As written, possibly templated with `{{username}}` and `{{password}}` (Vault's form).
    public var connectionURL: String
    public var username: String
    public var password: String

    public init(name: String, pluginName: String, connectionURL: String, username: String, password: String) {
        self.name = name
        self.pluginName = pluginName
        self.connectionURL = connectionURL
        self.username = username
        self.password = password
    }

    public var description: String { "DatabaseConnection(\(name), \(pluginName), user \(username))" }
}

/// The database side of Vault's database secrets engine: what actually creates, extends
/// and drops a role in the database for a lease (Vault's plugin interface v5:
/// `NewUser`, `UpdateUser` with a new expiration, `DeleteUser`).
///
/// The emulator generates usernames and passwords and keeps the leases; a plugin only
/// runs statements. Statements arrive as the role holds them, templated the Vault way
/// (`{{name}}`, `{{username}}`, `{{password}}`, `{{expiration}}`); ``DatabaseStatements``
/// renders them. An empty statement list means "the plugin's default" (PostgreSQL: no
/// default for creation, `ALTER ROLE … VALID UNTIL` for renewal, revoke-and-drop for
/// revocation).
///
/// Errors thrown must not carry the password: the emulator answers a generic error.
public protocol DatabaseCredentialPlugin: Sendable {
    /// `verify_connection` on `database/config/<name>`: the connection works.
    func verifyConnection(_ connection: DatabaseConnection) async throws
    /// Creates `username` with `password`, valid until `expiration`.
    func createUser(
        _ connection: DatabaseConnection, statements: [String], username: String, password: String, expiration: Date
    ) async throws
    /// Moves `username`'s validity to `expiration` (a lease renewal).
    func renewUser(_ connection: DatabaseConnection, statements: [String], username: String, expiration: Date) async throws
    /// Drops `username` (a lease revoked or expired).
    func revokeUser(_ connection: DatabaseConnection, statements: [String], username: String) async throws
}

/// Vault's statement templating for database plugins.
public enum DatabaseStatements {
    /// `{{expiration}}` as Vault's SQL plugins write it: `2006-01-02 15:04:05-0700`, UTC.
    public static func expiration(_ date: Date) -> String {
        let whole = Date(timeIntervalSince1970: floor(date.timeIntervalSince1970))
        let c = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: whole)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d+0000", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }

    /// `statement` with `{{name}}` and `{{username}}`, `{{password}}` and `{{expiration}}`
    /// replaced (a missing value leaves its placeholder).
    public static func render(_ statement: String, username: String, password: String? = nil, expiration: Date? = nil) -> String {
        var out = statement.replacingOccurrences(of: "{{name}}", with: username)
            .replacingOccurrences(of: "{{username}}", with: username)
        if let password { out = out.replacingOccurrences(of: "{{password}}", with: password) }
        if let expiration { out = out.replacingOccurrences(of: "{{expiration}}", with: Self.expiration(expiration)) }
        return out
    }
}

/// A ``DatabaseCredentialPlugin`` that runs nothing and records what it was asked: the
/// emulator's default (for `rotor dev` and tests), standing in for a real database.
///
/// Its record holds rendered statements, as the database would receive them: creation
/// statements carry the generated password. It lives in memory only and is never logged.
public final class RecordingDatabasePlugin: DatabaseCredentialPlugin {
    public enum Operation: String, Sendable, Hashable { case verify, create, renew, revoke }

    /// One call.
    public struct Call: Sendable, Hashable {
        public var operation: Operation
        public var connection: String
        public var username: String
        public var expiration: Date?
        public var statements: [String]
    }

    /// A failure to inject.
    public struct InjectedFailure: Error, CustomStringConvertible {
        public var description: String { "injected database failure" }
    }

    private struct State {
        var calls: [Call] = []
        var users: [String: Date] = [:]
        var failing: Set<Operation> = []
    }

    private let state = NIOLockedValueBox(State())

    public init() {}

    /// Every call so far, oldest first.
    public var calls: [Call] { state.withLockedValue { $0.calls } }

    /// The users that exist now (created, not revoked), with their validity.
    public var users: [String: Date] { state.withLockedValue { $0.users } }

    /// Makes every later `operation` throw (until set to false).
    public func setFailing(_ operation: Operation, _ failing: Bool = true) {
        state.withLockedValue { if failing { $0.failing.insert(operation) } else { $0.failing.remove(operation) } }
    }

    private func record(_ call: Call, apply: (inout [String: Date]) -> Void) throws {
        try state.withLockedValue { state in
            if state.failing.contains(call.operation) { throw InjectedFailure() }
            state.calls.append(call)
            apply(&state.users)
        }
    }

    public func verifyConnection(_ connection: DatabaseConnection) async throws {
        try record(Call(operation: .verify, connection: connection.name, username: connection.username, expiration: nil, statements: [])) { _ in }
    }

    public func createUser(
        _ connection: DatabaseConnection, statements: [String], username: String, password: String, expiration: Date
    ) async throws {
        let rendered = statements.map { DatabaseStatements.render($0, username: username, password: password, expiration: expiration) }
        try record(Call(operation: .create, connection: connection.name, username: username, expiration: expiration, statements: rendered)) {
            $0[username] = expiration
        }
    }

    public func renewUser(_ connection: DatabaseConnection, statements: [String], username: String, expiration: Date) async throws {
        let rendered = statements.map { DatabaseStatements.render($0, username: username, expiration: expiration) }
        try record(Call(operation: .renew, connection: connection.name, username: username, expiration: expiration, statements: rendered)) {
            if $0[username] != nil { $0[username] = expiration }
        }
    }

    public func revokeUser(_ connection: DatabaseConnection, statements: [String], username: String) async throws {
        let rendered = statements.map { DatabaseStatements.render($0, username: username) }
        try record(Call(operation: .revoke, connection: connection.name, username: username, expiration: nil, statements: rendered)) {
            $0[username] = nil
        }
    }
}
