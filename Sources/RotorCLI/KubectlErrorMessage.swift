import KubeClient

/// Errors worded as kubectl words them, so that `kubectl rotor` fails the way the rest of
/// kubectl does (and scripts matching kubectl's messages match ours):
///
/// - the server refused: `Error from server (NotFound): externalsecrets.rotor.dev "x" not found`
/// - the credentials were refused: `error: You must be logged in to the server (Unauthorized)`
/// - no answer: `Unable to connect to the server: …`
/// - anything else (kubeconfig, usage): `error: …`
///
/// The messages carry what the server or the kubeconfig loader said; neither ever holds a
/// token or Secret data.
public enum KubectlErrorMessage {
    public static func text(for error: any Error) -> String {
        switch error {
        case let error as KubeAPIError:
            return text(for: error)
        case let error as PluginError:
            return "error: \(error.message)"
        case let error as KubeConfigError:
            return "error: \(error.description)"
        default:
            return "error: \(error)"
        }
    }

    static func text(for error: KubeAPIError) -> String {
        if error.kind == .transport { return "Unable to connect to the server: \(error.message)" }
        guard let status = error.status else { return "error: \(error.description)" }
        if error.kind == .unauthorized {
            return "error: You must be logged in to the server (\(status.message ?? "Unauthorized"))"
        }
        return "Error from server (\(status.reason ?? error.kind.rawValue)): \(error.message)"
    }
}

/// A failure of the plugin itself (a bad flag combination, a context that does not exist),
/// printed as `error: MESSAGE`.
public struct PluginError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
