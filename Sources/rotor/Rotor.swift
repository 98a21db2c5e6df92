import ArgumentParser
import Foundation
import KubernetesEmulator
import RotorAPI

/// The `rotor` command: the operator, its local sandbox and its tools.
///
/// Exit codes, the same for every subcommand: 0 success (and `--help`, `--version`),
/// 1 a runtime failure, 2 a configuration or usage error (argument parsing included, which
/// swift-argument-parser would answer with 64).
@main
struct Rotor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotor",
        abstract: "Sync secrets from Vault and AWS Secrets Manager into Kubernetes Secrets, with overlap rotation.",
        discussion: """
            Exit codes: 0 success, 1 a runtime failure, 2 a configuration or usage error.
            """,
        version: "rotor \(RotorVersion.current)",
        subcommands: [Run.self, Dev.self, CRDs.self, CheckConfig.self, Version.self, Completion.self])

    static func main() async {
        let arguments = BooleanArguments.normalize(Array(CommandLine.arguments.dropFirst()))
        do {
            var command = try parseAsRoot(arguments)
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            // Help ends with examples of real use (the parser prints its discussion first).
            if exitCode(for: error) == .success, arguments.contains(where: { $0 == "--help" || $0 == "-h" }) || arguments.first == "help" {
                print(fullMessage(for: error))
                print(HelpExamples.text(for: arguments))
                Foundation.exit(0)
            }
            // Usage errors answer 2 like every other configuration error (not the parser's 64).
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print Rotor's version (also: rotor --version).")

    func run() {
        print("rotor \(RotorVersion.current)")
    }
}

/// `rotor completion bash|zsh|fish`: the shell completion script, as kubectl and helm have.
struct Completion: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the shell completion script for bash, zsh or fish.")

    @Argument(help: "bash, zsh or fish.")
    var shell: String

    func run() throws {
        guard let completionShell = CompletionShell(rawValue: shell) else {
            throw ValidationError("unknown shell \(shell): choose bash, zsh or fish")
        }
        print(Rotor.completionScript(for: completionShell))
    }
}

/// The examples at the end of each command's `--help`.
enum HelpExamples {
    static let byCommand: [String: [String]] = [
        "": [
            "rotor dev                                       # a local sandbox with a demo",
            "rotor run --kubeconfig ~/.kube/config --leader-elect=false",
            "source <(rotor completion bash)",
        ],
        "run": [
            "rotor run --kubeconfig ~/.kube/config --leader-elect=false --health-address 127.0.0.1:8080",
            "ROTOR_NAMESPACES=shop,payments rotor run --leader-elect --workers 32",
        ],
        "check-config": [
            "rotor check-config --workers 32 --leader-elect",
            "ROTOR_KUBE_QPS=200 rotor check-config --log-format text",
        ],
        "dev": [
            "rotor dev                                       # then: export KUBECONFIG=$PWD/.rotor-dev/kubeconfig",
            "rotor dev --kubeconfig /tmp/rotor/kubeconfig    # vault.env goes to /tmp/rotor/vault.env",
            "rotor dev --api-only --port 6443                # the Kubernetes API emulator alone",
        ],
        "crds": [
            "rotor crds | kubectl apply -f -",
            "rotor crds --output-dir manifests/crds",
        ],
        "version": ["rotor version", "rotor --version"],
        "completion": [
            "source <(rotor completion bash)                              # this shell",
            "rotor completion bash > /etc/bash_completion.d/rotor         # every new bash",
            "rotor completion zsh > \"${fpath[1]}/_rotor\"                  # zsh",
            "rotor completion fish > ~/.config/fish/completions/rotor.fish",
        ],
    ]

    /// The examples of the subcommand named in `arguments` (`rotor help run` included).
    static func text(for arguments: [String]) -> String {
        let named = arguments.first { byCommand[$0] != nil && !$0.isEmpty } ?? ""
        return "EXAMPLES:\n" + (byCommand[named] ?? []).map { "  \($0)" }.joined(separator: "\n") + "\n"
    }
}

/// Boolean settings written the ways Kubernetes tools take them: `--leader-elect`,
/// `--leader-elect=false` and `--leader-elect true` all work, for options and flags alike,
/// and a bare boolean never takes the next flag as its value.
enum BooleanArguments {
    /// Options whose value is a boolean (`@Option var x: String?`, validated later).
    static let options: Set<String> = ["--leader-elect", "--allow-operator-service-account-token", "--allow-pod-cloud-identity"]
    /// Flags (`@Flag`), which the parser takes bare only.
    static let flags: Set<String> = ["--api-only", "--insecure-http", "--no-demo"]
    static let literals: Set<String> = ["true", "false", "1", "0", "yes", "no", "on", "off"]
    static let falseLiterals: Set<String> = ["false", "0", "no", "off"]

    static func normalize(_ arguments: [String]) -> [String] {
        var result: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" {
                result += arguments[index...]
                break
            }
            let next = index + 1 < arguments.count ? arguments[index + 1].lowercased() : nil
            let (name, value) = split(argument)
            if options.contains(name), value == nil {
                // `--leader-elect true` stays (and `--leader-elect maybe` is reported as a bad
                // value); a bare one — last, or followed by another flag — means true.
                if let next, !next.hasPrefix("-") {
                    result += [argument, arguments[index + 1]]
                    index += 2
                } else {
                    result.append("\(name)=true")
                    index += 1
                }
                continue
            }
            if flags.contains(name) {
                var on = true
                if let value {
                    on = !falseLiterals.contains(value.lowercased())
                } else if let next, literals.contains(next) {
                    on = !falseLiterals.contains(next)
                    index += 1
                }
                if on { result.append(name) }
                index += 1
                continue
            }
            result.append(argument)
            index += 1
        }
        return result
    }

    private static func split(_ argument: String) -> (String, String?) {
        guard argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") else { return (argument, nil) }
        return (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
    }
}

/// The version printed by `rotor version` and sent as the client's User-Agent.
enum RotorVersion {
    static let current = RotorAPIVersion.string
}
