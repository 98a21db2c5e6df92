import ArgumentParser
import Foundation
import RotorAPI
import RotorCLI

/// `kubectl rotor`: a kubectl plugin for Rotor's ExternalSecrets. kubectl runs any
/// `kubectl-NAME` executable on PATH as `kubectl NAME`, passing the arguments after NAME and
/// its environment (`KUBECONFIG` included); this one reads and annotates ExternalSecrets
/// and never reads a Secret.
///
/// Fails as kubectl fails: the error on standard error (`Error from server (NotFound): …`,
/// `error: …`) and exit code 1, for usage errors too.
@main
struct KubectlRotor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kubectl rotor",
        abstract: "Inspect Rotor's ExternalSecrets and ask the operator to sync or rotate them.",
        discussion: """
            Examples:
              kubectl rotor status -A              # every namespace
              kubectl rotor explain db -n shop     # why db is (not) ready
              kubectl rotor sync db                # read the provider now
              kubectl rotor rotate db              # run a scheduled rotation now
            """,
        version: "kubectl-rotor \(RotorAPIVersion.string)",
        subcommands: [Status.self, Sync.self, Rotate.self, Explain.self, Version.self])

    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            // `--help`, `--version` and `help` end here with exit code 0.
            if exitCode(for: error) == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            if error is ExitCode || error is CleanExit {
                exit(withError: error)
            }
            FileHandle.standardError.write(Data((errorText(error) + "\n").utf8))
            Foundation.exit(1)
        }
    }

    /// kubectl's wording: API and kubeconfig errors as kubectl words them, usage errors as
    /// `error: …` with the way to the help.
    static func errorText(_ error: any Error) -> String {
        guard exitCode(for: error) == .validationFailure else { return KubectlErrorMessage.text(for: error) }
        return "error: \(message(for: error))\nSee 'kubectl rotor --help' for usage."
    }
}

/// `kubectl rotor version`.
struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the plugin's version (also: kubectl rotor --version).")

    func run() {
        print("kubectl-rotor \(RotorAPIVersion.string)")
    }
}
