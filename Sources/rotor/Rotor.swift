import ArgumentParser
import Foundation
import KubernetesEmulator
import RotorAPI

/// The `rotor` command: the operator, its local sandbox and its tools.
@main
struct Rotor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotor",
        abstract: "Sync secrets from Vault and AWS Secrets Manager into Kubernetes Secrets, with overlap rotation.",
        subcommands: [Run.self, Dev.self, CRDs.self, CheckConfig.self, Version.self])
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print Rotor's version.")

    func run() {
        print("rotor \(RotorVersion.current)")
    }
}

/// The version printed by `rotor version` and sent as the client's User-Agent.
enum RotorVersion {
    static let current = RotorAPIVersion.string
}
