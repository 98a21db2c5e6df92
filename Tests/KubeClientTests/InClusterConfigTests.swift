import Foundation
import Testing

@testable import KubeClient

@Suite("in-cluster configuration")
struct InClusterConfigTests {
    let environment = ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"]

    @Test("a pod's service environment and mounted files give server, CA, token file and namespace")
    func fromServiceAccountDirectory() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("token", "pod-token-1\n")
        try directory.write("ca.crt", TestCertificates.caCertificate)
        try directory.write("namespace", "rotor-system")

        let configuration = try ClientConfiguration.inCluster(environment: environment, serviceAccountDirectory: directory.path)

        #expect(configuration.server == "https://10.96.0.1:443")
        #expect(configuration.namespace == "rotor-system")
        #expect(configuration.authentication == .bearerTokenFile(path: "\(directory.path)/token"))
        #expect(configuration.tls.certificateAuthorityPEM == Array(TestCertificates.caCertificate.utf8))
        _ = try configuration.tls.makeTLSConfiguration()
    }

    @Test("an IPv6 service host is bracketed in the server URL")
    func ipv6Host() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("token", "t")
        try directory.write("ca.crt", TestCertificates.caCertificate)
        let configuration = try ClientConfiguration.inCluster(
            environment: ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "443"], serviceAccountDirectory: directory.path)
        #expect(configuration.server == "https://[fd00::1]:443")
        #expect(configuration.namespace == "default")
    }

    @Test("outside a pod (no service environment or no token) the error says not in cluster")
    func notInCluster() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(throws: KubeConfigError.self) { try ClientConfiguration.inCluster(environment: [:], serviceAccountDirectory: directory.path) }
        do {
            _ = try ClientConfiguration.inCluster(environment: environment, serviceAccountDirectory: directory.path)
            Issue.record("expected an error")
        } catch let error as KubeConfigError {
            #expect(error.kind == .notInCluster)
        }
    }

    @Test("a missing or empty ca.crt is an error naming the file, not a fall-back to public roots")
    func missingCACertificateIsAnError() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("token", "pod-token-1\n")
        let caPath = "\(directory.path)/ca.crt"
        do {
            let configuration = try ClientConfiguration.inCluster(environment: environment, serviceAccountDirectory: directory.path)
            Issue.record("accepted a service account without ca.crt (CA: \(configuration.tls.certificateAuthorityPEM == nil ? "public roots" : "set"))")
        } catch let error as KubeConfigError {
            #expect(error.kind == .fileNotFound)
            #expect(error.description.contains(caPath))
        }
        // Nor does the automatic choice quietly fall back to ~/.kube/config inside a pod.
        #expect(throws: KubeConfigError.self) {
            try ClientConfiguration.automatic(environment: environment, serviceAccountDirectory: directory.path)
        }
        try directory.write("ca.crt", "")
        do {
            _ = try ClientConfiguration.inCluster(environment: environment, serviceAccountDirectory: directory.path)
            Issue.record("accepted an empty ca.crt")
        } catch let error as KubeConfigError {
            #expect(error.kind == .invalidValue)
            #expect(error.description.contains(caPath))
        }
    }

    @Test("a rotated token file is picked up once the refresh interval has passed")
    func tokenReReadAfterInterval() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write("token", "token-1\n")
        let clock = ManualClock()
        let source = TokenFileSource(path: path, refreshInterval: .seconds(60), clock: clock)

        #expect(try await source.token() == "token-1")
        try directory.write("token", "token-2\n")
        clock.advance(by: .seconds(59))
        #expect(try await source.token() == "token-1")
        clock.advance(by: .seconds(1))
        #expect(try await source.token() == "token-2")
    }

    @Test("after a 401 the token file is re-read at once, and a retry is worth it only if the token changed")
    func tokenReReadAfterRejection() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write("token", "token-1")
        let source = TokenFileSource(path: path, refreshInterval: .seconds(60), clock: ManualClock())

        #expect(try await source.token() == "token-1")
        #expect(await source.refreshAfterRejection(of: "token-1") == false)
        try directory.write("token", "token-2")
        #expect(await source.refreshAfterRejection(of: "token-1") == true)
        #expect(try await source.token() == "token-2")
    }

    @Test("a token file that disappears during rotation keeps the last token instead of failing")
    func missingFileKeepsLastToken() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write("token", "token-1")
        let clock = ManualClock()
        let source = TokenFileSource(path: path, refreshInterval: .seconds(1), clock: clock)
        #expect(try await source.token() == "token-1")
        try FileManager.default.removeItem(atPath: path)
        clock.advance(by: .seconds(5))
        #expect(try await source.token() == "token-1")
    }
}

@Suite("choosing a configuration")
struct AutomaticConfigurationTests {
    static let kubeconfig = """
        current-context: local
        clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]
        contexts: [{name: local, context: {cluster: c, namespace: dev}}]
        """

    @Test("KUBECONFIG wins over the pod's service account, which wins over ~/.kube/config")
    func precedence() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let explicit = try directory.write("explicit", Self.kubeconfig.replacingOccurrences(of: "dev", with: "from-env"))
        try directory.write("home/.kube/config", Self.kubeconfig)
        try directory.write("sa/token", "t")
        try directory.write("sa/ca.crt", TestCertificates.caCertificate)
        let pod = ["KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "443", "HOME": "\(directory.path)/home"]

        var environment = pod
        environment["KUBECONFIG"] = explicit
        #expect(try ClientConfiguration.automatic(environment: environment, serviceAccountDirectory: "\(directory.path)/sa").namespace == "from-env")
        #expect(try ClientConfiguration.automatic(environment: pod, serviceAccountDirectory: "\(directory.path)/sa").server == "https://10.0.0.1:443")
        // Outside a pod (no token mounted) the home kubeconfig is used.
        #expect(try ClientConfiguration.automatic(environment: pod, serviceAccountDirectory: "\(directory.path)/none").namespace == "dev")
    }
}
