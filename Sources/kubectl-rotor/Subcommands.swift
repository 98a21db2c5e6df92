import ArgumentParser
import Foundation
import RotorCLI

/// `kubectl rotor status [-n NS | -A]`: one line per ExternalSecret.
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List ExternalSecrets: store, readiness, last sync, rotation phase, grace left, next refresh.")

    @OptionGroup var connection: ConnectionOptions

    @Flag(name: [.customShort("A"), .customLong("all-namespaces")], help: "List ExternalSecrets in every namespace.")
    var allNamespaces = false

    func run() async throws {
        let output = try await ClusterConnection.with(connection.settings) { client, namespace in
            try await PluginCommands.status(client: client, namespace: allNamespaces ? nil : namespace, now: Date())
        }
        FileHandle.standardOutput.write(Data(output.stdout.utf8))
        FileHandle.standardError.write(Data(output.stderr.utf8))
    }
}

/// `kubectl rotor sync NAME`: sets `rotor.dev/force-sync`.
struct Sync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ask the operator to read the provider now (sets the rotor.dev/force-sync annotation).")

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The ExternalSecret's name.")
    var name: String

    func run() async throws {
        let line = try await ClusterConnection.with(connection.settings) { client, namespace in
            try await PluginCommands.request(.sync, client: client, namespace: namespace, name: name, now: Date())
        }
        FileHandle.standardOutput.write(Data(line.utf8))
    }
}

/// `kubectl rotor rotate NAME`: sets `rotor.dev/rotate`.
struct Rotate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ask the operator to run a scheduled rotation now (sets the rotor.dev/rotate annotation; needs spec.rotation.generate).")

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The ExternalSecret's name.")
    var name: String

    func run() async throws {
        let line = try await ClusterConnection.with(connection.settings) { client, namespace in
            try await PluginCommands.request(.rotate, client: client, namespace: namespace, name: name, now: Date())
        }
        FileHandle.standardOutput.write(Data(line.utf8))
    }
}

/// `kubectl rotor explain NAME`: why it is (not) ready.
struct Explain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explain why an ExternalSecret is (not) ready: its Ready condition, its store, its latest Events.")

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The ExternalSecret's name.")
    var name: String

    func run() async throws {
        let text = try await ClusterConnection.with(connection.settings) { client, namespace in
            try await PluginCommands.explain(client: client, namespace: namespace, name: name, now: Date())
        }
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
