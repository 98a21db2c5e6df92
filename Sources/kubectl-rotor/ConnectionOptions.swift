import ArgumentParser
import RotorCLI

/// The flags every subcommand takes, named and defaulted as kubectl's.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "Path to the kubeconfig file to use (default: KUBECONFIG, else ~/.kube/config).")
    var kubeconfig: String?

    @Option(help: "The name of the kubeconfig context to use (default: its current-context).")
    var context: String?

    @Option(name: [.customShort("n"), .customLong("namespace")], help: "The namespace (default: the context's namespace, else default).")
    var namespace: String?

    var settings: ConnectionSettings {
        ConnectionSettings(kubeconfig: kubeconfig, context: context, namespace: namespace)
    }
}
