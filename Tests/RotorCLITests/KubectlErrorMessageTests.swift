import KubeAPI
import KubeClient
import RotorCLI
import Testing

@Suite("Errors worded as kubectl words them")
struct KubectlErrorMessageTests {
    @Test("a refusal by the server: Error from server (Reason): message")
    func serverError() {
        let error = KubeAPIError(status: Status(message: #"externalsecrets.rotor.dev "x" not found"#, reason: "NotFound", code: 404), httpStatus: 404)
        #expect(KubectlErrorMessage.text(for: error) == #"Error from server (NotFound): externalsecrets.rotor.dev "x" not found"#)
    }

    @Test("refused credentials: You must be logged in to the server")
    func unauthorized() {
        let error = KubeAPIError(status: Status(message: "Unauthorized", reason: "Unauthorized", code: 401), httpStatus: 401)
        #expect(KubectlErrorMessage.text(for: error) == "error: You must be logged in to the server (Unauthorized)")
    }

    @Test("no answer: Unable to connect to the server")
    func transport() {
        #expect(KubectlErrorMessage.text(for: KubeAPIError.transport("connection refused")) == "Unable to connect to the server: connection refused")
    }

    @Test("the plugin's own errors: error: message")
    func pluginError() {
        #expect(KubectlErrorMessage.text(for: PluginError(#"context "x" does not exist"#)) == #"error: context "x" does not exist"#)
    }
}
